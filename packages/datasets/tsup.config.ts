import { libraryConfig } from '@video-r1/tsup-config';

// The CLI is a second entry; tsup keeps its `#!/usr/bin/env node` line and marks it executable.
// p-limit is ESM-only: bundling it keeps `require('@video-r1/datasets')` working on every Node 20
// (require of ES modules is unflagged only from 20.19).
const config: ReturnType<typeof libraryConfig> = libraryConfig({ entry: ['src/index.ts', 'src/cli.ts'], noExternal: ['p-limit'] });
export default config;

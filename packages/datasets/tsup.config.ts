import { libraryConfig } from '@video-r1/tsup-config';

// The CLI (src/cli.ts) is built as ESM only; tsup keeps its `#!/usr/bin/env node` line and marks it executable.
// p-limit is ESM-only: bundling it keeps `require('@video-r1/datasets')` working on every Node 20
// (require of ES modules is unflagged only from 20.19).
const config: ReturnType<typeof libraryConfig> = libraryConfig({ cli: 'src/cli.ts', noExternal: ['p-limit'] });
export default config;

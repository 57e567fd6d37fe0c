import { libraryConfig } from '@video-r1/tsup-config';
import type { Options } from 'tsup';

// The CLI (src/cli.ts) is built as ESM only; tsup keeps its `#!/usr/bin/env node` line and marks it executable.
const config: Options | Options[] = libraryConfig({ cli: 'src/cli.ts' });

export default config;

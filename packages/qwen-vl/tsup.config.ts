import { libraryConfig } from '@video-r1/tsup-config';
import type { Options } from 'tsup';

// The CLI is a second entry; tsup keeps its `#!/usr/bin/env node` line and marks it executable.
const config: Options | Options[] = libraryConfig({ entry: ['src/index.ts', 'src/cli.ts'] });

export default config;

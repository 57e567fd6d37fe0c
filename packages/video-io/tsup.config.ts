import { libraryConfig } from '@video-r1/tsup-config';
import type { Options } from 'tsup';

// shims: the CJS build needs a working import.meta.url to find the npm-packaged ffmpeg binaries.
// p-limit is ESM-only: bundling it keeps `require('@video-r1/video-io')` working on every Node 20
// (require of ES modules is unflagged only from 20.19).
const config: Options | Options[] = libraryConfig({ shims: true, noExternal: ['p-limit'] });

export default config;

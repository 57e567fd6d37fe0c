import { libraryConfig } from '@video-r1/tsup-config';
import type { Options } from 'tsup';

const config: Options | Options[] = libraryConfig();

export default config;

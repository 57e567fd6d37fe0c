import { packageTestConfig } from '@video-r1/vitest-config';

export default packageTestConfig();

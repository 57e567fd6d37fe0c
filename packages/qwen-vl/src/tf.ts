// The one tfjs-core instance of the workspace. Temporary source: rl-core; switches to
// @video-r1/tensor once that package exists (architecture issue).
export { tf } from '@video-r1/rl-core';

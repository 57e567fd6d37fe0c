// The seeded generator lives in @video-r1/tensor (its TensorFlow-free `random` entry), the one
// source of randomness of every package; re-exported here for one release.
export {
  /** @deprecated Import `createRng` from `@video-r1/tensor` (or `@video-r1/tensor/random`). */
  createRng,
} from '@video-r1/tensor/random';
export type {
  /** @deprecated Import `Rng` from `@video-r1/tensor` (or `@video-r1/tensor/random`). */
  Rng,
} from '@video-r1/tensor/random';

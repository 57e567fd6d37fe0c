// The project's one source of randomness is @video-r1/tensor's TensorFlow-free `random` entry;
// the synthetic generators draw from it through these names.
export { pick, randInt, type Rng } from '@video-r1/tensor/random';

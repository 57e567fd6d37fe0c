// The single @tensorflow/tfjs-core instance every @video-r1 package shares. Tensors from two
// core copies cannot meet in one op, so other packages import `tf` from here instead of
// depending on tfjs-core themselves.
//
// Side effects this module exists for (package.json `sideEffects` names the builds of it):
// - the pure-JS CPU backend is registered, so `tf` works before (or without) `selectBackend`;
//   faster backends are loaded on demand by `selectBackend`;
// - the gradient of every kernel is registered (./gradients.ts says how and why).
import '@tensorflow/tfjs-backend-cpu';
import './gradients.js';
import * as tf from '@tensorflow/tfjs-core';

export { tf };

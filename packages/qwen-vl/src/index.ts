// The package's one face.
export * from './checkpoint/index.js';
export * from './text/index.js';
export { loadCheckpointTensors, type LoadedTensors } from './checkpoint/load-tensors.js';
export * from './processor/index.js';
export * from './rope/index.js';
export * from './vision/index.js';

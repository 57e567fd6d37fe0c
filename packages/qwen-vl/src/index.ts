// The package's one face.
export * from './checkpoint/index.js';
export { loadCheckpointTensors, type LoadedTensors } from './checkpoint/load-tensors.js';

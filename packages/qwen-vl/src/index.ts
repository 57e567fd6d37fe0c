// The package's one face.
export * from './checkpoint/index.js';

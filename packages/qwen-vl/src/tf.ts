// The one tfjs-core instance of the workspace (@video-r1/tensor): every module of this package
// imports tf from here, so all tensors meet on the backend selectBackend chose.
export { tf } from '@video-r1/tensor';

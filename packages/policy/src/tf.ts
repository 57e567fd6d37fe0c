// The one tfjs-core instance of the project comes from @video-r1/tensor, so the backend
// chosen by its `selectBackend` is the one every op here runs on.
export { tf } from '@video-r1/tensor';
import type { tf } from '@video-r1/tensor';

export type Tensor = tf.Tensor;
export type Tensor1D = tf.Tensor1D;
export type Tensor2D = tf.Tensor2D;
export type Tensor3D = tf.Tensor3D;
export type Tensor4D = tf.Tensor4D;
export type Scalar = tf.Scalar;
export type Variable = tf.Variable;

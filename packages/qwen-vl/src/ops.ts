// Differentiable building blocks shared by the decoder and the vision tower. Every kernel
// they use, forward and backward, exists on the cpu, wasm and tensorflow backends.
import { gatherRows } from '@video-r1/tensor';

import { tf } from './tf.js';

type Tensor = tf.Tensor;

/**
 * `x · Wᵀ + b` with W in PyTorch's `[out, in]` layout (as stored in the checkpoints), over the
 * last axis of `x`.
 */
export function linear(x: Tensor, weight: Tensor, bias: Tensor | null): Tensor {
  return tf.tidy(() => {
    const inDim = x.shape[x.shape.length - 1] as number;
    const outDim = weight.shape[0] as number;
    if (weight.shape[1] !== inDim) {
      throw new Error(`linear: input has ${inDim} features but the weight is [${weight.shape.join(', ')}].`);
    }
    const flat = x.rank === 2 ? (x as tf.Tensor2D) : (tf.reshape(x, [-1, inDim]) as tf.Tensor2D);
    // Not tf.fused.matMul: with transposeB and a bias the wasm backend returns wrong values
    // (tfjs 4.22; the unfused product agrees with cpu to 1e-7).
    const product = tf.matMul(flat, weight as tf.Tensor2D, false, true);
    const y = bias === null ? product : tf.add(product, bias);
    return x.rank === 2 ? y : tf.reshape(y, [...x.shape.slice(0, -1), outDim]);
  });
}

/** RMSNorm over the last axis: `w · x / sqrt(mean(x²) + eps)` (Qwen2RMSNorm, float32). */
export function rmsNorm(x: Tensor, weight: Tensor, eps: number): Tensor {
  return tf.tidy(() => {
    const variance = tf.mean(tf.square(x), -1, true);
    return tf.mul(weight, tf.mul(x, tf.rsqrt(tf.add(variance, eps))));
  });
}

/** SiLU `x·σ(x)`. */
export function silu(x: Tensor): Tensor {
  return tf.tidy(() => tf.mul(x, tf.sigmoid(x)));
}

/**
 * Rows of `table` ([R, ...]) at `ids` → [N, ...]; ids may repeat. The gradient is a ScatterNd
 * (tf.gather's own needs UnsortedSegmentSum, which the wasm backend lacks).
 */
export function lookupRows<T extends Tensor>(table: T, ids: ArrayLike<number> | tf.Tensor1D): T {
  return tf.tidy(() => {
    const idTensor = ids instanceof tf.Tensor ? ids : tf.tensor1d(Int32Array.from(ids), 'int32');
    return gatherRows(table, idTensor);
  });
}

/** `rotate_half(x) = [−x₂, x₁]` over the last axis (halves of equal size). */
export function rotateHalf(x: Tensor): Tensor {
  return tf.tidy(() => {
    const d = x.shape[x.shape.length - 1] as number;
    const [x1, x2] = tf.split(x, [d / 2, d / 2], -1) as [Tensor, Tensor];
    return tf.concat([tf.neg(x2), x1], -1);
  });
}

/** `x·cos + rotate_half(x)·sin` (cos/sin broadcast against x). */
export function applyRotary(x: Tensor, cos: Tensor, sin: Tensor): Tensor {
  return tf.tidy(() => tf.add(tf.mul(x, cos), tf.mul(rotateHalf(x), sin)));
}

// Differentiable building blocks shared by the decoder and the vision tower. Every kernel
// they use, forward and backward, exists on the cpu, wasm and tensorflow backends.
import { gatherRows } from '@video-r1/tensor';

import { tf } from './tf.js';

type Tensor = tf.Tensor;

// On wasm (tfjs 4.22), a product with transposeA/transposeB set runs 5–13× slower than a plain
// one (e.g. [64, 896]·[4864, 896]ᵀ: 800 ms with transposeB, 62 ms as (W·xᵀ)ᵀ), and tf.matMul's own
// gradient uses those flags. The products here therefore run without flags and carry their own
// gradients written with explicit transposes of the small operands.

type GradFn = (dy: Tensor, saved: Tensor[]) => Tensor[];
type SaveFn = (tensors: Tensor[]) => void;
type CustomOp = Parameters<typeof tf.customGrad>[0];

/** Swaps the last two axes. */
export function transposeLast(x: Tensor): Tensor {
  const perm = [...Array(x.rank).keys()];
  perm[x.rank - 2] = x.rank - 1;
  perm[x.rank - 1] = x.rank - 2;
  return tf.transpose(x, perm);
}

const matmulOp = tf.customGrad(((a: Tensor, b: Tensor, save: SaveFn) => {
  save([a, b]);
  const gradFunc: GradFn = (dy, [sa, sb]) => [tf.matMul(dy, transposeLast(sb!)), tf.matMul(transposeLast(sa!), dy)];
  return { value: tf.matMul(a, b), gradFunc };
}) as unknown as CustomOp);

/** `a [..., M, K] · b [..., K, N]` (equal batch axes), differentiable in both, flag-free. */
export function matmul(a: Tensor, b: Tensor): Tensor {
  return matmulOp(a, b);
}

// x [N, in], W [out, in] → x·Wᵀ computed as (W·xᵀ)ᵀ: only x and y are transposed, never W.
const linearOp = tf.customGrad(((x: Tensor, w: Tensor, save: SaveFn) => {
  save([x, w]);
  const gradFunc: GradFn = (dy, [sx, sw]) => [tf.matMul(dy, sw!), tf.matMul(tf.transpose(dy), sx!)];
  return { value: tf.transpose(tf.matMul(w, tf.transpose(x))), gradFunc };
}) as unknown as CustomOp);

/**
 * `x · Wᵀ + b` with W in PyTorch's `[out, in]` layout (as stored in the checkpoints), over the
 * last axis of `x`.
 */
export function linear(x: Tensor, weight: Tensor, bias: Tensor | null): Tensor {
  return tf.tidy(() => {
    const inDim = x.shape[x.shape.length - 1] as number;
    const outDim = weight.shape[0] as number;
    if (weight.rank !== 2 || weight.shape[1] !== inDim) {
      throw new Error(`linear: input has ${inDim} features but the weight is [${weight.shape.join(', ')}].`);
    }
    const flat = x.rank === 2 ? x : tf.reshape(x, [-1, inDim]);
    // Not tf.fused.matMul: with transposeB and a bias the wasm backend returns wrong values
    // (tfjs 4.22).
    const product = linearOp(flat, weight);
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

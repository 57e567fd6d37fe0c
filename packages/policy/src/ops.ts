// Differentiable building blocks. Every kernel they use, forward and backward, exists on
// the cpu, wasm and tensorflow backends: tf.gather's own gradient needs UnsortedSegmentSum,
// which wasm lacks (and which cpu runs in O(segments × rows)), so lookups use @video-r1/tensor's
// gatherRows, whose gradient is a ScatterNd.
import { gatherRows } from '@video-r1/tensor';

import { tf } from './tf.js';
import type { Tensor, Tensor2D } from './tf.js';

/** Rows of `table` ([R, D]) at `indices` → [N, D]; indices may repeat. */
export function lookupRows(table: Tensor2D, indices: Int32Array | number[]): Tensor2D {
  return tf.tidy(() => gatherRows(table, tf.tensor1d(indices, 'int32')));
}

/** Rows of `source` ([R, D]) at `indices` ([N]; -1 = a zero row) → [N, D]. */
export function placeRows(source: Tensor2D, indices: Int32Array): Tensor2D {
  return tf.tidy(() => {
    const padded = tf.concat([tf.zeros([1, source.shape[1]]), source], 0) as Tensor2D;
    return lookupRows(padded, Int32Array.from(indices, (i) => i + 1));
  });
}

/** Layer normalisation over the last axis. */
export function layerNorm(x: Tensor, gamma: Tensor, beta: Tensor, eps: number): Tensor {
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(x, -1, true);
    return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps))), gamma), beta);
  });
}

/** GELU in its sigmoid form x·σ(1.702x) (as CLIP): three cheap kernels, all with gradients on wasm. */
export function gelu(x: Tensor): Tensor {
  return tf.tidy(() => tf.mul(x, tf.sigmoid(tf.mul(x, 1.702))));
}

/** Swaps the last two axes. */
function swapLast(x: Tensor): Tensor {
  const rank = x.rank;
  const perm = [...Array(rank).keys()];
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  return tf.transpose(x, perm);
}

// On wasm, a product with transposeA/transposeB set runs 5-7× slower than a transpose
// followed by a plain product (measured on [408, 256]·[256, 64]), and tf.matMul's own
// gradient uses exactly those flags. These products therefore carry their own gradients
// built from explicit transposes: dA = dY·Bᵀ, dB = Aᵀ·dY.

type GradFn = (dy: Tensor, saved: Tensor[]) => Tensor[];
type SaveFn = (tensors: Tensor[]) => void;

/** a [..., M, K] · b [..., K, N] with equal batch axes, differentiable in both. */
export function matmul(a: Tensor, b: Tensor): Tensor {
  const op = tf.customGrad(((x: Tensor, y: Tensor, save: SaveFn) => {
    save([x, y]);
    const gradFunc: GradFn = (dy, [sx, sy]) => [tf.matMul(dy, swapLast(sy!)), tf.matMul(swapLast(sx!), dy)];
    return { value: tf.matMul(x, y), gradFunc };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(a, b);
}

/** x [..., K] · w [K, N] + b: one fused product forward, explicit-transpose products backward. */
export function dense(x: Tensor, w: Tensor, b: Tensor | null): Tensor {
  return tf.tidy(() => {
    const k = x.shape[x.shape.length - 1]!;
    const n = w.shape[1]!;
    const flat = tf.reshape(x, [-1, k]) as Tensor2D;
    let y: Tensor;
    if (b === null) {
      y = matmul(flat, w);
    } else {
      const op = tf.customGrad(((xs: Tensor, ws: Tensor, bs: Tensor, save: SaveFn) => {
        save([xs, ws]);
        const gradFunc: GradFn = (dy, [sx, sw]) => [
          tf.matMul(dy as Tensor2D, tf.transpose(sw!) as Tensor2D),
          tf.matMul(tf.transpose(sx!) as Tensor2D, dy as Tensor2D),
          tf.sum(dy, 0),
        ];
        return { value: tf.fused.matMul({ a: xs as Tensor2D, b: ws as Tensor2D, bias: bs }), gradFunc };
      }) as unknown as Parameters<typeof tf.customGrad>[0]);
      y = op(flat, w, b);
    }
    return tf.reshape(y, [...x.shape.slice(0, -1), n]);
  });
}

// Two differentiable building blocks tfjs lacks or that do not train on every backend.
import { tf } from './tf.js';

const stopGradientOp = tf.customGrad((...inputs: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const x = inputs[0] as tf.Tensor;
  return { value: tf.clone(x), gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy) };
});

/** The value of `x` with zero gradient: PyTorch's `x.detach()`. */
export function stopGradient<T extends tf.Tensor>(x: T): T {
  return stopGradientOp(x) as T;
}

const gatherRowsOp = tf.customGrad((...inputs: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const table = inputs[0] as tf.Tensor;
  const ids = inputs[1] as tf.Tensor1D;
  const save = inputs[2] as tf.GradSaveFunc;
  save([ids]);
  return {
    value: tf.gather(table, ids),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const savedIds = saved[0] as tf.Tensor1D;
      // ScatterNd sums repeated ids, which is the gradient of a gather.
      const grad = tf.scatterND(tf.expandDims(savedIds, 1), dy, table.shape);
      return [grad, tf.zerosLike(savedIds)];
    },
  };
});

/**
 * `tf.gather(table, ids)` along axis 0 (an embedding lookup) whose gradient is built
 * with ScatterNd instead of UnsortedSegmentSum. The wasm backend has no
 * UnsortedSegmentSum kernel, so the stock gather cannot be trained there; this one
 * trains on every backend. `ids` must be int32, shape [M]; the result is
 * `[M, ...table.shape.slice(1)]`.
 */
export function gatherRows<T extends tf.Tensor>(table: T, ids: tf.Tensor1D): T {
  if (ids.rank !== 1) throw new Error(`gatherRows: ids must be 1-D, got shape [${ids.shape.join(', ')}].`);
  return gatherRowsOp(table, ids.dtype === 'int32' ? ids : tf.cast(ids, 'int32')) as T;
}

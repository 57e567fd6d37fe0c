// Fused JavaScript kernel of tokenLogProbs for the backends whose tensors already live in this
// process. tokenLogProbs is arithmetic-bound at large V, where the wasm kernels beat a
// JavaScript loop, so 'auto' uses it on cpu only (rl-core's bench measures both).
import { tf } from './tf.js';

/** Where `tokenLogProbs`' 'auto' picks the fused kernel. */
export const FUSED_LOGPROBS_BACKENDS: ReadonlySet<string> = new Set(['cpu']);

/**
 * tokenLogProbs as one custom-gradient op. Forward: per row, max and Σ exp(x − max),
 * then the picked logit minus logsumexp, never storing more than the [N, T] result.
 * Backward: dy · (onehot(id) − softmax) / temperature, recomputed from the logits.
 */
export function fusedTokenLogProbs(logits: tf.Tensor3D, ids: Int32Array, temperature: number): tf.Tensor2D {
  const [n, t, v] = logits.shape;
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const x = (args[0] as tf.Tensor3D).dataSync() as Float32Array;
    const rows = n * t;
    const lse = new Float64Array(rows);
    const out = new Float32Array(rows);
    const inv = 1 / temperature;
    for (let r = 0; r < rows; r++) {
      const base = r * v;
      let max = -Infinity;
      for (let k = 0; k < v; k++) {
        const z = (x[base + k] as number) * inv;
        if (z > max) max = z;
      }
      let sum = 0;
      for (let k = 0; k < v; k++) sum += Math.exp((x[base + k] as number) * inv - max);
      const l = max + Math.log(sum);
      lse[r] = l;
      out[r] = (x[base + (ids[r] as number)] as number) * inv - l;
    }
    return {
      value: tf.tensor2d(out, [n, t]),
      gradFunc: (dy: tf.Tensor) => {
        const upstream = dy.dataSync();
        const g = new Float32Array(rows * v);
        for (let r = 0; r < rows; r++) {
          const base = r * v;
          const scale = (upstream[r] as number) * inv;
          const l = lse[r] as number;
          for (let k = 0; k < v; k++) g[base + k] = -scale * Math.exp((x[base + k] as number) * inv - l);
          g[base + (ids[r] as number)] = (g[base + (ids[r] as number)] as number) + scale;
        }
        return tf.tensor3d(g, [n, t, v]);
      },
    };
  });
  return op(logits) as tf.Tensor2D;
}

import { FUSED_LOGPROBS_BACKENDS, fusedTokenLogProbs } from './fused-logprobs.js';
import { tf } from './tf.js';

export interface TokenLogProbsOptions {
  /**
   * Divides the logits before the softmax (TRL does this with the sampling temperature;
   * Video-R1 does not). Default 1.
   */
  temperature?: number;
  /** Check that every id lies in [0, V) (reads the ids back; default true; always on in 'fused'). */
  validateIds?: boolean;
  /**
   * 'graph': tfjs ops (logsumexp and a gather forward; softmax and a ScatterNd backward).
   * 'fused': one JavaScript pass forward and one backward, reading the logits back with
   * dataSync. 'auto' (default): fused on the cpu backend, graph elsewhere (on wasm the
   * graph is faster at large V).
   */
  implementation?: 'auto' | 'graph' | 'fused';
}

/**
 * Log-probabilities of the chosen tokens: `logits[n, t, ids[n, t]] - logsumexp(logits[n, t, :])`.
 *
 * Returns a float32 `[N, T]` tensor, differentiable with respect to `logits`. The full
 * `[N, T, V]` log-softmax is never built. 'fused' keeps only the `[N, T]` logsumexp and
 * result; 'graph' keeps the `[N, T]` logsumexp and the `N·T` gathered logits
 * (logsumexp's own exp temporaries live and die inside one tidy).
 */
export function tokenLogProbs(
  logits: tf.Tensor3D,
  ids: tf.Tensor2D | readonly (readonly number[])[],
  options: TokenLogProbsOptions = {},
): tf.Tensor2D {
  if (logits.rank !== 3) {
    throw new Error(`tokenLogProbs: logits must be [N, T, V], got shape [${logits.shape.join(', ')}].`);
  }
  const [n, t, v] = logits.shape;
  const temperature = options.temperature ?? 1;
  if (!(temperature > 0) || !Number.isFinite(temperature)) {
    throw new Error(`tokenLogProbs: temperature must be a finite number > 0, got ${temperature}.`);
  }
  const idTensor = ids instanceof tf.Tensor ? ids : tf.tensor2d(ids as number[][], undefined, 'int32');
  try {
    if (idTensor.rank !== 2 || idTensor.shape[0] !== n || idTensor.shape[1] !== t) {
      throw new Error(
        `tokenLogProbs: ids must be [${n}, ${t}] to match logits [${n}, ${t}, ${v}], got [${idTensor.shape.join(', ')}].`,
      );
    }
    const implementation = options.implementation ?? 'auto';
    if (implementation !== 'auto' && implementation !== 'graph' && implementation !== 'fused') {
      throw new Error(`tokenLogProbs: implementation must be 'auto', 'graph' or 'fused', got ${JSON.stringify(implementation)}.`);
    }
    const fused = implementation === 'fused' || (implementation === 'auto' && FUSED_LOGPROBS_BACKENDS.has(tf.getBackend()));
    if (fused || (options.validateIds ?? true)) {
      const values = idTensor.dataSync();
      for (let i = 0; i < values.length; i++) {
        const id = values[i] as number;
        if (!Number.isInteger(id) || id < 0 || id >= v) {
          throw new Error(
            `tokenLogProbs: ids[${Math.floor(i / t)}][${i % t}] = ${id} is not a token id in [0, ${v}) ` +
              `(the vocabulary size is the logits' last dimension).`,
          );
        }
      }
      if (fused) {
        const flatIds = values instanceof Int32Array ? values : Int32Array.from(values as ArrayLike<number>);
        return fusedTokenLogProbs(logits, flatIds, temperature);
      }
    }
    return graphTokenLogProbs(logits, idTensor, temperature);
  } finally {
    if (idTensor !== ids) idTensor.dispose();
  }
}

/**
 * tfjs ops with a hand-written gradient. Autodiff through logSumExp would replay its
 * max/sub/exp/sum/log chain backwards (several [N, T, V] passes plus a max mask); the
 * derivative of a log-softmax pick is just dy · (onehot(id) − softmax) / τ.
 */
function graphTokenLogProbs(logits: tf.Tensor3D, ids: tf.Tensor2D, temperature: number): tf.Tensor2D {
  const [n, t, v] = logits.shape;
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const x = args[0] as tf.Tensor3D;
    const save = args[1] as tf.GradSaveFunc;
    const scaled = temperature === 1 ? x : tf.div(x, temperature);
    const lse = tf.logSumExp(scaled, -1, true); // [N, T, 1]
    // Flat offsets (n·T + t)·V + id pick one logit per token.
    const flatIds = tf.add(
      tf.mul(tf.range(0, n * t, 1, 'int32'), tf.scalar(v, 'int32')),
      tf.reshape(tf.cast(ids, 'int32'), [n * t]),
    ) as tf.Tensor1D;
    const picked = tf.reshape(tf.gather(tf.reshape(scaled, [n * t * v]), flatIds), [n, t]);
    save([scaled, lse, flatIds]);
    return {
      value: tf.sub(picked, tf.reshape(lse, [n, t])) as tf.Tensor2D,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [savedScaled, savedLse, savedIds] = saved as [tf.Tensor3D, tf.Tensor3D, tf.Tensor1D];
        const dyScaled = temperature === 1 ? dy : tf.div(dy, temperature);
        const softmax = tf.exp(tf.sub(savedScaled, savedLse));
        const spread = tf.mul(softmax, tf.neg(tf.reshape(dyScaled, [n, t, 1])));
        const onehot = tf.scatterND(tf.expandDims(savedIds, 1), tf.reshape(dyScaled, [n * t]), [n * t * v]);
        return tf.add(spread, tf.reshape(onehot, [n, t, v]));
      },
    };
  });
  return op(logits) as tf.Tensor2D;
}

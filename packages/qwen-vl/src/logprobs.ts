// Completion log-probabilities as TRL's GRPOTrainer computes them:
//   logits[:, P−1 : P+K−1] / T → log_softmax → gather ids[:, P:]   (P = L − K),
// differentiable, plus the objective Σ logps · completion_mask and its gradients by file name.
import { tokenLogProbs } from '@video-r1/tensor';

import type { ForwardOptions, ModelInputs, QwenVLModel } from './model.js';
import { QwenVLModelError } from './model-error.js';
import { tf } from './tf.js';

export interface CompletionLogProbsOptions extends ForwardOptions {
  /** TRL divides the logits by the sampling temperature (default 1). */
  temperature?: number;
}

/** `[B, K]` log-probs of the last K tokens of every row, each given everything before it. */
export function completionLogProbs(
  model: QwenVLModel,
  inputs: ModelInputs,
  logitsToKeep: number,
  options: CompletionLogProbsOptions = {},
): tf.Tensor2D {
  const length = inputs.inputIds[0]?.length ?? 0;
  if (!Number.isInteger(logitsToKeep) || logitsToKeep < 1 || logitsToKeep >= length) {
    throw new QwenVLModelError('INVALID_INPUT', `logits_to_keep must be an integer in [1, ${length - 1}] for rows of ${length} tokens, got ${logitsToKeep}`);
  }
  const prompt = length - logitsToKeep;
  return tf.tidy(() => {
    const { hidden } = model.hiddenStates(inputs, options);
    const [batch, , d] = hidden.shape;
    const kept = tf.slice(hidden, [0, prompt - 1, 0], [batch, logitsToKeep, d]);
    const logits = model.logitsOf(kept) as tf.Tensor3D;
    const ids = inputs.inputIds.map((row) => row.slice(prompt));
    return tokenLogProbs(logits, ids, { temperature: options.temperature ?? 1 });
  });
}

/** `Σ logps · completion_mask` as a scalar tensor. */
export function maskedSum(logps: tf.Tensor2D, completionMask: readonly (readonly number[])[]): tf.Scalar {
  return tf.tidy(() => tf.sum(tf.mul(logps, tf.tensor2d(completionMask.map((r) => [...r]), logps.shape, 'float32'))));
}

export interface NamedGradients {
  value: number;
  /** d value / d variable, keyed by the names of the files (stored tensor names or adapter keys). */
  grads: Map<string, tf.Tensor>;
}

/**
 * The value of `objective` and its gradient with respect to every trainable variable of the
 * model (all weights for full fine-tuning, only the adapter with LoRA attached), keyed as the
 * files name them.
 */
export function gradientsByName(model: QwenVLModel, objective: () => tf.Scalar): NamedGradients {
  const named = model.trainableVariables();
  const byVariable = new Map<string, string>();
  for (const [key, v] of named) byVariable.set(v.name, key);
  const { value, grads } = tf.variableGrads(objective, [...named.values()]);
  const out = new Map<string, tf.Tensor>();
  for (const [varName, grad] of Object.entries(grads) as [string, tf.Tensor][]) {
    const key = byVariable.get(varName);
    if (key !== undefined) out.set(key, grad);
    else grad.dispose();
  }
  // A variable the objective does not reach has no entry from tfjs; its gradient is zero.
  for (const [key, v] of named) if (!out.has(key)) out.set(key, tf.zerosLike(v));
  const scalar = value.dataSync()[0] as number;
  value.dispose();
  return { value: scalar, grads: out };
}

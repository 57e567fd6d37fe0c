// The GRPO loss of a step's rollouts and its gradients with respect to the policy's trainable
// variables (Video-R1's compute_loss after the rewards), in one pass or in row micro-batches.
import { completionMask, type VisionLanguageModel } from '@video-r1/model-api';
import { tf } from '@video-r1/tensor';

import { chunkWeights, rowChunks } from './micro-batch.js';
import { type PolicyLossConfig, policyLoss } from './loss.js';
import type { Rollout } from './rollouts.js';

export interface GrpoLossOptions extends Omit<PolicyLossConfig, 'beta'> {
  /** KL coefficient against the reference (Video-R1: 0.04). With 0 the reference is not run. */
  beta: number;
  /**
   * Applied to the loss inside the gradient tape, e.g. a scale, or `loss × NaN` to test a
   * trainer's non-finite-loss guard. Default: the loss as it is. With micro-batches it is
   * applied to each chunk's share of the loss, so it must be linear (a scale) to keep the sum exact.
   */
  transformLoss?: (loss: tf.Scalar) => tf.Scalar;
  /**
   * Sequences (rows of the N = prompts × G batch) per forward+backward pass; the chunks'
   * gradients are summed into exactly the full-batch gradient. Default: all rows in one pass.
   */
  microBatchSize?: number;
}

export interface GrpoGradients {
  /** The loss value (after `transformLoss`). */
  loss: number;
  /** Mean per-sequence KL to the reference (Video-R1's logged `kl`; NaN when a completion is empty, as there). */
  kl: number;
  /** TRL's region clip ratio (0 with one update per generation batch). */
  clipRatio: number;
  /** Gradients by variable name, for `policy.trainableVariables()`; the caller owns (and disposes) them. */
  grads: tf.NamedTensorMap;
}

function checkMicroBatchSize(value: number | undefined, rows: number): number {
  if (value === undefined) return Math.max(1, rows);
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`grpoGradients: options.microBatchSize must be a positive integer (rows per pass), got ${String(value)}.`);
  }
  return value;
}

/** Adds `next` into `sum` by name, disposing the addends; returns the new sum. */
function accumulate(sum: tf.NamedTensorMap | null, next: tf.NamedTensorMap): tf.NamedTensorMap {
  if (sum === null) return next;
  const out: tf.NamedTensorMap = { ...sum };
  for (const [name, grad] of Object.entries(next)) {
    const previous = out[name];
    if (previous === undefined) {
      out[name] = grad;
    } else {
      out[name] = tf.add(previous, grad);
      previous.dispose();
      grad.dispose();
    }
  }
  return out;
}

/**
 * `policyLoss` over every completion of `rollouts` (one row each, the group's advantage per
 * row, the mask up to each completion's first EOS) and its gradients. The reference's
 * log-probabilities are computed without gradients (Video-R1's `torch.inference_mode()` block),
 * from the policy's encodings of the prompts, so the two models must be of one family.
 *
 * With `microBatchSize` the rows go through the policy (and the reference) chunk by chunk, all
 * padded to the batch's longest completion; each chunk's loss, KL and clip ratio are weighted by
 * its share of the batch-wide denominator of `lossType` (see micro-batch.ts), so the summed
 * gradients and the metrics equal the one-pass values.
 */
export function grpoGradients<Input>(
  policy: VisionLanguageModel<Input>,
  reference: VisionLanguageModel<Input> | null,
  rollouts: readonly Rollout<Input>[],
  options: GrpoLossOptions,
): GrpoGradients {
  const { transformLoss, microBatchSize, ...lossConfig } = options;
  if (lossConfig.beta !== 0 && reference === null) {
    throw new Error(`grpoGradients: beta is ${lossConfig.beta} but no reference model was given; pass the frozen reference or beta 0.`);
  }
  const inputs = rollouts.flatMap((r) => r.completions.map(() => r.input));
  const completions = rollouts.flatMap((r) => r.completions);
  const advantages = rollouts.flatMap((r) => r.advantages);
  const rowsPerPass = checkMicroBatchSize(microBatchSize, completions.length);
  const length = Math.max(1, ...completions.map((c) => c.length));
  const mask = completionMask(completions, policy.tokens.eosId, length);
  const chunks = rowChunks(completions.length, rowsPerPass);
  const weights = chunkWeights(mask, chunks, lossConfig.lossType ?? 'grpo', lossConfig.nanGuard ?? false);

  let grads: tf.NamedTensorMap | null = null;
  let loss = 0;
  let kl = 0;
  let clipRatio = 0;
  try {
    chunks.forEach(([start, end], c) => {
      const w = weights[c]!;
      const chunkInputs = inputs.slice(start, end);
      const chunkCompletions = completions.slice(start, end);
      const refLogps =
        lossConfig.beta === 0 || reference === null
          ? undefined
          : tf.tidy(() => reference.completionLogProbs(chunkInputs, chunkCompletions, { length }));
      let chunkKl: tf.Scalar | null = null;
      let chunkClip: tf.Scalar | null = null;
      try {
        const { value, grads: chunkGrads } = tf.variableGrads(() => {
          const logps = policy.completionLogProbs(chunkInputs, chunkCompletions, { length });
          const out = policyLoss(
            { logps, mask: mask.slice(start, end), advantages: advantages.slice(start, end), ...(refLogps && { refLogps }) },
            // dr_grpo's default L is the mask's width: every chunk is padded to the batch's `length`.
            lossConfig,
          );
          chunkKl = tf.keep(out.meanKl);
          chunkClip = tf.keep(out.clipRatio);
          // One pass keeps the loss as policyLoss gives it (bit-for-bit the reference); a chunk
          // contributes its share of the batch's denominator.
          const share: tf.Scalar = chunks.length === 1 ? out.loss : tf.mul(out.loss, w.loss);
          return transformLoss ? transformLoss(share) : share;
        }, policy.trainableVariables());
        loss += value.dataSync()[0] as number;
        value.dispose();
        kl += ((chunkKl as tf.Scalar | null)?.dataSync()[0] ?? 0) * w.kl;
        clipRatio += ((chunkClip as tf.Scalar | null)?.dataSync()[0] ?? 0) * w.clipRatio;
        grads = accumulate(grads, chunkGrads);
      } finally {
        refLogps?.dispose();
        (chunkKl as tf.Scalar | null)?.dispose();
        (chunkClip as tf.Scalar | null)?.dispose();
      }
    });
  } catch (error) {
    tf.dispose(Object.values(grads ?? {}));
    throw error;
  }
  return { loss, kl, clipRatio, grads: grads ?? {} };
}

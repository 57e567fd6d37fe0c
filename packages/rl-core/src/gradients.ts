// The GRPO loss of a step's rollouts, as one batch, and its gradients with respect to the
// policy's trainable variables (Video-R1's compute_loss after the rewards).
import { completionMask, type VisionLanguageModel } from '@video-r1/model-api';
import { tf } from '@video-r1/tensor';

import { type PolicyLossConfig, policyLoss } from './loss.js';
import type { Rollout } from './rollouts.js';

export interface GrpoLossOptions extends Omit<PolicyLossConfig, 'beta'> {
  /** KL coefficient against the reference (Video-R1: 0.04). With 0 the reference is not run. */
  beta: number;
  /**
   * Applied to the loss inside the gradient tape, e.g. a scale, or `loss × NaN` to test a
   * trainer's non-finite-loss guard. Default: the loss as it is.
   */
  transformLoss?: (loss: tf.Scalar) => tf.Scalar;
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

/**
 * `policyLoss` over every completion of `rollouts` (one row each, the group's advantage per
 * row, the mask up to each completion's first EOS) and its gradients. The reference's
 * log-probabilities are computed without gradients (Video-R1's `torch.inference_mode()` block),
 * from the policy's encodings of the prompts, so the two models must be of one family.
 */
export function grpoGradients<Input>(
  policy: VisionLanguageModel<Input>,
  reference: VisionLanguageModel<Input> | null,
  rollouts: readonly Rollout<Input>[],
  options: GrpoLossOptions,
): GrpoGradients {
  const { transformLoss, ...lossConfig } = options;
  if (lossConfig.beta !== 0 && reference === null) {
    throw new Error(`grpoGradients: beta is ${lossConfig.beta} but no reference model was given; pass the frozen reference or beta 0.`);
  }
  const inputs = rollouts.flatMap((r) => r.completions.map(() => r.input));
  const completions = rollouts.flatMap((r) => r.completions);
  const advantages = rollouts.flatMap((r) => r.advantages);
  const length = Math.max(1, ...completions.map((c) => c.length));
  const mask = completionMask(completions, policy.tokens.eosId, length);
  const refLogps =
    lossConfig.beta === 0 || reference === null ? undefined : tf.tidy(() => reference.completionLogProbs(inputs, completions, { length }));
  let kl: tf.Scalar | null = null;
  let clipRatio: tf.Scalar | null = null;
  try {
    const { value, grads } = tf.variableGrads(() => {
      const logps = policy.completionLogProbs(inputs, completions, { length });
      const out = policyLoss({ logps, mask, advantages, ...(refLogps && { refLogps }) }, lossConfig);
      kl = tf.keep(out.meanKl);
      clipRatio = tf.keep(out.clipRatio);
      return transformLoss ? transformLoss(out.loss) : out.loss;
    }, policy.trainableVariables());
    const loss = value.dataSync()[0] as number;
    value.dispose();
    return {
      loss,
      kl: (kl as tf.Scalar | null)?.dataSync()[0] ?? 0,
      clipRatio: (clipRatio as tf.Scalar | null)?.dataSync()[0] ?? 0,
      grads,
    };
  } finally {
    refLogps?.dispose();
    (kl as tf.Scalar | null)?.dispose();
    (clipRatio as tf.Scalar | null)?.dispose();
  }
}

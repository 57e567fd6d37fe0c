// One GRPO / T-GRPO step short of the optimizer update: rollouts, rewards, advantages, the
// loss and its gradients, and the step's metrics in Video-R1's names.
import type { VisionLanguageModel } from '@video-r1/model-api';
import type { Rng } from '@video-r1/tensor';

import { type GrpoGradients, type GrpoLossOptions, grpoGradients } from './gradients.js';
import { stepMetrics, type StepMetrics } from './metrics.js';
import { type GrpoPrompt, type Rollout, type RolloutSettings, rollouts as sampleRollouts } from './rollouts.js';

export interface GrpoStepInput<Input> {
  policy: VisionLanguageModel<Input>;
  /** The frozen KL reference (Video-R1: the SFT model); null with `loss.beta` 0. */
  reference: VisionLanguageModel<Input> | null;
  prompts: readonly GrpoPrompt[];
  settings: RolloutSettings;
  loss: GrpoLossOptions;
  /** The step's seeded generator (sampling and the frame shuffles draw from it). */
  rng: Rng;
}

export interface GrpoStepResult<Input> {
  rollouts: Rollout<Input>[];
  /** Apply with your optimizer, then dispose `gradients.grads`. */
  gradients: GrpoGradients;
  /** `stepMetrics` plus `kl`, `clip_ratio` and `loss`. */
  metrics: StepMetrics;
}

/** `rollouts` → `grpoGradients` → `stepMetrics`, for one optimizer step. */
export async function grpoStep<Input>(input: GrpoStepInput<Input>): Promise<GrpoStepResult<Input>> {
  const groups = await sampleRollouts(input.policy, input.prompts, input.settings, input.rng);
  const gradients = grpoGradients(input.policy, input.reference, groups, input.loss);
  return {
    rollouts: groups,
    gradients,
    metrics: { ...stepMetrics(groups, input.settings.rewardFuncs), kl: gradients.kl, clip_ratio: gradients.clipRatio, loss: gradients.loss },
  };
}

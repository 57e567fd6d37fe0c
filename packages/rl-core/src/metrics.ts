// The per-step metrics of a GRPO / T-GRPO step under the names Video-R1's trainer logs
// (`rewards/<func>`, `reward`, `reward_std`, `completion_length`, `kl`, `clip_ratio`,
// `temporal_rewards`), plus like-for-like accuracy splits that make T-GRPO readable.
import type { Rollout } from './rollouts.js';

export type StepMetrics = Record<string, number | null>;

const mean = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0) / values.length;

/**
 * Metrics of one step's rollouts:
 * - `rewards/<name>`: mean of each reward function over the completions (before bonuses);
 * - `reward`, `reward_std` (mean over prompts of the group's unbiased std), `completion_length`;
 * - `all_wrong` / `all_correct`: share of prompts whose every total reward is ≤ 1 / ≥ 2 (Video-R1's thresholds);
 * - `temporal_rewards`: share of T-GRPO prompts whose bonus was granted (null when none had the
 *   rule; Video-R1 logs a 0.5 placeholder there);
 * - `rewards/<accuracy>_shuffled` and `_ordered`: the shuffled-frame accuracy and the ordered
 *   accuracy of those same (video) prompts; `rewards/<accuracy>_video` / `_image` by media kind
 *   (null when the step has none). `<accuracy>` is the first reward function.
 */
export function stepMetrics(rollouts: readonly Rollout[], rewardFuncs: readonly string[]): StepMetrics {
  if (rollouts.length === 0) throw new Error('stepMetrics: no rollouts; a step has at least one prompt.');
  const all = <T>(pick: (r: Rollout) => readonly T[]) => rollouts.flatMap((r) => pick(r));
  const out: StepMetrics = {};
  for (const name of rewardFuncs) out[`rewards/${name}`] = mean(all((r) => r.rewardsPerFunc[name] as number[]));
  out['reward'] = mean(all((r) => r.rewards));
  out['reward_std'] = mean(rollouts.map((r) => r.rewardStd));
  out['completion_length'] = mean(all((r) => r.lengths));
  out['all_wrong'] = mean(rollouts.map((r) => (r.rewards.every((x) => x <= 1) ? 1 : 0)));
  out['all_correct'] = mean(rollouts.map((r) => (r.rewards.every((x) => x >= 2) ? 1 : 0)));
  const temporal = rollouts.filter((r) => r.temporalApplied !== null);
  out['temporal_rewards'] = temporal.length === 0 ? null : mean(temporal.map((r) => (r.temporalApplied ? 1 : 0)));
  const accuracyName = rewardFuncs[0] as string;
  const accuracyOf = (r: Rollout) => r.rewardsPerFunc[accuracyName] as number[];
  const shuffled = rollouts.filter((r) => r.shuffledAccuracy !== null);
  out[`rewards/${accuracyName}_shuffled`] = shuffled.length === 0 ? null : mean(shuffled.flatMap((r) => r.shuffledAccuracy as number[]));
  out[`rewards/${accuracyName}_ordered`] = shuffled.length === 0 ? null : mean(shuffled.flatMap(accuracyOf));
  for (const kind of ['video', 'image'] as const) {
    const of = rollouts.filter((r) => mediaKindOf(r) === kind);
    out[`rewards/${accuracyName}_${kind}`] = of.length === 0 ? null : mean(of.flatMap(accuracyOf));
  }
  return out;
}

function mediaKindOf(rollout: Rollout): 'video' | 'image' | null {
  const { prompt } = rollout.prompt;
  if (prompt.mediaKind !== undefined && prompt.mediaKind !== null) return prompt.mediaKind;
  if (prompt.frames === null) return null;
  return prompt.frames.frames > 1 ? 'video' : 'image';
}

// One prompt's GRPO / T-GRPO group, as Video-R1's compute_loss builds it: sample the group on the
// ordered frames, (T-GRPO, videos only) half as many on shuffled frames, score both with the reward
// registry, assemble the rewards with the temporal and length bonuses, normalise within the group.
import { type Policy, type PolicyInput, generate } from '@video-r1/policy';
import { getRewardFunction } from '@video-r1/rewards';
import { groupAdvantages, videoR1Rewards } from '@video-r1/rl-core';
import { type CachedFrames, type Rng, shuffleFrames } from '@video-r1/video-io';
import type { Algo, LengthControlConfig, TemporalConfig } from '../config/types.js';
import type { Sample } from '../data/dataset.js';

export interface RolloutSettings {
  algo: Algo;
  numGenerations: number;
  temperature: number;
  topP: number;
  maxCompletionLength: number;
  /** Reward registry names; the first is the accuracy reward the temporal and length rules look at. */
  rewardFuncs: readonly string[];
  lengthControl: Omit<LengthControlConfig, 'minLength' | 'maxLength'> & { minLength: number; maxLength: number };
  temporal: TemporalConfig;
}

export interface Rollout {
  sample: Sample;
  input: PolicyInput;
  /** Generated ids per completion (ending with EOS when it finished). */
  completions: number[][];
  texts: string[];
  /** Completion tokens up to and including the first EOS (the completion mask's row sums). */
  lengths: number[];
  /** Each reward function's score per completion (before any bonus), by registry name. */
  rewardsPerFunc: Record<string, number[]>;
  /** Accuracy of the completions sampled on shuffled frames (T-GRPO, videos); null otherwise. */
  shuffledAccuracy: number[] | null;
  /** Total reward per completion: the sum of the reward functions plus the temporal and length bonuses. */
  rewards: number[];
  advantages: number[];
  /** T-GRPO outcome for this prompt; null when the rule did not run (GRPO, or an image). */
  temporalApplied: boolean | null;
  /** Unbiased std of the group's rewards (Video-R1's reward_std). */
  rewardStd: number;
  /** Tokens generated, shuffled group included (for tokens/second). */
  generatedTokens: number;
}

function unbiasedStd(values: readonly number[]): number {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1));
}

function scoreAll(names: readonly string[], texts: string[], sample: Sample): Record<string, number[]> {
  const batch = { completions: texts, solutions: texts.map(() => sample.solution), problemTypes: texts.map(() => sample.problemType) };
  return Object.fromEntries(names.map((name) => [name, getRewardFunction(name)(batch)]));
}

export interface RolloutItem {
  sample: Sample;
  frames: CachedFrames;
}

/** A contiguous slice of a generate() result: the group of input `index` (sequences are input-major). */
function groupOf<T>(values: readonly T[], index: number, size: number): T[] {
  return values.slice(index * size, (index + 1) * size);
}

/**
 * The groups of all prompts of one step. Generation is batched over the prompts (one `generate`
 * for the ordered frames, one for the shuffled ones), which is what makes a multi-prompt step cheap.
 */
export function rollouts(policy: Policy, items: readonly RolloutItem[], settings: RolloutSettings, rng: Rng): Rollout[] {
  const G = settings.numGenerations;
  const decoding = { maxNewTokens: settings.maxCompletionLength, temperature: settings.temperature, topP: settings.topP, rng };
  const inputs: PolicyInput[] = items.map(({ sample, frames }) => ({ prompt: sample.trainPrompt, frames }));
  const ordered = generate(policy, inputs, { ...decoding, numSamples: G });

  // T-GRPO: half as many completions on a shuffled copy of each video's frames (images have no order).
  const temporalIndices = items.flatMap((item, i) => (settings.algo === 'tgrpo' && item.sample.dataType === 'video' && item.frames.frames > 1 ? [i] : []));
  const half = Math.floor(G / 2);
  const shuffledInputs: PolicyInput[] = temporalIndices.map((i) => ({ prompt: items[i]!.sample.trainPrompt, frames: shuffleFrames(items[i]!.frames, rng) }));
  const shuffled = shuffledInputs.length > 0 ? generate(policy, shuffledInputs, { ...decoding, numSamples: half }) : null;

  const accuracyName = settings.rewardFuncs[0]!;
  const { lengthControl, temporal } = settings;
  return items.map(({ sample }, i) => {
    const texts = groupOf(ordered.texts, i, G);
    const lengths = groupOf(ordered.lengths, i, G);
    const rewardsPerFunc = scoreAll(settings.rewardFuncs, texts, sample);
    // Every reward function after the first is summed into videoR1Rewards' `format` slot: the total
    // is the same sum over reward functions as Video-R1's `rewards_per_func.sum(dim=1)`.
    const others = texts.map((_, k) => settings.rewardFuncs.slice(1).reduce((sum, name) => sum + rewardsPerFunc[name]![k]!, 0));
    const t = temporalIndices.indexOf(i);
    const shuffledTexts = t >= 0 && shuffled ? groupOf(shuffled.texts, t, half) : null;
    const shuffledAccuracy = shuffledTexts ? scoreAll([accuracyName], shuffledTexts, sample)[accuracyName]! : null;
    const assembled = videoR1Rewards({
      accuracy: rewardsPerFunc[accuracyName]!,
      format: others,
      ...(shuffledAccuracy !== null && { shuffledAccuracy }),
      lengths,
      temporal: settings.algo === 'tgrpo',
      lenControl: lengthControl.enabled,
      alpha: temporal.bonus,
      mu: temporal.ratio,
      minLength: lengthControl.minLength,
      maxLength: lengthControl.maxLength,
      bonus: lengthControl.bonus,
    });
    const shuffledTokens = t >= 0 && shuffled ? groupOf(shuffled.lengths, t, half).reduce((a, b) => a + b, 0) : 0;
    return {
      sample,
      input: inputs[i]!,
      completions: groupOf(ordered.ids, i, G),
      texts,
      lengths,
      rewardsPerFunc,
      shuffledAccuracy,
      rewards: assembled.rewards,
      advantages: groupAdvantages(assembled.rewards, G),
      temporalApplied: assembled.temporalApplied,
      rewardStd: unbiasedStd(assembled.rewards),
      generatedTokens: lengths.reduce((a, b) => a + b, 0) + shuffledTokens,
    };
  });
}

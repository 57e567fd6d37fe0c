// The GRPO / T-GRPO groups of one step, as Video-R1's compute_loss builds them, for any
// `VisionLanguageModel`: sample G completions per prompt on the ordered frames, (T-GRPO, videos
// only) G/2 more on shuffled frames, score both with reward functions by name, assemble the
// rewards with the temporal and length bonuses, normalise within each group.
import type { ModelPrompt, VisionLanguageModel } from '@video-r1/model-api';
import { getRewardFunction } from '@video-r1/rewards';
import type { Rng } from '@video-r1/tensor';
import { shuffleFrames } from '@video-r1/video-io';

import { groupAdvantages, groupRewards } from './rewards.js';

export type GrpoAlgorithm = 'grpo' | 'tgrpo';

/** One training question: what the model sees, and what the reward functions score against. */
export interface GrpoPrompt {
  /** Names the prompt in logs and metrics (`prompts`). */
  id: string;
  /** Text and frames; `mediaKind: 'video'` with more than one frame makes it eligible for T-GRPO's shuffled group. */
  prompt: ModelPrompt;
  solution: string;
  /** Video-R1's `problem_type` (`multiple choice`, `numerical`, `OCR`, `free-form`, `regression`). */
  problemType: string;
}

export interface RolloutSettings {
  /** T-GRPO adds the shuffled-frames group and the temporal bonus. */
  algo: GrpoAlgorithm;
  /** G: completions per prompt on the ordered frames (T-GRPO adds ⌊G/2⌋ on shuffled frames). */
  numGenerations: number;
  temperature: number;
  topP: number;
  /** Token cap per completion (EOS included). */
  maxCompletionLength: number;
  /** Reward functions of @video-r1/rewards by name, in order; the first is the accuracy reward the temporal and length rules read. */
  rewardFuncs: readonly string[];
  lengthControl: { enabled: boolean; minLength: number; maxLength: number; bonus: number };
  /** T-GRPO: bonus when acc(ordered) ≥ ratio · acc(shuffled) (Video-R1: ratio 0.8, bonus 0.3). */
  temporal: { ratio: number; bonus: number };
}

export interface Rollout<Input = unknown> {
  prompt: GrpoPrompt;
  /** The model's encoding of the ordered prompt; every completion of the group shares it. */
  input: Input;
  /** Generated ids per completion (ending with EOS when it finished). */
  completions: number[][];
  texts: string[];
  /** Completion tokens (the completion mask's row sums when the completion ends with its first EOS). */
  lengths: number[];
  /** Each reward function's score per completion (before any bonus), by registry name. */
  rewardsPerFunc: Record<string, number[]>;
  /** Accuracy of the completions sampled on shuffled frames (T-GRPO, videos); null otherwise. */
  shuffledAccuracy: number[] | null;
  /** Total reward per completion: the reward functions summed, plus the temporal and length bonuses. */
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

function scoreAll(names: readonly string[], texts: readonly string[], prompt: GrpoPrompt): Record<string, number[]> {
  const batch = { completions: texts, solutions: texts.map(() => prompt.solution), problemTypes: texts.map(() => prompt.problemType) };
  return Object.fromEntries(names.map((name) => [name, getRewardFunction(name)(batch)]));
}

/** A contiguous slice of an input-major batch: the group of input `index`. */
function groupOf<T>(values: readonly T[], index: number, size: number): T[] {
  return values.slice(index * size, (index + 1) * size);
}

/** Whether T-GRPO gives this prompt a shuffled group: a video of more than one frame (images have no order). */
export function hasFrameOrder(prompt: ModelPrompt): boolean {
  const frames = prompt.frames;
  if (frames === null || frames.frames <= 1) return false;
  return (prompt.mediaKind ?? 'video') === 'video';
}

function checkSettings(settings: RolloutSettings): void {
  const G = settings.numGenerations;
  if (!Number.isInteger(G) || G < 2) throw new Error(`rollouts: numGenerations must be an integer ≥ 2 (a group needs a baseline), got ${G}.`);
  if (settings.algo !== 'grpo' && settings.algo !== 'tgrpo') throw new Error(`rollouts: algo must be 'grpo' or 'tgrpo', got ${JSON.stringify(settings.algo)}.`);
  if (settings.rewardFuncs.length === 0) throw new Error('rollouts: rewardFuncs is empty; list at least the accuracy reward.');
  for (const name of settings.rewardFuncs) getRewardFunction(name);
}

/**
 * The groups of all prompts of one step. Sampling is batched over the prompts: one `sample` for
 * the ordered frames, then (T-GRPO) every eligible video's frames are shuffled with `rng`, in
 * prompt order, and one `sample` runs on those. `rng` is drawn in exactly that order, so a seed
 * reproduces the step.
 */
export async function rollouts<Input>(
  model: VisionLanguageModel<Input>,
  prompts: readonly GrpoPrompt[],
  settings: RolloutSettings,
  rng: Rng,
): Promise<Rollout<Input>[]> {
  checkSettings(settings);
  const G = settings.numGenerations;
  const sampling = { maxNewTokens: settings.maxCompletionLength, temperature: settings.temperature, topP: settings.topP, rng };
  const inputs = prompts.map((p) => model.encode(p.prompt));
  const ordered = await model.sample(inputs, { ...sampling, numSamples: G });

  // T-GRPO: half as many completions on a shuffled copy of each video's frames.
  const temporalIndices = prompts.flatMap((p, i) => (settings.algo === 'tgrpo' && hasFrameOrder(p.prompt) ? [i] : []));
  const half = Math.floor(G / 2);
  const shuffledInputs = temporalIndices.map((i) => {
    const { prompt } = prompts[i] as GrpoPrompt;
    return model.encode({ ...prompt, frames: shuffleFrames(prompt.frames!, rng) });
  });
  const shuffled = shuffledInputs.length > 0 ? await model.sample(shuffledInputs, { ...sampling, numSamples: half }) : null;

  const accuracyName = settings.rewardFuncs[0] as string;
  const { lengthControl, temporal } = settings;
  return prompts.map((prompt, i) => {
    const texts = groupOf(ordered.texts, i, G);
    const lengths = groupOf(ordered.lengths, i, G);
    const rewardsPerFunc = scoreAll(settings.rewardFuncs, texts, prompt);
    const t = temporalIndices.indexOf(i);
    const shuffledTexts = t >= 0 && shuffled ? groupOf(shuffled.texts, t, half) : null;
    const shuffledAccuracy = shuffledTexts ? (scoreAll([accuracyName], shuffledTexts, prompt)[accuracyName] as number[]) : null;
    const assembled = groupRewards({
      perFunction: settings.rewardFuncs.map((name) => rewardsPerFunc[name] as number[]),
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
      prompt,
      input: inputs[i] as Input,
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

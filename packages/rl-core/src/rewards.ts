// Reward assembly of Video-R1 (grpo_trainer.py, compute_loss): temporal bonus (T-GRPO),
// length bonus, group-normalised advantages. Plain numbers, no tensors.
//
// The reference runs these on float32 tensors and compares them with Python floats,
// which PyTorch casts to float32 first. Comparisons here round both sides to float32
// (Math.fround) so that boundary cases (a mean exactly at mu × the shuffled mean, an
// accuracy exactly at the threshold) decide the same way; arithmetic stays in float64.

const f32 = Math.fround;

function checkFinite(name: string, values: readonly number[]): void {
  if (!Array.isArray(values)) throw new Error(`${name} must be an array of numbers.`);
  values.forEach((x, i) => {
    if (typeof x !== 'number' || !Number.isFinite(x)) {
      throw new Error(`${name}[${i}] is ${String(x)}; every entry must be a finite number.`);
    }
  });
}

/** Mean in float32 arithmetic, as `torch.tensor(values).mean()` for short vectors. */
function meanF32(values: readonly number[]): number {
  let sum = 0;
  for (const x of values) sum = f32(sum + f32(x));
  return f32(sum / values.length);
}

export interface GroupAdvantageOptions {
  /**
   * Guarded mode. The reference divides by an unbiased std, which is NaN for a group of
   * one; with `nanGuard: true` such a group gets advantage 0 (no baseline, so no signal)
   * instead of NaN. Default false (reference behaviour).
   */
  nanGuard?: boolean;
}

/**
 * GRPO advantages: `(r − mean(group)) / (std(group) + 1e-4)` with the unbiased (Bessel)
 * std, over consecutive groups of `groupSize` rewards (Video-R1 / TRL `scale_rewards=True`).
 */
export function groupAdvantages(
  rewards: readonly number[],
  groupSize: number,
  options: GroupAdvantageOptions = {},
): number[] {
  checkFinite('rewards', rewards);
  if (!Number.isInteger(groupSize) || groupSize < 1) {
    throw new Error(`groupSize must be a positive integer, got ${groupSize}.`);
  }
  if (rewards.length % groupSize !== 0) {
    throw new Error(
      `rewards has ${rewards.length} entries, not a multiple of groupSize ${groupSize}; ` +
        'pass the rewards of whole prompt groups, each group contiguous.',
    );
  }
  const out = new Array<number>(rewards.length);
  for (let start = 0; start < rewards.length; start += groupSize) {
    const group = rewards.slice(start, start + groupSize);
    if (groupSize === 1) {
      out[start] = options.nanGuard ? 0 : Number.NaN;
      continue;
    }
    const mean = group.reduce((a, b) => a + b, 0) / groupSize;
    const variance = group.reduce((a, r) => a + (r - mean) ** 2, 0) / (groupSize - 1);
    const denominator = Math.sqrt(variance) + 1e-4;
    group.forEach((r, i) => {
      out[start + i] = (r - mean) / denominator;
    });
  }
  return out;
}

export interface TemporalRewardInput {
  /** Accuracy rewards of the group's completions on the ordered frames. */
  accuracy: readonly number[];
  /** Accuracy rewards of completions generated from the shuffled frames. */
  shuffledAccuracy: readonly number[];
  /** Bonus added to each accuracy above `threshold` (default 0.3). */
  alpha?: number;
  /** Ordered mean must reach `mu` × shuffled mean (default 0.8, Video-R1; its author meant 1.0). */
  mu?: number;
  /** Accuracies strictly above this get the bonus (default 0.1). */
  threshold?: number;
}

export interface TemporalRewardResult {
  accuracy: number[];
  /** Whether the ordered frames did at least `mu` times as well as the shuffled ones. */
  applied: boolean;
}

/**
 * T-GRPO for one prompt group: when `mean(accuracy) ≥ mu · mean(shuffledAccuracy)`,
 * every accuracy above `threshold` gets `+alpha`.
 *
 * Video-R1 takes both means over its whole per-device batch, which is one group because
 * its batch size is 1; call this once per prompt group to keep larger batches correct.
 */
export function temporalRewards(input: TemporalRewardInput): TemporalRewardResult {
  const { accuracy, shuffledAccuracy, alpha = 0.3, mu = 0.8, threshold = 0.1 } = input;
  checkFinite('accuracy', accuracy);
  checkFinite('shuffledAccuracy', shuffledAccuracy);
  if (accuracy.length === 0) throw new Error('accuracy is empty; pass the rewards of at least one completion.');
  if (shuffledAccuracy.length === 0) {
    throw new Error('shuffledAccuracy is empty; for image prompts (no shuffled frames) skip the temporal rule.');
  }
  checkFinite('alpha/mu/threshold', [alpha, mu, threshold]);
  const applied = meanF32(accuracy) >= f32(f32(mu) * meanF32(shuffledAccuracy));
  return {
    accuracy: accuracy.map((a) => (applied && f32(a) > f32(threshold) ? a + alpha : a)),
    applied,
  };
}

export interface LengthBonusInput {
  accuracy: readonly number[];
  /** Completion lengths in tokens (the completion mask's row sums). */
  lengths: readonly number[];
  minLength?: number;
  maxLength?: number;
  bonus?: number;
  threshold?: number;
}

/**
 * Video-R1's `len_control`: only when more than one completion has accuracy above
 * `threshold`, each of those whose length lies in [minLength, maxLength] (inclusive)
 * gets `bonus`. Returns the bonus per completion (0 or `bonus`).
 */
export function lengthBonus(input: LengthBonusInput): number[] {
  const { accuracy, lengths, minLength = 320, maxLength = 512, bonus = 0.2, threshold = 0.1 } = input;
  checkFinite('accuracy', accuracy);
  checkFinite('lengths', lengths);
  if (lengths.length !== accuracy.length) {
    throw new Error(`lengths has ${lengths.length} entries but accuracy has ${accuracy.length}; give one per completion.`);
  }
  checkFinite('minLength/maxLength/bonus/threshold', [minLength, maxLength, bonus, threshold]);
  const correct = accuracy.map((a) => f32(a) > f32(threshold));
  const enough = correct.filter(Boolean).length > 1;
  return accuracy.map((_, i) =>
    enough && correct[i] && (lengths[i] as number) >= minLength && (lengths[i] as number) <= maxLength ? bonus : 0,
  );
}

/** The temporal (T-GRPO) and length rules' settings, shared by `groupRewards` and `videoR1Rewards`. */
interface RewardRuleOptions {
  /** Apply T-GRPO when `shuffledAccuracy` is given (default true, as Video-R1's scripts). */
  temporal?: boolean;
  /** Apply the length bonus (default true, as Video-R1's scripts). */
  lenControl?: boolean;
  alpha?: number;
  mu?: number;
  /** Accuracy threshold of both rules (Video-R1 uses 0.1 for both). */
  threshold?: number;
  minLength?: number;
  maxLength?: number;
  bonus?: number;
}

export interface GroupRewardInput extends RewardRuleOptions {
  /**
   * Each reward function's score per completion, in the order the functions are listed
   * (Video-R1's `rewards_per_func` columns). The first is the accuracy reward that the temporal
   * and length rules read (Video-R1's `rewards_per_func[:, 0]`); every one is kept separately.
   */
  perFunction: readonly (readonly number[])[];
  /** Accuracy (first function) of the completions on shuffled frames; absent for image prompts (no temporal rule). */
  shuffledAccuracy?: readonly number[];
  lengths: readonly number[];
}

export interface GroupRewardResult {
  /** Total reward per completion: the reward functions summed, plus the temporal and length bonuses. */
  rewards: number[];
  /** The first function's scores after the temporal bonus (Video-R1's updated `rewards_per_func[:, 0]`). */
  accuracy: number[];
  /** Length bonus per completion (0 or `bonus`). */
  lengthBonus: number[];
  /** T-GRPO outcome; null when the rule was not used (off, or no shuffled frames). */
  temporalApplied: boolean | null;
}

/**
 * The whole reward of one prompt's group, in Video-R1's order, for any number of reward
 * functions: `accuracy (+alpha when T-GRPO applies) + Σ other functions (+bonus from
 * len_control)`, where both rules look at the first function's scores before the temporal
 * bonus. The other functions are summed left to right, then added to the accuracy.
 */
export function groupRewards(input: GroupRewardInput): GroupRewardResult {
  const { perFunction, shuffledAccuracy, lengths, temporal = true, lenControl = true } = input;
  if (!Array.isArray(perFunction) || perFunction.length === 0) {
    throw new Error('perFunction must list the scores of at least one reward function (the first is the accuracy reward).');
  }
  const accuracy = perFunction[0] as readonly number[];
  perFunction.forEach((scores, k) => {
    checkFinite(`perFunction[${k}]`, scores);
    if (scores.length !== accuracy.length) {
      throw new Error(`perFunction[${k}] has ${scores.length} entries but perFunction[0] has ${accuracy.length}; give one per completion.`);
    }
  });
  let adjusted: readonly number[] = accuracy;
  let temporalApplied: boolean | null = null;
  if (temporal && shuffledAccuracy !== undefined) {
    const t = temporalRewards({
      accuracy,
      shuffledAccuracy,
      ...(input.alpha !== undefined && { alpha: input.alpha }),
      ...(input.mu !== undefined && { mu: input.mu }),
      ...(input.threshold !== undefined && { threshold: input.threshold }),
    });
    adjusted = t.accuracy;
    temporalApplied = t.applied;
  }
  const bonuses = lenControl
    ? lengthBonus({
        accuracy,
        lengths,
        ...(input.minLength !== undefined && { minLength: input.minLength }),
        ...(input.maxLength !== undefined && { maxLength: input.maxLength }),
        ...(input.bonus !== undefined && { bonus: input.bonus }),
        ...(input.threshold !== undefined && { threshold: input.threshold }),
      })
    : accuracy.map(() => 0);
  const others = accuracy.map((_, i) => perFunction.slice(1).reduce((sum, scores) => sum + (scores[i] as number), 0));
  return {
    rewards: adjusted.map((a, i) => a + (others[i] as number) + (bonuses[i] as number)),
    accuracy: [...adjusted],
    lengthBonus: bonuses,
    temporalApplied,
  };
}

export interface VideoR1RewardInput extends RewardRuleOptions {
  accuracy: readonly number[];
  format: readonly number[];
  /** Accuracy on shuffled frames; absent for image prompts (no temporal rule). */
  shuffledAccuracy?: readonly number[];
  lengths: readonly number[];
}

export interface VideoR1RewardResult {
  rewards: number[];
  /** T-GRPO outcome; null when the rule was not used (off, or no shuffled frames). */
  temporalApplied: boolean | null;
}

/**
 * Video-R1's two reward functions (accuracy, format) assembled by `groupRewards`:
 * `accuracy (+alpha when T-GRPO applies) + format (+bonus from len_control)`. For more
 * functions, call `groupRewards` with all of them.
 */
export function videoR1Rewards(input: VideoR1RewardInput): VideoR1RewardResult {
  const { accuracy, format, ...rest } = input;
  checkFinite('accuracy', accuracy);
  checkFinite('format', format);
  if (format.length !== accuracy.length) {
    throw new Error(`format has ${format.length} entries but accuracy has ${accuracy.length}; give one per completion.`);
  }
  const { rewards, temporalApplied } = groupRewards({ ...rest, perFunction: [accuracy, format] });
  return { rewards, temporalApplied };
}

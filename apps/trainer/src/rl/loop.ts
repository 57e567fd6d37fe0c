import type { AdamOptimizer, Policy } from '@video-r1/policy';
import type { TrainerConfig } from '../config/types.js';
import type { Sample } from '../data/dataset.js';
import type { MediaSource } from '../data/media.js';
import type { MetricRecord, MetricsWriter } from '../run/metrics.js';
import type { Progress } from '../run/progress.js';
import { learningRate, SampleOrder, stepRng, warmupSteps } from '../run/schedule.js';
import { StoppedBySignal, type StopRequest } from '../run/signals.js';
import { policyGradients } from './loss.js';
import { type Rollout, type RolloutItem, rollouts as runRollouts, type RolloutSettings } from './rollout.js';

/** Where the loop is: steps done and the next position in the sample stream. */
export interface RlPosition {
  step: number;
  cursor: number;
  /** Samples skipped so far because their media could not be read. */
  skippedSamples: number;
}

export interface RlLoopContext {
  config: TrainerConfig;
  policy: Policy;
  reference: Policy;
  /** AdamW with gradient clipping; it refuses non-finite losses and gradients (the NaN guard). */
  optimizer: AdamOptimizer;
  train: readonly Sample[];
  media: MediaSource;
  settings: RolloutSettings;
  metrics: MetricsWriter;
  progress: Progress;
  stop: StopRequest;
  log: (line: string) => void;
  /** Validation accuracy of the current policy (called every `schedule.validateEvery` steps). */
  validate: (step: number) => Promise<number>;
  save: (position: RlPosition) => Promise<void>;
}

const mean = (values: readonly number[]) => values.reduce((a, b) => a + b, 0) / values.length;

/** Video-R1's per-step metrics (names as its trainer logs them) plus the run's own. */
export function rolloutMetrics(rollouts: readonly Rollout[], rewardFuncs: readonly string[]): Record<string, number | null> {
  const all = <T>(pick: (r: Rollout) => readonly T[]) => rollouts.flatMap((r) => pick(r));
  const out: Record<string, number | null> = {};
  for (const name of rewardFuncs) out[`rewards/${name}`] = mean(all((r) => r.rewardsPerFunc[name]!));
  out['reward'] = mean(all((r) => r.rewards));
  out['reward_std'] = mean(rollouts.map((r) => r.rewardStd));
  out['completion_length'] = mean(all((r) => r.lengths));
  // Video-R1's thresholds on the summed reward: ≤ 1 everywhere is all wrong, ≥ 2 everywhere all correct.
  out['all_wrong'] = mean(rollouts.map((r) => (r.rewards.every((x) => x <= 1) ? 1 : 0)));
  out['all_correct'] = mean(rollouts.map((r) => (r.rewards.every((x) => x >= 2) ? 1 : 0)));
  // 1 when the temporal bonus was granted, 0 when refused; prompts without the rule (images, GRPO)
  // are left out (Video-R1 logs a 0.5 placeholder for them).
  const temporal = rollouts.filter((r) => r.temporalApplied !== null);
  out['temporal_rewards'] = temporal.length === 0 ? null : mean(temporal.map((r) => (r.temporalApplied ? 1 : 0)));
  // The shuffled-frame groups exist for videos only: the like-for-like comparison is the ordered
  // accuracy of those same prompts, not `rewards/<accuracy>` (which also counts the images).
  const accuracyName = rewardFuncs[0]!;
  const shuffled = rollouts.filter((r) => r.shuffledAccuracy !== null);
  out['rewards/accuracy_shuffled'] = shuffled.length === 0 ? null : mean(shuffled.flatMap((r) => r.shuffledAccuracy!));
  out['rewards/accuracy_ordered'] = shuffled.length === 0 ? null : mean(shuffled.flatMap((r) => r.rewardsPerFunc[accuracyName]!));
  for (const type of ['video', 'image'] as const) {
    const of = rollouts.filter((r) => r.sample.dataType === type);
    out[`rewards/${accuracyName}_${type}`] = of.length === 0 ? null : mean(of.flatMap((r) => r.rewardsPerFunc[accuracyName]!));
  }
  return out;
}

/** RL steps `position.step + 1 … config.rl.steps`, one optimizer update per step. */
export async function runRl(ctx: RlLoopContext, start: RlPosition): Promise<RlPosition> {
  const { config, policy, reference, optimizer, progress, stop } = ctx;
  const { rl, schedule } = config;
  const order = new SampleOrder(ctx.train.length, config.seed);
  const position = { ...start };
  progress.start(`RL (${rl.algo === 'tgrpo' ? 'T-GRPO' : 'GRPO'})`, rl.steps, position.step);
  while (position.step < rl.steps) {
    const step = position.step + 1;
    const began = performance.now();
    const rng = stepRng(config.seed, 'rl', step);
    const items: RolloutItem[] = [];
    let skipped = 0;
    while (items.length < rl.promptsPerStep) {
      if (skipped >= ctx.train.length) throw new Error('no training sample has readable media: every video/image failed to decode');
      const sample = ctx.train[order.at(position.cursor)]!;
      position.cursor += 1;
      const frames = await ctx.media.frames(sample);
      if (frames === null) {
        skipped += 1;
        continue;
      }
      items.push({ sample, frames });
    }
    const rollouts: Rollout[] = runRollouts(policy, items, ctx.settings, rng);
    position.skippedSamples += skipped;
    const lr = learningRate(rl.lrSchedule, rl.lr, step, rl.steps, warmupSteps(rl.warmupRatio, rl.steps));
    const poison = config.debug.nanLossAtSteps.includes(step);
    const gradients = policyGradients(policy, reference, rollouts, rl.beta, poison);
    let update;
    try {
      update = optimizer.applyGradients(
        policy.variables.map((v) => gradients.grads[v.name]!),
        { learningRate: lr, loss: gradients.loss },
      );
    } finally {
      for (const g of Object.values(gradients.grads)) g.dispose();
    }
    if (!update.applied) {
      const why = update.skipped === 'non-finite-loss' ? `loss is ${gradients.loss}` : `gradient norm is ${update.gradNorm}`;
      progress.log(`warning: RL step ${step}: ${why}; update skipped (weights and optimizer unchanged), run continues`);
    }
    const seconds = (performance.now() - began) / 1000;
    const generated = rollouts.reduce((a, r) => a + r.generatedTokens, 0);
    const record: MetricRecord = {
      step,
      stage: 'rl',
      ...rolloutMetrics(rollouts, rl.rewardFuncs),
      kl: gradients.kl,
      clip_ratio: gradients.clipRatio,
      loss: gradients.loss,
      grad_norm: update.gradNorm,
      learning_rate: lr,
      update_skipped: !update.applied,
      grad_clipped: update.clipped,
      skipped_samples: skipped,
      skipped_samples_total: position.skippedSamples,
      prompts: rollouts.map((r) => r.sample.id).join(' '),
      step_time: seconds,
      tokens_per_second: generated / seconds,
    };
    if (schedule.validateEvery > 0 && step % schedule.validateEvery === 0) {
      record['val_accuracy'] = await ctx.validate(step);
    }
    ctx.metrics.write(record);
    position.step = step;
    const accuracy = record[`rewards/${rl.rewardFuncs[0]}`] as number;
    progress.update(step, { status: `reward ${(record['reward'] as number).toFixed(2)} acc ${accuracy.toFixed(2)}` });
    if (step % schedule.checkpointEvery === 0 || step === rl.steps || stop.requested) await ctx.save({ ...position });
    if (stop.requested) throw new StoppedBySignal(stop.requested, stop.exitCode);
    // Yield to the event loop so SIGINT/SIGTERM handlers run between steps.
    await new Promise((resolve) => setImmediate(resolve));
  }
  progress.stop();
  return position;
}

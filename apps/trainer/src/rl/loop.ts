import { type AdamOptimizer, type Policy, policyModel } from '@video-r1/policy';
import { type GrpoPrompt, grpoStep, type RolloutSettings } from '@video-r1/rl-core';
import { tf } from '@video-r1/tensor';
import type { TrainerConfig } from '../config/types.js';
import type { Sample } from '../data/dataset.js';
import type { MediaSource } from '../data/media.js';
import type { MetricsWriter } from '../run/metrics.js';
import type { Progress } from '@video-r1/cli-kit';
import { learningRate, SampleOrder, stepRng, warmupSteps } from '../run/schedule.js';
import { StoppedBySignal, type StopRequest } from '../run/signals.js';
import { rlStepRecord } from './step-record.js';

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

/** RL steps `position.step + 1 … config.rl.steps`, one optimizer update per step. */
export async function runRl(ctx: RlLoopContext, start: RlPosition): Promise<RlPosition> {
  const { config, policy, reference, optimizer, progress, stop } = ctx;
  const model = policyModel(policy);
  const referenceModel = policyModel(reference);
  const { rl, schedule } = config;
  const order = new SampleOrder(ctx.train.length, config.seed);
  const position = { ...start };
  progress.start(`RL (${rl.algo === 'tgrpo' ? 'T-GRPO' : 'GRPO'})`, rl.steps, position.step);
  while (position.step < rl.steps) {
    const step = position.step + 1;
    const began = performance.now();
    const rng = stepRng(config.seed, 'rl', step);
    const prompts: GrpoPrompt[] = [];
    let skipped = 0;
    while (prompts.length < rl.promptsPerStep) {
      if (skipped >= ctx.train.length) throw new Error('no training sample has readable media: every video/image failed to decode');
      const sample = ctx.train[order.at(position.cursor)]!;
      position.cursor += 1;
      const frames = await ctx.media.frames(sample);
      if (frames === null) {
        skipped += 1;
        continue;
      }
      prompts.push({
        id: sample.id,
        prompt: { text: sample.trainPrompt, frames, mediaKind: sample.dataType, sampleFps: frames.sampleFps },
        solution: sample.solution,
        problemType: sample.problemType,
      });
    }
    position.skippedSamples += skipped;
    // `debug.nanLossAtSteps` poisons the loss: fault injection for the non-finite-loss guard's tests.
    const poison = config.debug.nanLossAtSteps.includes(step);
    const { rollouts, gradients, metrics } = await grpoStep({
      policy: model,
      reference: referenceModel,
      prompts,
      settings: ctx.settings,
      loss: { beta: rl.beta, ...(rl.microBatchSize !== undefined && { microBatchSize: rl.microBatchSize }), ...(poison && { transformLoss: (loss) => tf.mul(loss, Number.NaN) as typeof loss }) },
      rng,
    });
    const lr = learningRate(rl.lrSchedule, rl.lr, step, rl.steps, warmupSteps(rl.warmupRatio, rl.steps));
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
    const record = rlStepRecord({
      step,
      metrics,
      update,
      learningRate: lr,
      skipped,
      skippedTotal: position.skippedSamples,
      promptIds: rollouts.map((r) => r.prompt.id),
      seconds,
      generatedTokens: generated,
    });
    if (schedule.validateEvery > 0 && step % schedule.validateEvery === 0) {
      record['val_accuracy'] = await ctx.validate(step);
    }
    ctx.metrics.write(record);
    position.step = step;
    const accuracy = record[`rewards/${rl.rewardFuncs[0]}`] as number;
    progress.update(step, `reward ${(record['reward'] as number).toFixed(2)} acc ${accuracy.toFixed(2)}`);
    if (step % schedule.checkpointEvery === 0 || step === rl.steps || stop.requested) await ctx.save({ ...position });
    if (stop.requested) throw new StoppedBySignal(stop.requested, stop.exitCode);
    // Yield to the event loop so SIGINT/SIGTERM handlers run between steps.
    await new Promise((resolve) => setImmediate(resolve));
  }
  progress.stop();
  return position;
}

// The run for a Qwen2.5-VL model (config `model.family: "qwen2.5-vl"`): data → the base checkpoint
// (given, or a random tiny one created in the run) → SFT as sft_video.py → SFT evaluation → GRPO /
// T-GRPO through rl-core's step, LoRA adapter trained, the frozen reference being the same weights
// with the adapter switched off → final evaluation → eval.json and the report. Resumable from the
// checkpoints (state, weights or adapter, optimizer moments).
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';

import { formatDuration, formatPercent, writeFileAtomicSync } from '@video-r1/cli-kit';
import { SFT_SYSTEM_MESSAGE, sftTarget } from '@video-r1/datasets';
import type { VisionLanguageModel } from '@video-r1/model-api';
import {
  collateSft,
  createTinyQwenCheckpoint,
  disposeSftBatch,
  optimizerTarget,
  type QwenSftExample,
  QwenVLPolicy,
  ServerRolloutPolicy,
  sftStep,
} from '@video-r1/qwen-vl';
import { type GrpoPrompt, grpoStep, type RolloutSettings } from '@video-r1/rl-core';
import { AdamOptimizer, createRng, fnv1a, selectBackend, shuffled, tf } from '@video-r1/tensor';

import type { TrainerConfig } from '../config/types.js';
import { loadSplits, type Sample, type Splits } from '../data/dataset.js';
import { MediaSource } from '../data/media.js';
import type { AccuracySummary, EvalFile } from '../evaluation/types.js';
import type { PipelineOptions, PipelineResult } from '../pipeline.js';
import { renderRunReport } from '../report/write.js';
import { MetricsWriter, type MetricRecord } from '../run/metrics.js';
import { learningRate, SampleOrder, stepRng, warmupSteps } from '../run/schedule.js';
import { rlStepRecord } from '../rl/step-record.js';
import { StoppedBySignal } from '../run/signals.js';
import { QwenCheckpoints, type QwenTrainingState } from './checkpoints.js';
import { evaluateModel } from './evaluate.js';

const stepName = (stage: 'sft' | 'rl', step: number): string => `${stage}-${String(step).padStart(6, '0')}`;

function corpus(splits: Splits): string[] {
  const texts: string[] = [SFT_SYSTEM_MESSAGE];
  for (const s of [...splits.train, ...splits.sft, ...splits.validation, ...splits.test]) texts.push(s.trainPrompt, s.evalPrompt);
  for (const s of splits.sft) if (typeof s.record.process === 'string') texts.push(sftTarget(s.record));
  return texts;
}

function readJson<T>(file: string): T | null {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as T) : null;
}

/** The base checkpoint: `model.dir`, or a random tiny Qwen2.5-VL written once into `<run>/base`. */
function baseModelDir(config: TrainerConfig, root: string, splits: Splits, log: (line: string) => void): { dir: string; random: boolean } {
  if (typeof config.model.dir === 'string') return { dir: config.model.dir, random: false };
  const dir = path.join(root, 'base');
  if (!existsSync(path.join(dir, 'config.json'))) {
    const tiny = createTinyQwenCheckpoint(dir, { corpus: corpus(splits), seed: config.model.seed ?? config.seed });
    log(`base model: random tiny Qwen2.5-VL (${tiny.parameters.toLocaleString('en-US')} parameters, vocabulary ${tiny.vocabSize}) in ${dir}`);
  }
  return { dir, random: true };
}

export async function runQwenPipeline(options: PipelineOptions): Promise<PipelineResult> {
  const { config, paths, progress, stop } = options;
  const started = performance.now();
  const log = (line: string): void => progress.log(line);
  const metrics = new MetricsWriter(paths.metrics);
  let checkpoints = new QwenCheckpoints(paths, config.schedule.keepCheckpoints);
  const evalsDir = path.join(paths.root, 'evals');
  mkdirSync(evalsDir, { recursive: true });
  const backend = await selectBackend(config.backend, { argumentLabel: '--backend', log });

  const latest = options.resumed ? checkpoints.latest() : null;
  const previousMs = latest?.state.trainingState.elapsedMs ?? 0;
  const elapsedMs = (): number => previousMs + (performance.now() - started);
  if (options.resumed) {
    const t = latest?.state.trainingState;
    const upTo = t === undefined ? null : t.stage === 'sft' ? { stage: 'sft' as const, step: t.step } : t.stage === 'sft-done' ? { stage: 'sft' as const, step: t.sftSteps } : { stage: 'rl' as const, step: t.stage === 'rl' ? t.step : t.rlSteps };
    const kept = metrics.truncateAfter(upTo);
    log(latest ? `resuming ${paths.root} from checkpoint ${latest.name} (${kept.length} metric records kept)` : `resuming ${paths.root}: no checkpoint yet, starting over`);
  } else {
    metrics.truncateAfter(null);
  }

  const splits = await loadSplits(config, log);
  const media = new MediaSource(splits.dataRoot, config.video, options.frameCacheDir, log);
  const all = [...splits.sft, ...splits.train, ...splits.validation, ...splits.test];
  progress.start('decoding frames', all.length);
  await media.preload(all, 2, (done) => progress.update(done));
  progress.stop();

  const base = baseModelDir(config, paths.root, splits, log);
  checkpoints = new QwenCheckpoints(paths, config.schedule.keepCheckpoints, base.dir);
  const adapter = config.model.adapter ?? 'full';
  const benchmark = config.data.source === 'synthetic' ? 'synthetic' : path.basename(splits.testFile);
  const evalMaxNewTokens = config.eval.maxNewTokens === 'auto' ? 64 : config.eval.maxNewTokens;
  const testEval = async (model: VisionLanguageModel<unknown>, name: 'sft' | 'final'): Promise<AccuracySummary> => {
    const file = path.join(evalsDir, `${name}.json`);
    const cached = readJson<AccuracySummary>(file);
    if (cached) return cached;
    const resultsFile = path.join(evalsDir, `${name}-results.json`);
    rmSync(resultsFile, { force: true });
    progress.start(`test eval (${name})`, splits.test.length);
    const result = await evaluateModel(model, splits.test, media, {
      maxNewTokens: evalMaxNewTokens,
      temperature: config.eval.temperature,
      topP: config.eval.topP,
      seed: config.seed * 1000 + 7,
      batchSize: 8,
      template: 'eval',
      benchmark,
      modelName: `${paths.id}/${name}`,
      outputPath: resultsFile,
      maxFrames: config.video.frames,
      maxPixels: config.video.maxPixels,
      onProgress: (done) => progress.update(done),
    });
    progress.stop();
    writeFileAtomicSync(file, `${JSON.stringify(result.summary, null, 2)}\n`);
    log(`test accuracy (${name}): ${formatPercent(result.summary.overall, { sign: true })} over ${result.summary.count} questions`);
    return result.summary;
  };

  // ---- SFT ------------------------------------------------------------------------------------
  let stage: QwenTrainingState = latest?.state.trainingState ?? { stage: 'sft', step: 0, epoch: 0, batch: 0, elapsedMs: 0 };
  if (stage.stage === 'sft' && !config.sft.enabled) stage = { stage: 'sft-done', sftSteps: 0, elapsedMs: elapsedMs() };
  if (stage.stage === 'sft') {
    const policy = latest ? checkpoints.loadPolicy(latest.name) : QwenVLPolicy.load(base.dir);
    // A random model learns everything; a pretrained one through the adapter unless `full`.
    if (!latest && !base.random && adapter !== 'full') policy.model.attachLora({ r: adapter.r, alpha: adapter.alpha, targetModules: adapter.targetModules }, { seed: config.seed });
    const steps = await runQwenSft(config, policy, splits, media, stage, latest ? checkpoints.readOptimizer(latest.name) : null, { metrics, progress, stop, checkpoints, elapsedMs, log });
    if (policy.model.lora !== null) policy.model.mergeLora();
    stage = { stage: 'sft-done', sftSteps: steps, elapsedMs: elapsedMs() };
    await checkpoints.save('sft', policy, null, stage);
    if (config.eval.sft) await testEval(policy, 'sft');
    policy.dispose();
  } else if (!existsSync(checkpoints.sftModelDir)) {
    const policy = QwenVLPolicy.load(base.dir);
    await checkpoints.save('sft', policy, null, { stage: 'sft-done', sftSteps: 0, elapsedMs: elapsedMs() });
    policy.dispose();
  }
  const sftSummary = config.eval.sft ? readJson<AccuracySummary>(path.join(evalsDir, 'sft.json')) : null;

  // ---- RL ---------------------------------------------------------------------------------------
  let policy: QwenVLPolicy;
  if (config.rl.enabled && (stage.stage === 'sft-done' || stage.stage === 'rl')) {
    policy = stage.stage === 'rl' && latest ? checkpoints.loadPolicy(latest.name) : QwenVLPolicy.load(checkpoints.sftModelDir);
    if (stage.stage === 'sft-done' && adapter !== 'full') {
      policy.model.attachLora({ r: adapter.r, alpha: adapter.alpha, targetModules: adapter.targetModules }, { seed: config.seed + 1 });
    }
    const end = await runQwenRl(config, policy, splits, media, stage.stage === 'rl' ? stage : { step: 0, cursor: 0, skippedSamples: 0 }, stage.stage === 'rl' && latest ? checkpoints.readOptimizer(latest.name) : null, {
      metrics,
      progress,
      stop,
      checkpoints,
      elapsedMs,
      log,
      adapterDir: path.join(paths.root, 'rollout-adapters'),
    });
    stage = { stage: 'done', rlSteps: end.step, elapsedMs: elapsedMs() };
    await checkpoints.save('final', policy, null, stage);
  } else {
    policy = latest && stage.stage === 'done' ? checkpoints.loadPolicy(latest.name) : QwenVLPolicy.load(checkpoints.sftModelDir);
  }

  // ---- Final evaluation and report ---------------------------------------------------------------
  const final = await testEval(policy, 'final');
  const evaluation: EvalFile = {
    model: 'final',
    ...final,
    ...(sftSummary && { sft: sftSummary }),
    testSet: splits.testFile,
    skippedSamples: media.failed.size,
    decoding: { maxNewTokens: evalMaxNewTokens, temperature: config.eval.temperature, topP: config.eval.topP },
  };
  writeFileAtomicSync(paths.eval, `${JSON.stringify(evaluation, null, 2)}\n`);
  const wallSeconds = elapsedMs() / 1000;
  await renderRunReport({ config, paths, evaluation, facts: { backend: backend.name, model: base.dir, 'wall time': formatDuration(wallSeconds) }, log });
  policy.dispose();
  return { evaluation, wallSeconds, backend: backend.name };
}

interface StageContext {
  metrics: MetricsWriter;
  progress: PipelineOptions['progress'];
  stop: PipelineOptions['stop'];
  checkpoints: QwenCheckpoints;
  elapsedMs: () => number;
  log: (line: string) => void;
}

async function sftExamples(samples: readonly Sample[], media: MediaSource): Promise<QwenSftExample[]> {
  const out: QwenSftExample[] = [];
  for (const s of samples) {
    const frames = await media.frames(s);
    if (frames === null) continue;
    out.push({
      prompt: { text: s.trainPrompt, frames, mediaKind: s.dataType, sampleFps: frames.sampleFps },
      target: typeof s.record.process === 'string' ? sftTarget(s.record) : s.solution,
      system: SFT_SYSTEM_MESSAGE,
    });
  }
  return out;
}

/**
 * Epochs of shuffled batches; each batch is one optimizer step over micro-batches of one example
 * (sft_video.py: per-device batch 1, gradient accumulation). Returns the steps taken.
 */
async function runQwenSft(
  config: TrainerConfig,
  policy: QwenVLPolicy,
  splits: Splits,
  media: MediaSource,
  resume: Extract<QwenTrainingState, { stage: 'sft' }>,
  optimizerState: ReturnType<QwenCheckpoints['readOptimizer']>,
  ctx: StageContext,
): Promise<number> {
  const examples = await sftExamples(splits.sft, media);
  if (examples.length === 0) throw new Error('SFT: no example has readable media');
  const { sft } = config;
  const batches = Math.ceil(examples.length / sft.batchSize);
  const total = sft.epochs * batches;
  const target = optimizerTarget(policy.model);
  const optimizer = optimizerState ? AdamOptimizer.fromState(target, optimizerState) : new AdamOptimizer(target, { learningRate: sft.lr, maxGradNorm: sft.maxGradNorm });
  const warmup = warmupSteps(sft.warmupRatio, total);
  let { step, epoch, batch } = resume;
  ctx.progress.start('SFT', total, step);
  try {
    for (; epoch < sft.epochs; epoch++, batch = 0) {
      const order = shuffled(
        examples.map((_, i) => i),
        createRng(fnv1a(`${config.seed}/sft-order/${epoch}`)),
      );
      for (; batch < batches; batch++) {
        const began = performance.now();
        const picked = order.slice(batch * sft.batchSize, (batch + 1) * sft.batchSize).map((i) => examples[i]!);
        const micro = picked.map((e) => collateSft(policy.tokenizer, policy.model.config, [e], { mask: sft.loss ?? 'video-r1' }));
        const lr = learningRate('constant', sft.lr, step + 1, total, warmup);
        let update;
        try {
          update = sftStep(policy.model, optimizer, micro, { learningRate: lr });
        } finally {
          micro.forEach(disposeSftBatch);
        }
        step += 1;
        const record: MetricRecord = {
          step,
          stage: 'sft',
          epoch,
          loss: update.loss,
          learning_rate: lr,
          grad_norm: update.gradNorm,
          update_skipped: !update.applied,
          tokens: micro.reduce((s, m) => s + m.lossTokens, 0),
          step_time: (performance.now() - began) / 1000,
        };
        ctx.metrics.write(record);
        ctx.progress.update(step, `loss ${update.loss.toFixed(3)}`);
        if (!update.applied) ctx.progress.log(`warning: SFT step ${step}: ${update.skipped ?? 'skipped'}; update skipped, run continues`);
        const next = batch + 1 === batches ? { epoch: epoch + 1, batch: 0 } : { epoch, batch: batch + 1 };
        if (step % config.schedule.sftCheckpointEvery === 0 || batch + 1 === batches || ctx.stop.requested) {
          await ctx.checkpoints.save(stepName('sft', step), policy, optimizer, { stage: 'sft', step, ...next, elapsedMs: ctx.elapsedMs() });
        }
        if (ctx.stop.requested) throw new StoppedBySignal(ctx.stop.requested, ctx.stop.exitCode);
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    ctx.progress.stop();
    return step;
  } finally {
    optimizer.dispose();
  }
}

type RlPosition = { step: number; cursor: number; skippedSamples: number };

/** RL steps through rl-core's `grpoStep`, one AdamW update each; checkpoints hold the adapter. */
async function runQwenRl(
  config: TrainerConfig,
  policy: QwenVLPolicy,
  splits: Splits,
  media: MediaSource,
  start: RlPosition,
  optimizerState: ReturnType<QwenCheckpoints['readOptimizer']>,
  ctx: StageContext & { adapterDir: string },
): Promise<RlPosition> {
  const { rl, schedule } = config;
  const fullWeights = policy.model.lora === null;
  // The KL reference: the adapter switched off (no second copy); with full fine-tuning, a frozen copy of the SFT model.
  const localReference = fullWeights ? QwenVLPolicy.load(ctx.checkpoints.sftModelDir, { trainable: false }) : policy.reference();
  const rollout = rl.rollout ?? 'local';
  const remote =
    typeof rollout === 'object'
      ? new ServerRolloutPolicy(policy, { baseUrl: rollout.server, baseModel: rollout.baseModel, adapterDir: rollout.adapterDir ?? ctx.adapterDir })
      : null;
  const model: VisionLanguageModel<unknown> = (remote ?? policy) as VisionLanguageModel<unknown>;
  const reference: VisionLanguageModel<unknown> | null =
    rl.beta === 0 ? null : ((remote ? new ServerRolloutPolicy(localReference, remote.options, false) : localReference) as VisionLanguageModel<unknown>);
  const named = policy.model.trainableVariables();
  const target = { names: [...named.keys()], variables: [...named.values()] };
  const optimizer = optimizerState
    ? AdamOptimizer.fromState(target, optimizerState)
    : new AdamOptimizer(target, { learningRate: rl.lr, weightDecay: rl.weightDecay, maxGradNorm: rl.maxGradNorm });
  const maxCompletionLength = rl.maxCompletionLength === 'auto' ? 64 : rl.maxCompletionLength;
  const settings: RolloutSettings = {
    algo: rl.algo,
    numGenerations: rl.numGenerations,
    temperature: rl.temperature,
    topP: rl.topP,
    maxCompletionLength,
    rewardFuncs: rl.rewardFuncs,
    lengthControl: {
      enabled: rl.lengthControl.enabled,
      bonus: rl.lengthControl.bonus,
      minLength: rl.lengthControl.minLength === 'auto' ? Math.round((maxCompletionLength * 320) / 768) : rl.lengthControl.minLength,
      maxLength: rl.lengthControl.maxLength === 'auto' ? Math.round((maxCompletionLength * 512) / 768) : rl.lengthControl.maxLength,
    },
    temporal: rl.temporal,
  };
  const order = new SampleOrder(splits.train.length, config.seed);
  const position = { ...start };
  ctx.progress.start(`RL (${rl.algo === 'tgrpo' ? 'T-GRPO' : 'GRPO'}${remote ? ', server rollouts' : ''})`, rl.steps, position.step);
  try {
    while (position.step < rl.steps) {
      const step = position.step + 1;
      const began = performance.now();
      const prompts: GrpoPrompt[] = [];
      let skipped = 0;
      while (prompts.length < rl.promptsPerStep) {
        if (skipped >= splits.train.length) throw new Error('no training sample has readable media');
        const sample = splits.train[order.at(position.cursor)]!;
        position.cursor += 1;
        const frames = await media.frames(sample);
        if (frames === null) {
          skipped += 1;
          continue;
        }
        prompts.push({ id: sample.id, prompt: { text: sample.trainPrompt, frames, mediaKind: sample.dataType, sampleFps: frames.sampleFps }, solution: sample.solution, problemType: sample.problemType });
      }
      position.skippedSamples += skipped;
      const { rollouts, gradients, metrics } = await grpoStep({ policy: model, reference, prompts, settings, loss: { beta: rl.beta, ...(rl.microBatchSize !== undefined && { microBatchSize: rl.microBatchSize }) }, rng: stepRng(config.seed, 'rl', step) });
      const lr = learningRate(rl.lrSchedule, rl.lr, step, rl.steps, warmupSteps(rl.warmupRatio, rl.steps));
      let update;
      try {
        update = optimizer.applyGradients(
          target.variables.map((v) => gradients.grads[v.name] ?? tf.zerosLike(v)),
          { learningRate: lr, loss: gradients.loss },
        );
      } finally {
        for (const g of Object.values(gradients.grads)) g.dispose();
      }
      if (!update.applied) ctx.progress.log(`warning: RL step ${step}: ${update.skipped ?? 'skipped'}; update skipped, run continues`);
      const seconds = (performance.now() - began) / 1000;
      const record: MetricRecord = {
        ...rlStepRecord({ step, metrics, update, learningRate: lr, skipped, promptIds: rollouts.map((r) => r.prompt.id), seconds }),
        ...(remote && { adapter: remote.loads.at(-1)?.name ?? null }),
      };
      ctx.metrics.write(record);
      position.step = step;
      ctx.progress.update(step, `reward ${(record['reward'] as number).toFixed(2)} acc ${(record[`rewards/${rl.rewardFuncs[0]}`] as number).toFixed(2)}`);
      if (step % schedule.checkpointEvery === 0 || step === rl.steps || ctx.stop.requested) {
        await ctx.checkpoints.save(stepName('rl', step), policy, optimizer, { stage: 'rl', ...position, elapsedMs: ctx.elapsedMs() });
      }
      if (ctx.stop.requested) throw new StoppedBySignal(ctx.stop.requested, ctx.stop.exitCode);
      await new Promise((resolve) => setImmediate(resolve));
    }
    ctx.progress.stop();
    return position;
  } finally {
    optimizer.dispose();
    if (fullWeights) localReference.dispose();
  }
}

// The whole run: data → tokenizer and policy → untrained evaluation → SFT cold start → SFT
// evaluation → GRPO / T-GRPO against the frozen SFT model → final evaluation → eval.json and the
// report. Every stage can be resumed from the run directory's checkpoints.
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { formatDuration, formatPercent, type Progress, writeFileAtomicSync } from '@video-r1/cli-kit';
import { sftTarget } from '@video-r1/datasets';
import {
  AdamOptimizer,
  createPolicy,
  loadCheckpoint,
  type Policy,
  sftTrain,
  type SftExample,
  type SftState,
  Tokenizer,
} from '@video-r1/policy';
import { selectBackend } from '@video-r1/tensor';
import type { TrainerConfig } from './config/types.js';
import { loadSplits, type Sample, type Splits } from './data/dataset.js';
import { MediaSource, trainerFrameRequest } from './data/media.js';
import { evaluatePolicy, type Evaluation } from './evaluation/evaluate.js';
import type { AccuracySummary, EvalFile } from './evaluation/types.js';
import { renderRunReport } from './report/write.js';
import { runRl, type RlPosition } from './rl/loop.js';
import type { RolloutSettings } from '@video-r1/rl-core';
import { Checkpoints, stepCheckpointName, type TrainingState } from './run/checkpoints.js';
import { MetricsWriter, type MetricRecord, type Stage } from './run/metrics.js';
import type { RunPaths } from './run/run-dir.js';
import { StoppedBySignal, type StopRequest } from './run/signals.js';

export interface PipelineOptions {
  config: TrainerConfig;
  paths: RunPaths;
  resumed: boolean;
  progress: Progress;
  stop: StopRequest;
  /** Directory of the decoded-frame cache shared by runs (null: memory only). */
  frameCacheDir: string | null;
}

export interface PipelineResult {
  evaluation: EvalFile | null;
  wallSeconds: number;
  backend: string;
}

/** Settings that depend on the data and the model ('auto' values), recorded in resolved.json. */
export interface ResolvedSettings {
  backend: string;
  maxCompletionLength: number;
  lengthBounds: { min: number; max: number };
  evalMaxNewTokens: number;
  parameterCount: number;
  vocabSize: number;
  policyConfig: unknown;
  samples: Record<'train' | 'sft' | 'validation' | 'test', number>;
  rejectedRecords: Record<string, number>;
  longestTarget: number;
  longestPrompt: number;
}

function corpus(splits: Splits): string[] {
  // Prompts of every split (no answers of validation/test), SFT targets of the training split.
  const texts: string[] = [];
  for (const s of [...splits.train, ...splits.sft, ...splits.validation, ...splits.test]) texts.push(s.trainPrompt, s.evalPrompt);
  for (const s of splits.sft) texts.push(sftTarget(s.record));
  return texts;
}

function uniqueSamples(...lists: Sample[][]): Sample[] {
  const seen = new Set<string>();
  const out: Sample[] = [];
  for (const s of lists.flat()) {
    const key = `${s.dataType}:${s.record.path}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(s);
    }
  }
  return out;
}

function readJson<T>(file: string): T | null {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as T) : null;
}

export async function runPipeline(options: PipelineOptions): Promise<PipelineResult> {
  const { config, paths, progress, stop } = options;
  const started = performance.now();
  const log = (line: string) => progress.log(line);
  const metrics = new MetricsWriter(paths.metrics);
  const checkpoints = new Checkpoints(paths, config.schedule.keepCheckpoints, trainerFrameRequest(config.video));
  const evalsDir = path.join(paths.root, 'evals');
  mkdirSync(evalsDir, { recursive: true });

  // Config errors were caught before this point; from here on, work starts.
  const backend = await selectBackend(config.backend, { argumentLabel: '--backend', log });

  // ---- Resume point ---------------------------------------------------------------------------
  const latest = options.resumed ? await checkpoints.latest(log) : null;
  const previousMs = latest?.state.elapsedMs ?? 0;
  const elapsedMs = () => previousMs + (performance.now() - started);
  let kept: MetricRecord[] = [];
  if (options.resumed) {
    const upTo = latest === null ? null : progressOf(latest.state);
    kept = metrics.truncateAfter(upTo);
    log(latest ? `resuming ${paths.root} from checkpoint ${latest.name} (${kept.length} metric records kept)` : `resuming ${paths.root}: no checkpoint yet, starting over`);
  } else {
    metrics.truncateAfter(null);
  }

  // ---- Data -----------------------------------------------------------------------------------
  const splits = await loadSplits(config, log);
  const media = new MediaSource(splits.dataRoot, config.video, options.frameCacheDir, log);
  const toDecode = uniqueSamples(splits.sft, splits.train, splits.validation, splits.test);
  progress.start('decoding frames', toDecode.length);
  await media.preload(toDecode, 2, (done) => progress.update(done));
  progress.stop();
  log(`frames: ${media.stats.decoded} decoded, ${media.stats.diskHits} from the cache, ${media.failed.size} unreadable`);

  // ---- Tokenizer and policy --------------------------------------------------------------------
  const init = config.sft.init !== null ? await loadCheckpoint(config.sft.init, { trainable: true }) : null;
  const tokenizer = latest?.checkpoint.policy.tokenizer ?? init?.policy.tokenizer ?? Tokenizer.fit(corpus(splits));
  const modelConfig = { ...config.model, seed: config.model.seed ?? config.seed };
  const freshPolicy = () => createPolicy(modelConfig, tokenizer);
  const policy: Policy = latest?.checkpoint.policy ?? init?.policy ?? freshPolicy();
  const resolved = resolveSettings(config, policy, splits, backend.name);
  writeFileAtomicSync(path.join(paths.root, 'resolved.json'), `${JSON.stringify(resolved, null, 2)}\n`);
  log(
    `policy: ${resolved.parameterCount.toLocaleString('en-US')} parameters, vocabulary ${resolved.vocabSize}; ` +
      `completions ≤ ${resolved.maxCompletionLength} tokens, length bonus for ${resolved.lengthBounds.min}..${resolved.lengthBounds.max}`,
  );

  const benchmark = config.data.source === 'synthetic' ? 'synthetic' : path.basename(splits.testFile);
  const evaluate = async (
    model: Policy,
    samples: readonly Sample[],
    run: { label: string | null; template: 'train' | 'eval'; seedSalt: number; modelName: string; outputPath: string | null },
  ): Promise<Evaluation> => {
    if (run.label !== null) progress.start(run.label, samples.length);
    const result = await evaluatePolicy(model, samples, media, {
      maxNewTokens: resolved.evalMaxNewTokens,
      temperature: config.eval.temperature,
      topP: config.eval.topP,
      seed: config.seed * 1000 + run.seedSalt,
      batchSize: 32,
      template: run.template,
      benchmark,
      modelName: run.modelName,
      outputPath: run.outputPath,
      maxFrames: config.video.frames,
      maxPixels: config.video.maxPixels,
      ...(run.label !== null && { onProgress: (done: number) => progress.update(done) }),
    });
    if (run.label !== null) progress.stop();
    return result;
  };
  const testEval = async (model: Policy, name: 'baseline' | 'sft' | 'final'): Promise<AccuracySummary> => {
    const file = path.join(evalsDir, `${name}.json`);
    const cached = readJson<AccuracySummary>(file);
    if (cached) return cached;
    // A results file without its summary is from an interrupted evaluation: evaluate again, from scratch.
    const resultsFile = path.join(evalsDir, `${name}-results.json`);
    rmSync(resultsFile, { force: true });
    const label = `test eval (${name === 'baseline' ? 'untrained' : name})`;
    const result = await evaluate(model, splits.test, { label, template: 'eval', seedSalt: 7, modelName: `${paths.id}/${name}`, outputPath: resultsFile });
    writeFileAtomicSync(file, `${JSON.stringify(result.summary, null, 2)}\n`);
    log(`test accuracy (${name}): ${formatPercent(result.summary.overall, { sign: true })} over ${result.summary.count} questions`);
    return result.summary;
  };

  // ---- Untrained baseline -----------------------------------------------------------------------
  let baseline: AccuracySummary | null = null;
  if (config.eval.baseline) {
    const untrained = latest || init ? freshPolicy() : policy;
    baseline = await testEval(untrained, 'baseline');
    if (untrained !== policy) untrained.dispose();
  }

  // ---- SFT cold start ----------------------------------------------------------------------------
  let stage: TrainingState = latest?.state ?? (init ? { stage: 'sft-done', sftSteps: 0, elapsedMs: 0 } : { stage: 'sft', sft: { stage: 'sft', step: 0, epoch: 0, batch: 0, seed: config.seed }, elapsedMs: 0 });
  if (stage.stage === 'sft' && !config.sft.enabled) stage = { stage: 'sft-done', sftSteps: 0, elapsedMs: elapsedMs() };
  if (stage.stage === 'sft') {
    const sftOptimizer = latest?.checkpoint.optimizerState ? AdamOptimizer.fromState(policy, latest.checkpoint.optimizerState) : undefined;
    const steps = await runSft(config, policy, splits, media, stage.sft, sftOptimizer, { metrics, progress, stop, checkpoints, elapsedMs, log, previous: kept });
    stage = { stage: 'sft-done', sftSteps: steps, elapsedMs: elapsedMs() };
    await checkpoints.save('sft', policy, null, stage);
  }
  const sftDir = config.sft.init ?? checkpoints.dir('sft');
  if (config.sft.init === null && !existsSync(sftDir)) {
    // SFT switched off (R1-Zero style): the untrained policy is the RL start and the KL reference.
    await checkpoints.save('sft', policy, null, { stage: 'sft-done', sftSteps: 0, elapsedMs: elapsedMs() });
  }

  let sftSummary: AccuracySummary | null = null;
  if (config.eval.sft && (stage.stage === 'sft-done' || existsSync(path.join(evalsDir, 'sft.json')))) {
    sftSummary = await testEval(policy, 'sft');
  } else if (config.eval.sft) {
    // Resumed during RL: the SFT evaluation was written before RL started.
    sftSummary = readJson<AccuracySummary>(path.join(evalsDir, 'sft.json'));
  }

  // ---- RL ---------------------------------------------------------------------------------------
  if (config.rl.enabled && (stage.stage === 'sft-done' || stage.stage === 'rl')) {
    const reference = (await loadCheckpoint(sftDir, { trainable: false })).policy;
    const optimizerOptions = { learningRate: config.rl.lr, weightDecay: config.rl.weightDecay, maxGradNorm: config.rl.maxGradNorm };
    const optimizer =
      stage.stage === 'rl' && latest?.checkpoint.optimizerState
        ? AdamOptimizer.fromState(policy, latest.checkpoint.optimizerState)
        : new AdamOptimizer(policy, optimizerOptions);
    const start: RlPosition = stage.stage === 'rl' ? { step: stage.step, cursor: stage.cursor, skippedSamples: stage.skippedSamples } : { step: 0, cursor: 0, skippedSamples: 0 };
    const validation = config.schedule.validationSamples === null ? splits.validation : splits.validation.slice(0, config.schedule.validationSamples);
    const settings: RolloutSettings = {
      algo: config.rl.algo,
      numGenerations: config.rl.numGenerations,
      temperature: config.rl.temperature,
      topP: config.rl.topP,
      maxCompletionLength: resolved.maxCompletionLength,
      rewardFuncs: config.rl.rewardFuncs,
      lengthControl: { ...config.rl.lengthControl, minLength: resolved.lengthBounds.min, maxLength: resolved.lengthBounds.max },
      temporal: config.rl.temporal,
    };
    const end = await runRl(
      {
        config,
        policy,
        reference,
        optimizer,
        train: splits.train,
        media,
        settings,
        metrics,
        progress,
        stop,
        log,
        validate: async () =>
          validation.length === 0
            ? Number.NaN
            : (await evaluate(policy, validation, { label: null, template: 'train', seedSalt: 11, modelName: `${paths.id}/validation`, outputPath: null })).summary.overall,
        save: async (position) => {
          const state: TrainingState = { stage: 'rl', ...position, elapsedMs: elapsedMs() };
          await checkpoints.save(stepCheckpointName('rl', position.step), policy, optimizer, state);
        },
      },
      start,
    );
    stage = { stage: 'done', rlSteps: end.step, elapsedMs: elapsedMs() };
    await checkpoints.save('final', policy, optimizer, stage);
    reference.dispose();
    optimizer.dispose();
  }

  // ---- Final evaluation and report --------------------------------------------------------------
  let evaluation: EvalFile | null = null;
  const final = await testEval(policy, 'final');
  evaluation = {
    model: 'final',
    ...final,
    ...(baseline && { baseline }),
    ...(sftSummary && { sft: sftSummary }),
    testSet: splits.testFile,
    skippedSamples: media.failed.size,
    decoding: { maxNewTokens: resolved.evalMaxNewTokens, temperature: config.eval.temperature, topP: config.eval.topP },
  };
  writeFileAtomicSync(paths.eval, `${JSON.stringify(evaluation, null, 2)}\n`);
  const wallSeconds = elapsedMs() / 1000;
  await renderRunReport({ config, paths, evaluation, facts: { backend: backend.name, 'wall time': formatDuration(wallSeconds) }, log });
  policy.dispose();
  return { evaluation, wallSeconds, backend: backend.name };
}

function progressOf(state: TrainingState): { stage: Stage; step: number } {
  switch (state.stage) {
    case 'sft':
      return { stage: 'sft', step: state.sft.step };
    case 'sft-done':
      return { stage: 'sft', step: state.sftSteps };
    case 'rl':
      return { stage: 'rl', step: state.step };
    case 'done':
      return { stage: 'rl', step: state.rlSteps };
  }
}

function resolveSettings(config: TrainerConfig, policy: Policy, splits: Splits, backend: string): ResolvedSettings {
  const { tokenizer } = policy;
  const targets = splits.sft.map((s) => tokenizer.encode(sftTarget(s.record)).length + 1);
  const prompts = [...splits.train, ...splits.test, ...splits.validation].map((s) => Math.max(tokenizer.encode(s.trainPrompt).length, tokenizer.encode(s.evalPrompt).length));
  const longestTarget = Math.max(1, ...targets);
  const longestPrompt = Math.max(0, ...prompts);
  const room = policy.config.maxTextLength - longestPrompt;
  if (room < 1) throw new Error(`the longest prompt has ${longestPrompt} tokens, no room left in model.maxTextLength ${policy.config.maxTextLength}`);
  const auto = Math.ceil(1.5 * longestTarget);
  const maxCompletionLength = Math.min(room, config.rl.maxCompletionLength === 'auto' ? auto : config.rl.maxCompletionLength);
  const evalMaxNewTokens = Math.min(room, config.eval.maxNewTokens === 'auto' ? auto : config.eval.maxNewTokens);
  // Video-R1 rewards correct answers of 320..512 tokens out of 768: the same fractions of our cap.
  const { minLength, maxLength } = config.rl.lengthControl;
  const lengthBounds = {
    min: minLength === 'auto' ? Math.round((maxCompletionLength * 320) / 768) : minLength,
    max: maxLength === 'auto' ? Math.round((maxCompletionLength * 512) / 768) : maxLength,
  };
  return {
    backend,
    maxCompletionLength,
    lengthBounds,
    evalMaxNewTokens,
    parameterCount: policy.parameterCount,
    vocabSize: tokenizer.vocabSize,
    policyConfig: policy.config,
    samples: { train: splits.train.length, sft: splits.sft.length, validation: splits.validation.length, test: splits.test.length },
    rejectedRecords: splits.rejected,
    longestTarget,
    longestPrompt,
  };
}

interface SftContext {
  /** Metrics already recorded before a resume (the epoch's mean loss includes them). */
  previous: readonly MetricRecord[];
  metrics: MetricsWriter;
  progress: Progress;
  stop: StopRequest;
  checkpoints: Checkpoints;
  elapsedMs: () => number;
  log: (line: string) => void;
}

/** The SFT cold start through the policy's `sftTrain`, with step metrics and checkpoints. Returns the steps taken. */
async function runSft(
  config: TrainerConfig,
  policy: Policy,
  splits: Splits,
  media: MediaSource,
  resume: SftState,
  optimizer: AdamOptimizer | undefined,
  ctx: SftContext,
): Promise<number> {
  // Examples alternate Video-R1's training and evaluation prompt wordings (they differ in a few
  // words): a model this small otherwise stumbles on the test prompt it never saw.
  const toExamples = async (samples: readonly Sample[]): Promise<SftExample[]> => {
    const out: SftExample[] = [];
    for (const [i, s] of samples.entries()) {
      const frames = await media.frames(s);
      if (frames === null) continue;
      const target = typeof s.record.process === 'string' ? sftTarget(s.record) : s.solution;
      out.push({ prompt: i % 2 === 0 ? s.trainPrompt : s.evalPrompt, frames, target, problemType: s.problemType });
    }
    return out;
  };
  const examples = await toExamples(splits.sft);
  const validationSamples = config.schedule.validationSamples === null ? splits.validation : splits.validation.slice(0, config.schedule.validationSamples);
  const validation = await toExamples(validationSamples);
  const { sft, schedule } = config;
  const batchesPerEpoch = Math.ceil(examples.length / sft.batchSize);
  const totalSteps = sft.epochs * batchesPerEpoch;
  const sftOptimizer = optimizer ?? new AdamOptimizer(policy, { learningRate: sft.lr, maxGradNorm: sft.maxGradNorm });
  let pending: MetricRecord | null = null;
  let lastState: SftState = resume;
  // The epoch's mean training loss over applied updates, counted here rather than taken from
  // sftTrain's epoch metrics, which only see the steps run since a resume.
  const epochLoss = { sum: 0, count: 0 };
  for (const r of ctx.previous) {
    if (r.stage === 'sft' && r['epoch'] === resume.epoch && r['update_skipped'] === false && typeof r['loss'] === 'number') {
      epochLoss.sum += r['loss'];
      epochLoss.count += 1;
    }
  }
  ctx.progress.start('SFT', totalSteps, resume.step);
  try {
    const result = await sftTrain({
      policy,
      examples,
      validation,
      epochs: sft.epochs,
      batchSize: sft.batchSize,
      learningRate: sft.lr,
      warmupSteps: Math.max(1, Math.round(sft.warmupRatio * totalSteps)),
      maxGradNorm: sft.maxGradNorm,
      seed: config.seed,
      optimizer: sftOptimizer,
      ...(resume.step > 0 && { resume }),
      signal: ctx.stop.signal,
      onStep: async (m) => {
        lastState = m.state;
        const record: MetricRecord = {
          step: m.step,
          stage: 'sft',
          epoch: m.epoch,
          loss: m.loss,
          learning_rate: m.lr,
          grad_norm: m.gradNorm,
          update_skipped: m.skipped !== undefined,
          tokens: m.tokens,
          step_time: m.stepMs / 1000,
          tokens_per_second: m.tokensPerSecond,
        };
        if (m.skipped === undefined) {
          epochLoss.sum += m.loss;
          epochLoss.count += 1;
        }
        ctx.progress.update(m.step, `loss ${m.loss.toFixed(3)}`);
        if (m.skipped) ctx.progress.log(`warning: SFT step ${m.step}: ${m.skipped}; update skipped, run continues`);
        if (m.state.batch === batchesPerEpoch) {
          // The epoch's last step: written with the validation numbers once onEpoch has them.
          pending = record;
          return;
        }
        ctx.metrics.write(record);
        if (m.step % schedule.sftCheckpointEvery === 0) {
          await ctx.checkpoints.save(stepCheckpointName('sft', m.step), policy, sftOptimizer, { stage: 'sft', sft: m.state, elapsedMs: ctx.elapsedMs() });
        }
      },
      onEpoch: async (e) => {
        const record = pending ?? { step: e.step, stage: 'sft' as const };
        pending = null;
        const trainLoss = epochLoss.count > 0 ? epochLoss.sum / epochLoss.count : Number.NaN;
        epochLoss.sum = 0;
        epochLoss.count = 0;
        record['train_loss_epoch'] = trainLoss;
        if (e.validation) {
          record['val_loss'] = e.validation.loss;
          record['val_accuracy'] = e.validation.accuracy;
          ctx.progress.log(`SFT epoch ${e.epoch + 1}: train loss ${trainLoss.toFixed(3)}, validation loss ${e.validation.loss.toFixed(3)}, accuracy ${formatPercent(e.validation.accuracy, { sign: true })}`);
        }
        ctx.metrics.write(record);
        // Saved as "next epoch, batch 0" so that a resume does not run this epoch's validation again.
        const next: SftState = { ...lastState, epoch: lastState.epoch + 1, batch: 0 };
        await ctx.checkpoints.save(stepCheckpointName('sft', e.step), policy, sftOptimizer, { stage: 'sft', sft: next, elapsedMs: ctx.elapsedMs() });
      },
    });
    if (result.aborted) {
      await ctx.checkpoints.save(stepCheckpointName('sft', result.state.step), policy, result.optimizer, { stage: 'sft', sft: result.state, elapsedMs: ctx.elapsedMs() });
      throw new StoppedBySignal(ctx.stop.requested ?? 'SIGINT', ctx.stop.exitCode || 130);
    }
    ctx.progress.stop();
    return result.state.step;
  } finally {
    sftOptimizer.dispose();
  }
}

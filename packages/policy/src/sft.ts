// SFT cold start, as Video-R1's sft_video.py: teacher-forced cross-entropy on the
// `process + "\n" + solution` targets, loss on completion tokens only, Adam with warm-up and
// gradient clipping, and validation (loss and exact-answer accuracy) after every epoch.
import { accuracyReward, extractAnswer } from '@video-r1/rewards';
import { createRng } from '@video-r1/tensor';

import { visualTokenCount } from './config.js';
import { AdamOptimizer, type OptimizerStepResult, type SkipReason, learningRateAt } from './adam.js';
import { generate } from './generate.js';
import { completionLogProbs, completionMask } from './logprobs.js';
import type { Policy, PolicyInput } from './model.js';
import { tf } from './tf.js';
import type { Scalar } from './tf.js';
import type { FrameStack } from '@video-r1/video-io';

export interface SftExample {
  prompt: string;
  frames?: FrameStack | null;
  /** The completion to learn, e.g. `sftTarget(record)` of @video-r1/datasets. */
  target: string;
  /** Groups validation accuracy and selects the accuracy rule (@video-r1/rewards). */
  problemType?: string;
}

/** Where an SFT run stands; save it with the checkpoint and pass it back as `resume`. */
export interface SftState {
  stage: 'sft';
  /** Optimizer steps taken. */
  step: number;
  /** Epoch in progress (0-based). */
  epoch: number;
  /** Batches of that epoch already trained on. */
  batch: number;
  /** Seed of the data order (epoch e uses createRng(seed · 65536 + e)). */
  seed: number;
}

export interface SftStepMetrics {
  stage: 'sft';
  /** Steps taken, this one included (1-based). */
  step: number;
  totalSteps: number;
  epoch: number;
  /** Mean cross-entropy per completion token of this batch. */
  loss: number;
  lr: number;
  gradNorm: number;
  clipped: boolean;
  /** Set when the update was skipped (NaN/Inf loss or gradient); training goes on. */
  skipped?: SkipReason;
  /** Completion tokens in the batch. */
  tokens: number;
  /** Tokens (visual, prompt and completion) processed per second in this step. */
  tokensPerSecond: number;
  stepMs: number;
  /** The state after this step, for checkpoints. */
  state: SftState;
}

export interface ValidationResult {
  examples: number;
  /** Mean cross-entropy per completion token. */
  loss: number;
  /** Fraction whose generated answer (inside <answer>…</answer>) equals the target's exactly. */
  exactMatch: number;
  /** Mean accuracy reward of @video-r1/rewards (problem-type aware); equals exactMatch without problem types. */
  accuracy: number;
  byProblemType: Record<string, { examples: number; exactMatch: number; accuracy: number }>;
}

export interface SftEpochMetrics {
  stage: 'sft';
  epoch: number;
  step: number;
  /** Mean training loss over the epoch's applied steps (those run in this call, after a resume). */
  trainLoss: number;
  validation?: ValidationResult;
}

export interface SftOptions {
  policy: Policy;
  examples: readonly SftExample[];
  validation?: readonly SftExample[];
  /** Default 3. */
  epochs?: number;
  /** Default 16. */
  batchSize?: number;
  /** Peak learning rate. Default 4e-3 (measured best of 2e-3 / 4e-3 for the default model on the synthetic set). */
  learningRate?: number;
  /** Warm-up steps (default: 5% of the run, at least 1). */
  warmupSteps?: number;
  /** After warm-up. Default 'cosine' to 10% of the peak. */
  decay?: 'constant' | 'linear' | 'cosine';
  maxGradNorm?: number;
  weightDecay?: number;
  /** Data order seed. Default 0. */
  seed?: number;
  /** Continue from a checkpoint: its optimizer (restored with `AdamOptimizer.fromState`) and state. */
  optimizer?: AdamOptimizer;
  resume?: SftState;
  /** Validation generation length (default: longest validation target + 8 tokens). */
  maxNewTokens?: number;
  /** Sequences per validation batch. Default 16. */
  validationBatchSize?: number;
  onStep?: (metrics: SftStepMetrics) => void | Promise<void>;
  onEpoch?: (metrics: SftEpochMetrics) => void | Promise<void>;
  /** Stops after the current step; the result's state resumes there. */
  signal?: AbortSignal;
}

export interface SftResult {
  optimizer: AdamOptimizer;
  state: SftState;
  epochs: SftEpochMetrics[];
  /** Steps whose update was skipped (non-finite loss or gradient). */
  skippedSteps: number;
  /** True when `signal` stopped the run early. */
  aborted: boolean;
}

/** Prompt inputs, completion ids (target + EOS) and their token counts. */
interface EncodedExample {
  input: PolicyInput;
  completion: number[];
  tokens: number;
}

function encodeExamples(policy: Policy, examples: readonly SftExample[], what: string): EncodedExample[] {
  const { tokenizer, config } = policy;
  return examples.map((ex, i) => {
    if (typeof ex.prompt !== 'string' || typeof ex.target !== 'string') {
      throw new Error(`sftTrain: ${what}[${i}] needs string prompt and target`);
    }
    const completion = [...tokenizer.encode(ex.target), tokenizer.eosId];
    const promptTokens = tokenizer.encode(ex.prompt).length;
    if (promptTokens + completion.length > config.maxTextLength) {
      throw new Error(
        `sftTrain: ${what}[${i}] has ${promptTokens} prompt + ${completion.length} target tokens, more than ` +
          `config.maxTextLength ${config.maxTextLength}; shorten it or build the policy with a larger maxTextLength`,
      );
    }
    return { input: { prompt: ex.prompt, frames: ex.frames ?? null }, completion, tokens: promptTokens + completion.length };
  });
}

/** Mean negative log-likelihood per completion token (the SFT loss), differentiable. */
export function completionCrossEntropy(
  policy: Policy,
  inputs: readonly PolicyInput[],
  completions: readonly (readonly number[])[],
): Scalar {
  return tf.tidy(() => {
    const logps = completionLogProbs(policy, inputs, completions);
    const mask = tf.tensor2d(completionMask(completions, policy.tokenizer.eosId));
    return tf.div(tf.neg(tf.sum(tf.mul(logps, mask))), tf.maximum(tf.sum(mask), 1)) as Scalar;
  });
}

function epochOrder(count: number, seed: number, epoch: number): number[] {
  const rng = createRng(seed * 65536 + epoch);
  const order = Array.from({ length: count }, (_, i) => i);
  for (let i = count - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

/** Validation loss, and greedy-decoded answers compared with the targets'. */
export function validate(
  policy: Policy,
  examples: readonly SftExample[],
  options: { batchSize?: number; maxNewTokens?: number } = {},
): ValidationResult {
  const encoded = encodeExamples(policy, examples, 'validation');
  const batchSize = options.batchSize ?? 16;
  const longest = Math.max(0, ...encoded.map((e) => e.completion.length));
  const room = policy.config.maxTextLength - Math.max(0, ...encoded.map((e) => e.tokens - e.completion.length));
  const maxNewTokens = Math.min(options.maxNewTokens ?? longest + 8, room);
  let lossSum = 0;
  let tokenSum = 0;
  const groups = new Map<string, { examples: number; exact: number; accuracy: number }>();
  let exact = 0;
  let accuracy = 0;
  for (let start = 0; start < encoded.length; start += batchSize) {
    const batch = encoded.slice(start, start + batchSize);
    const inputs = batch.map((e) => e.input);
    const completions = batch.map((e) => e.completion);
    const tokens = completions.reduce((n, c) => n + c.length, 0);
    const loss = tf.tidy(() => completionCrossEntropy(policy, inputs, completions).dataSync()[0]!);
    lossSum += loss * tokens;
    tokenSum += tokens;
    const out = generate(policy, inputs, { maxNewTokens, temperature: 0 });
    out.texts.forEach((text, k) => {
      const ex = examples[start + k]!;
      const isExact = extractAnswer(text) === extractAnswer(ex.target) ? 1 : 0;
      const reward = ex.problemType === undefined ? isExact : accuracyReward({ problemType: ex.problemType, completion: text, solution: ex.target });
      exact += isExact;
      accuracy += reward;
      const key = ex.problemType ?? 'all';
      const g = groups.get(key) ?? { examples: 0, exact: 0, accuracy: 0 };
      g.examples++;
      g.exact += isExact;
      g.accuracy += reward;
      groups.set(key, g);
    });
  }
  const n = Math.max(1, encoded.length);
  return {
    examples: encoded.length,
    loss: tokenSum > 0 ? lossSum / tokenSum : Number.NaN,
    exactMatch: exact / n,
    accuracy: accuracy / n,
    byProblemType: Object.fromEntries(
      [...groups].map(([k, g]) => [k, { examples: g.examples, exactMatch: g.exact / g.examples, accuracy: g.accuracy / g.examples }]),
    ),
  };
}

/**
 * Supervised fine-tuning of `policy` in place. Reports every step through `onStep` and every
 * epoch (with validation) through `onEpoch`; both may be async (e.g. to write a checkpoint).
 */
export async function sftTrain(options: SftOptions): Promise<SftResult> {
  const { policy } = options;
  const epochs = options.epochs ?? 3;
  const batchSize = options.batchSize ?? 16;
  const seed = options.seed ?? options.resume?.seed ?? 0;
  if (!Number.isInteger(epochs) || epochs < 0) throw new Error(`sftTrain: epochs must be a non-negative integer, got ${epochs}`);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`sftTrain: batchSize must be a positive integer, got ${batchSize}`);
  if (options.examples.length === 0) throw new Error('sftTrain: no training examples');
  const train = encodeExamples(policy, options.examples, 'examples');
  const batchesPerEpoch = Math.ceil(train.length / batchSize);
  const totalSteps = epochs * batchesPerEpoch;
  const schedule = {
    peak: options.learningRate ?? 4e-3,
    warmupSteps: options.warmupSteps ?? Math.max(1, Math.round(totalSteps * 0.05)),
    totalSteps,
    decay: options.decay ?? 'cosine',
    minRatio: 0.1,
  } as const;
  const optimizer =
    options.optimizer ??
    new AdamOptimizer(policy, {
      learningRate: schedule.peak,
      maxGradNorm: options.maxGradNorm ?? 1,
      weightDecay: options.weightDecay ?? 0,
    });
  const state: SftState = options.resume ? { ...options.resume, stage: 'sft' } : { stage: 'sft', step: 0, epoch: 0, batch: 0, seed };
  const epochMetrics: SftEpochMetrics[] = [];
  let skippedSteps = 0;

  while (state.epoch < epochs) {
    const order = epochOrder(train.length, state.seed, state.epoch);
    let lossSum = 0;
    let applied = 0;
    while (state.batch < batchesPerEpoch) {
      if (options.signal?.aborted) return { optimizer, state: { ...state }, epochs: epochMetrics, skippedSteps, aborted: true };
      const batch = order.slice(state.batch * batchSize, (state.batch + 1) * batchSize).map((i) => train[i]!);
      const lr = learningRateAt(state.step, schedule);
      const started = performance.now();
      const result: OptimizerStepResult = optimizer.minimize(
        () =>
          completionCrossEntropy(
            policy,
            batch.map((e) => e.input),
            batch.map((e) => e.completion),
          ),
        { learningRate: lr },
      );
      const stepMs = performance.now() - started;
      state.batch++;
      state.step++;
      if (result.applied) {
        lossSum += result.loss;
        applied++;
      } else {
        skippedSteps++;
      }
      const tokens = batch.reduce((n, e) => n + e.completion.length, 0);
      const processed = batch.reduce(
        (n, e) => n + e.tokens + (e.input.frames ? visualTokenCount(policy.config.vision, e.input.frames.frames) : 0),
        0,
      );
      await options.onStep?.({
        stage: 'sft',
        step: state.step,
        totalSteps,
        epoch: state.epoch,
        loss: result.loss,
        lr,
        gradNorm: result.gradNorm,
        clipped: result.clipped,
        ...(result.skipped ? { skipped: result.skipped } : {}),
        tokens,
        tokensPerSecond: (processed / stepMs) * 1000,
        stepMs,
        state: { ...state },
      });
    }
    const metrics: SftEpochMetrics = {
      stage: 'sft',
      epoch: state.epoch,
      step: state.step,
      trainLoss: applied > 0 ? lossSum / applied : Number.NaN,
    };
    if (options.validation !== undefined && options.validation.length > 0) {
      metrics.validation = validate(policy, options.validation, {
        ...(options.validationBatchSize !== undefined ? { batchSize: options.validationBatchSize } : {}),
        ...(options.maxNewTokens !== undefined ? { maxNewTokens: options.maxNewTokens } : {}),
      });
    }
    epochMetrics.push(metrics);
    state.epoch++;
    state.batch = 0;
    await options.onEpoch?.(metrics);
  }
  return { optimizer, state: { ...state }, epochs: epochMetrics, skippedSteps, aborted: false };
}

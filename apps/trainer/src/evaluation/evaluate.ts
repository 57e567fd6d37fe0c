// The trainer's test and validation evaluations go through @video-r1/eval's `runEvaluation` with
// @video-r1/policy's adapter reading the trainer's own frame source: one evaluation path, the
// same batching, prompts, scoring and results files as the evaluator.
import { type EvalResult, extraMetrics, type ModelAdapter, runEvaluation, type Summary } from '@video-r1/eval';
import { type Policy, type PolicyAdapter, policyAdapter } from '@video-r1/policy';
import { formatRewards } from '@video-r1/rewards';
import type { Sample } from '../data/dataset.js';
import type { MediaSource } from '../data/media.js';
import type { AccuracySummary } from './types.js';

export interface EvaluateOptions {
  maxNewTokens: number;
  temperature: number;
  topP: number;
  seed: number;
  /** Prompts generated together (one batched forward per token). */
  batchSize: number;
  /** `eval` (Video-R1's eval_bench.py prompt) for test, `train` for validation during training. */
  template: 'train' | 'eval';
  /** Benchmark name written into the results (and the summary's `by_benchmark`). */
  benchmark: string;
  /** Model name written into the results. */
  modelName: string;
  /** Results file in Video-R1's format (rewritten from scratch); null keeps results in memory. */
  outputPath: string | null;
  /** Recorded as the results file's `max_frames` / `max_pixels`. */
  maxFrames: number;
  maxPixels: number;
  onProgress?: (done: number, total: number) => void;
}

export interface Evaluation {
  summary: AccuracySummary;
  /** Scored results in the Video-R1 results format (eval_bench.py fields), with the trainer's `score`. */
  results: Array<EvalResult & { score: number }>;
  /** Samples whose media could not be read. */
  skipped: number;
  /** @video-r1/eval's summary (Video-R1's eval_bench.py numbers: OCR and free-form score 0 there). */
  benchSummary: Summary;
}

/**
 * The per-sample score the trainer reports: @video-r1/eval's `scoreSample` (Video-R1's
 * eval_bench.py) for multiple choice, numerical and regression; for OCR and free-form, which
 * eval_bench.py scores 0, @video-r1/eval's extra metrics (1 − WER and ROUGE, the training
 * rewards' definitions), so that every question kind can show learning.
 */
export function sampleScore(result: EvalResult): number {
  if (result.problem_type === 'OCR') return extraMetrics([result]).ocr.mean ?? 0;
  if (result.problem_type === 'free-form') return extraMetrics([result]).free_form.mean ?? 0;
  return result.reward;
}

const mean = (values: readonly number[]) => (values.length === 0 ? Number.NaN : values.reduce((a, b) => a + b, 0) / values.length);

function groupMeans<T>(items: readonly T[], key: (item: T) => string | null, value: (item: T) => number): Record<string, number> {
  const groups = new Map<string, number[]>();
  for (const item of items) {
    const k = key(item);
    if (k === null) continue;
    const list = groups.get(k) ?? [];
    list.push(value(item));
    groups.set(k, list);
  }
  return Object.fromEntries([...groups.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, mean(v)]));
}

export function summarizeScores(scored: ReadonlyArray<{ sample: Sample; score: number; format: number }>): AccuracySummary {
  const temporal = scored.filter((s) => s.sample.temporal);
  return {
    overall: mean(scored.map((s) => s.score)),
    count: scored.length,
    byProblemType: groupMeans(scored, (s) => s.sample.problemType, (s) => s.score),
    byTask: groupMeans(scored, (s) => s.sample.task, (s) => s.score),
    temporal: temporal.length === 0 ? null : mean(temporal.map((s) => s.score)),
    formatRate: mean(scored.map((s) => s.format)),
  };
}

/** The model adapter of the trainer's evaluations: the policy answering on the trainer's own frames. */
export function evaluationAdapter(policy: Policy, media: MediaSource, options: EvaluateOptions): PolicyAdapter {
  return policyAdapter({
    policy,
    name: options.modelName,
    maxNewTokens: options.maxNewTokens,
    temperature: options.temperature,
    topP: options.topP,
    seed: options.seed,
    batchSize: options.batchSize,
    frames: media.source,
  });
}

/**
 * Answers every sample whose media can be read (batches of `batchSize` in sample order,
 * near-greedy by default) through `runEvaluation` + `policyAdapter`, and scores the answers.
 * A sample that fails for any other reason than its media is a bug, and fails the evaluation.
 */
export function evaluatePolicy(policy: Policy, samples: readonly Sample[], media: MediaSource, options: EvaluateOptions): Promise<Evaluation> {
  return evaluateWith(() => evaluationAdapter(policy, media, options), samples, media, options);
}

/**
 * The one evaluation path, whatever answers: `runEvaluation` with the adapter `createAdapter`
 * builds (the small policy's `policyAdapter`, a Qwen2.5-VL policy's `modelEvalAdapter`) on the
 * samples whose media can be read, then the trainer's scores and summary.
 */
export async function evaluateWith(createAdapter: () => ModelAdapter, samples: readonly Sample[], media: MediaSource, options: EvaluateOptions): Promise<Evaluation> {
  const readable: Sample[] = [];
  for (const sample of samples) if ((await media.frames(sample)) !== null) readable.push(sample);
  const byRecord = new Map(readable.map((s) => [s.record, s]));
  const adapter = createAdapter();
  const run = await runEvaluation({
    benchmark: options.benchmark,
    samples: readable.map((s) => s.record),
    adapter,
    outputPath: options.outputPath,
    dataRoot: media.dataRoot,
    maxFrames: options.maxFrames,
    maxPixels: options.maxPixels,
    profile: 'video-r1',
    concurrency: options.batchSize,
    batchSize: options.batchSize,
    prompt: (record) => {
      const sample = byRecord.get(record)!;
      return options.template === 'eval' ? sample.evalPrompt : sample.trainPrompt;
    },
    ...(options.onProgress && { onProgress: (p: { done: number; total: number }) => options.onProgress!(p.done, samples.length) }),
  });
  await adapter.close?.();
  const failed = run.results.find((r) => r.error);
  if (failed) throw new Error(`evaluation of ${options.modelName}: sample ${String(failed.problem_id ?? failed.eval_key)} failed: ${failed.error!.message}`);
  const formats = formatRewards(run.results.map((r) => r.output));
  const results = run.results.map((r) => ({ ...r, score: sampleScore(r) }));
  const scored = results.map((r, i) => ({ sample: readable[i]!, score: r.score, format: formats[i]! }));
  return { summary: summarizeScores(scored), results, skipped: samples.length - readable.length, benchSummary: run.summary };
}

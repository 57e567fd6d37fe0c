/**
 * Resumable evaluation of one benchmark at one frame budget: ask the model about every sample with
 * bounded concurrency, score each answer, and rewrite the output file atomically after every batch.
 * A run killed at any point (even `kill -9`) resumes from that file and ends with exactly one result
 * per sample.
 */
import { existsSync } from 'node:fs';
import { buildPrompt } from '@video-r1/datasets';
import pLimit from 'p-limit';
import type { VideoR1Record } from '@video-r1/datasets';
import { benchmarkDisplayName } from './benchmarks.js';
import { ModelRequestError, toSampleError } from './errors.js';
import { removeStaleTemporaries } from '@video-r1/cli-kit';
import { resolveMedia } from './media.js';
import { TOOL_NAME, readResultsFile, rescoreResults, resultsFileBody, toResult, writeResultsFile } from './results-file.js';
import type { EvaluationInfo } from './results-file.js';
import { summarize } from './summarize.js';
import type { Summary } from './summarize.js';
import type { EvalResult, GenerateRequest, ModelAdapter, ScoringProfile } from './types.js';

/** Video-R1's evaluation pixel budget per frame: 256 * 28 * 28. */
export const VIDEO_R1_EVAL_MAX_PIXELS = 256 * 28 * 28;

export interface RunProgress {
  benchmark: string;
  maxFrames: number;
  /** Samples with a result (resumed ones included). */
  done: number;
  total: number;
  /** Results taken over from the output file at start. */
  resumed: number;
  /** Samples whose model call failed so far in this run. */
  errors: number;
}

export interface RunEvaluationOptions {
  /** Benchmark name, written into the output and used by the `lmms-eval` profile's rules. */
  benchmark: string;
  samples: readonly VideoR1Record[];
  adapter: ModelAdapter;
  /** The results file (Video-R1 format); `null` keeps the results in memory only (no resume). */
  outputPath: string | null;
  /** Directory that relative media paths resolve against (Video-R1's `src/r1-v`). */
  dataRoot: string;
  /** Frame budget (Video-R1 evaluates 16, 32 and 64). Default 16. */
  maxFrames?: number;
  /** Pixel budget per frame. Default `VIDEO_R1_EVAL_MAX_PIXELS`. */
  maxPixels?: number;
  profile?: ScoringProfile;
  /** Samples evaluated at once (default 4). */
  concurrency?: number;
  /** New results between two writes of the output file (default `max(8, concurrency)`). */
  batchSize?: number;
  /**
   * Continue an existing output file. Without it, an output file that already holds results is an
   * error (so a finished run is never overwritten by accident).
   */
  resume?: boolean;
  /** On resume, ask again about samples whose earlier attempt failed (default true). */
  retryErrors?: boolean;
  /** Builds the user text; default @video-r1/datasets `buildPrompt(sample, { template: 'eval' })`. */
  prompt?: (sample: VideoR1Record) => string;
  /** Extra fields for the file's `evaluation` entry (e.g. decoding settings). */
  metadata?: Record<string, unknown>;
  categoryField?: string | null;
  signal?: AbortSignal;
  onProgress?: (progress: RunProgress) => void;
  /** Called with each new result, in completion order. */
  onResult?: (result: EvalResult) => void;
}

export interface RunEvaluationResult {
  outputPath: string | null;
  /** One per sample, in sample order. */
  results: EvalResult[];
  summary: Summary;
  resumed: number;
  evaluated: number;
  errors: number;
}

/**
 * Keys that identify samples across restarts: `problem_id` when every sample has a distinct one,
 * else the position in the sample list.
 */
export function sampleKeys(samples: readonly VideoR1Record[]): string[] {
  const ids = samples.map((s) => s.problem_id);
  const usable = ids.every((id) => typeof id === 'number' || (typeof id === 'string' && id !== '')) && new Set(ids.map(String)).size === ids.length;
  return usable ? ids.map((id) => `id:${String(id)}`) : samples.map((_, i) => `#${i}`);
}

export async function runEvaluation(options: RunEvaluationOptions): Promise<RunEvaluationResult> {
  const profile = options.profile ?? 'video-r1';
  const maxFrames = options.maxFrames ?? 16;
  const maxPixels = options.maxPixels ?? VIDEO_R1_EVAL_MAX_PIXELS;
  const concurrency = options.concurrency ?? 4;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`concurrency must be an integer >= 1, got ${concurrency}`);
  const batchSize = options.batchSize ?? Math.max(8, concurrency);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be an integer >= 1, got ${batchSize}`);
  const { samples, outputPath, benchmark, adapter } = options;
  const keys = sampleKeys(samples);
  const prompt = options.prompt ?? ((s: VideoR1Record) => buildPrompt(s, { template: 'eval' }));

  const stored = new Map<string, EvalResult>();
  let startedAt = new Date().toISOString();
  if (outputPath !== null) await removeStaleTemporaries(outputPath);
  if (outputPath !== null && existsSync(outputPath)) {
    const loaded = await readResultsFile(outputPath);
    if (!options.resume && loaded.results.length > 0) {
      throw new Error(`${outputPath} already holds ${loaded.results.length} results; resume it (--resume) or write elsewhere (--out)`);
    }
    if (options.resume) {
      checkCompatible(outputPath, loaded.evaluation, { benchmark, maxFrames, maxPixels, model: adapter.name });
      startedAt = loaded.evaluation?.started_at ?? startedAt;
      const rescored = rescoreResults(loaded.results, { profile, benchmark, source: outputPath });
      mergeStored(outputPath, rescored, keys, samples, stored);
    }
  }

  const retryErrors = options.retryErrors ?? true;
  const pending: number[] = [];
  for (let i = 0; i < samples.length; i++) {
    const previous = stored.get(keys[i]!);
    if (previous && !(retryErrors && previous.error)) continue;
    pending.push(i);
  }
  const resumed = samples.length - pending.length;

  const evaluationInfo = (complete: boolean): EvaluationInfo => ({
    tool: TOOL_NAME,
    profile,
    benchmark,
    model: adapter.name,
    max_frames: maxFrames,
    max_pixels: maxPixels,
    samples: samples.length,
    complete,
    started_at: startedAt,
    updated_at: new Date().toISOString(),
    ...options.metadata,
  });

  const summaryOptions = { profile, benchmark, ...(options.categoryField !== undefined ? { categoryField: options.categoryField } : {}) };
  const ordered = (): EvalResult[] => keys.flatMap((k) => stored.get(k) ?? []);
  const writer = serialWriter(async () => {
    if (outputPath === null) return;
    const results = ordered();
    const complete = results.length === samples.length && results.every((r) => !r.error);
    await writeResultsFile(outputPath, resultsFileBody(results, summarize(results, summaryOptions), evaluationInfo(complete)));
  });

  let errors = 0;
  let sinceWrite = 0;
  const report = (): void => options.onProgress?.({ benchmark, maxFrames, done: stored.size, total: samples.length, resumed, errors });
  report();

  const limit = pLimit(concurrency);
  /** The request for one sample: its prompt and its media resolved against the data root. */
  const requestFor = async (sample: VideoR1Record): Promise<GenerateRequest> => {
    const request: GenerateRequest = { prompt: prompt(sample), media: null, maxFrames, maxPixels };
    if (options.signal) request.signal = options.signal;
    try {
      request.media = await resolveMedia(sample, options.dataRoot);
    } catch (caught) {
      throw new ModelRequestError('media', `${String(sample.path)}: ${(caught as Error).message}`, { cause: caught });
    }
    return request;
  };
  const record = (index: number, outcome: { output: string } | { error: unknown }): void => {
    const sample = samples[index]!;
    const key = keys[index]!;
    let output = '';
    let error: EvalResult['error'];
    if ('error' in outcome) {
      error = toSampleError(outcome.error);
      errors++;
    } else if (typeof outcome?.output !== 'string') {
      error = toSampleError(new TypeError(`adapter ${adapter.name} returned no string "output"`));
      errors++;
    } else {
      output = outcome.output;
    }
    const result = toResult(sample, output, { profile, benchmark, key, ...(error ? { error } : {}) });
    stored.set(key, result);
    options.onResult?.(result);
    report();
    if (++sinceWrite >= batchSize) {
      sinceWrite = 0;
      writer.request();
    }
  };
  const failure = (caught: unknown): { error: unknown } => {
    if (options.signal?.aborted) throw caught;
    return { error: caught };
  };
  const evaluateOne = async (index: number): Promise<void> => {
    options.signal?.throwIfAborted();
    const sample = samples[index]!;
    let outcome: { output: string } | { error: unknown };
    try {
      outcome = await adapter.generate(sample, await requestFor(sample));
    } catch (caught) {
      outcome = failure(caught);
    }
    record(index, outcome);
  };
  // Batched adapters get consecutive groups in sample order, one group at a time.
  const evaluateGroup = async (group: readonly number[]): Promise<void> => {
    options.signal?.throwIfAborted();
    const items: Array<{ index: number; sample: VideoR1Record; request: GenerateRequest }> = [];
    for (const index of group) {
      const sample = samples[index]!;
      try {
        items.push({ index, sample, request: await requestFor(sample) });
      } catch (caught) {
        record(index, failure(caught));
      }
    }
    if (items.length === 0) return;
    let outcomes: Array<{ output: string } | { error: unknown }>;
    try {
      outcomes = await adapter.generateBatch!(items.map(({ sample, request }) => ({ sample, request })));
      if (!Array.isArray(outcomes) || outcomes.length !== items.length) {
        throw new TypeError(`adapter ${adapter.name}: generateBatch returned ${Array.isArray(outcomes) ? outcomes.length : 'no'} answers for ${items.length} samples`);
      }
    } catch (caught) {
      const failed = failure(caught);
      outcomes = items.map(() => failed);
    }
    items.forEach(({ index }, i) => record(index, outcomes[i]!));
  };

  try {
    if (adapter.generateBatch) {
      const size = adapter.groupSize ?? concurrency;
      const groups: number[][] = [];
      for (let start = 0; start < pending.length; start += size) groups.push(pending.slice(start, start + size));
      const sequential = pLimit(1);
      await Promise.all(groups.map((group) => sequential(evaluateGroup, group)));
    } else {
      await Promise.all(pending.map((i) => limit(evaluateOne, i)));
    }
  } finally {
    limit.clearQueue();
    // Whatever happened, persist every finished answer before returning or rethrowing.
    writer.request();
    await writer.idle();
  }

  const results = ordered();
  return {
    outputPath,
    results,
    summary: summarize(results, summaryOptions),
    resumed,
    evaluated: pending.length,
    errors,
  };
}

function checkCompatible(path: string, info: EvaluationInfo | undefined, run: { benchmark: string; maxFrames: number; maxPixels: number; model: string }): void {
  if (!info) return; // a file eval_bench.py wrote: nothing recorded to compare
  const mismatches: string[] = [];
  if (info.benchmark !== undefined && benchmarkDisplayName(info.benchmark) !== benchmarkDisplayName(run.benchmark)) mismatches.push(`benchmark ${info.benchmark} ≠ ${run.benchmark}`);
  if (info.max_frames !== undefined && info.max_frames !== null && info.max_frames !== run.maxFrames) mismatches.push(`max_frames ${info.max_frames} ≠ ${run.maxFrames}`);
  if (info.max_pixels !== undefined && info.max_pixels !== null && info.max_pixels !== run.maxPixels) mismatches.push(`max_pixels ${info.max_pixels} ≠ ${run.maxPixels}`);
  if (info.model !== undefined && info.model !== run.model) mismatches.push(`model ${info.model} ≠ ${run.model}`);
  if (mismatches.length > 0) {
    throw new Error(`cannot resume ${path}: it was written with other settings (${mismatches.join('; ')}); use the same settings or another --out`);
  }
}

/**
 * Files we wrote carry `eval_key`; Video-R1's own files are matched by position, as its resume does
 * (the first N results belong to the first N samples).
 */
function mergeStored(path: string, results: readonly EvalResult[], keys: readonly string[], samples: readonly VideoR1Record[], into: Map<string, EvalResult>): void {
  const known = new Set(keys);
  const unknown: string[] = [];
  results.forEach((r, i) => {
    let key = r.eval_key;
    if (key === undefined) {
      if (i >= samples.length) {
        unknown.push(`results[${i}]`);
        return;
      }
      const sample = samples[i]!;
      if (sample.problem_id !== undefined && r.problem_id !== undefined && String(sample.problem_id) !== String(r.problem_id)) {
        throw new Error(`cannot resume ${path}: results[${i}] is problem_id ${String(r.problem_id)} but sample ${i} is ${String(sample.problem_id)}; the file belongs to another data file`);
      }
      key = keys[i]!;
      r = { ...r, eval_key: key };
    }
    if (!known.has(key)) {
      unknown.push(key);
      return;
    }
    if (into.has(key)) throw new Error(`cannot resume ${path}: two results for sample ${key}`);
    into.set(key, r);
  });
  if (unknown.length > 0) {
    throw new Error(
      `cannot resume ${path}: it holds ${unknown.length} result(s) for samples outside this run (${unknown.slice(0, 3).join(', ')}${unknown.length > 3 ? ', …' : ''}); ` +
        'run with the same data, --benchmarks and a --limit at least as large, or use another --out',
    );
  }
}

/** Runs `write` one at a time; requests made while a write runs coalesce into one more write. */
function serialWriter(write: () => Promise<void>): { request(): void; idle(): Promise<void> } {
  let running: Promise<void> | null = null;
  let again = false;
  let failure: unknown = null;
  const loop = async (): Promise<void> => {
    do {
      again = false;
      try {
        await write();
      } catch (error) {
        failure ??= error;
      }
    } while (again);
    running = null;
  };
  return {
    request() {
      if (running) again = true;
      else running = loop();
    },
    async idle() {
      while (running) await running;
      if (failure) {
        const error = failure;
        failure = null;
        throw error;
      }
    },
  };
}

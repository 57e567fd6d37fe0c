/**
 * CoT annotation, the step of Video-R1's pipeline that built Video-R1-COT-165k
 * (`src/generate_cot_vllm.py`): ask a model to reason about every sample with the `cot` prompt,
 * score its answer with the training accuracy reward, keep chains whose reward exceeds 0.6, and
 * write them as an SFT set. It is the evaluation runner's machinery (a model over a data file,
 * bounded concurrency, resumable), with a per-sample journal so that a killed run loses nothing.
 */
import { existsSync } from 'node:fs';
import { buildPrompt } from '@video-r1/datasets';
import pLimit from 'p-limit';
import type { VideoR1Record } from '@video-r1/datasets';
import { ModelRequestError, toSampleError } from '../errors.js';
import { removeStaleTemporaries } from '@video-r1/cli-kit';
import { resolveMedia } from '../media.js';
import { TOOL_NAME } from '../results-file.js';
import { sampleKeys } from '../runner.js';
import type { GenerateRequest, ModelAdapter } from '../types.js';
import { AnnotationError } from './errors.js';
import { annotationPaths, readAnnotationFile, writeAnnotationFiles } from './files.js';
import type { AnnotationInfo, AnnotationPaths } from './files.js';
import { openJournal, readJournal } from './journal.js';
import { COT_MEDIA } from './media.js';
import { COT_SELECT_THRESHOLD, annotatedRecord, failedRecord, isSftRecord, scoreChain } from './record.js';
import type { AnnotatedRecord } from './record.js';
import { summarizeAnnotation } from './summary.js';
import type { AnnotationSummary } from './summary.js';
import { throttledWriter } from './writer.js';

/** First line of a journal: what wrote it, compared on resume like the results file's `annotation`. */
interface JournalHeader {
  model: string;
  samples_per_question: number;
}

export interface AnnotationProgress {
  /** Samples in the data file. */
  total: number;
  /** Samples with a record (resumed ones included, failed ones included). */
  done: number;
  /** Records taken over from the output directory at start. */
  resumed: number;
  /** Samples answered in this run. */
  annotated: number;
  /** Samples whose model call failed in this run. */
  failed: number;
  /** Selected records so far (resumed ones included). */
  selected: number;
  /** `selected / answered` over every answered record so far; `null` before the first. */
  selectionRate: number | null;
  /** Records in the SFT set so far. */
  sft: number;
}

export interface RunAnnotationOptions {
  /** The data file's records (Video-R1-260k format; every field is kept in the output). */
  samples: readonly VideoR1Record[];
  adapter: ModelAdapter;
  /** Directory for `cot_results.json`, `cot_sft.json`, `cot_summary.json`. */
  outDir: string;
  /** Directory that the records' `./…` media paths resolve against (the data file's, as the script does). */
  mediaRoot: string;
  /** Chains drawn per sample; the best-scoring one is kept (default 1, as the script). */
  samplesPerQuestion?: number;
  /** Samples in flight at once (default 8). */
  concurrency?: number;
  /**
   * Continue the records in `outDir`. Without it, an `outDir` that already holds records is an
   * error, so a finished annotation is never overwritten by accident.
   */
  resume?: boolean;
  /** On resume, ask again about samples whose earlier attempt failed (default true). */
  retryFailed?: boolean;
  /** Frame budget per video (default `COT_MEDIA.maxFrames`, 16). */
  maxFrames?: number;
  /** Pixel budget per video frame (default `COT_MEDIA.maxPixels`, 128·28·28). */
  maxPixels?: number;
  /** Shortest time between two rewrites of the output files, in ms (default 2000; the journal keeps every record meanwhile). */
  writeIntervalMs?: number;
  /** Builds the user text; default `buildPrompt(sample, { template: 'cot' })`. */
  prompt?: (sample: VideoR1Record) => string;
  /** Extra fields for the `annotation` entry of the output (decoding, data file, …). */
  metadata?: Record<string, unknown>;
  signal?: AbortSignal;
  onProgress?: (progress: AnnotationProgress) => void;
  /** Called with each new record, in completion order. */
  onRecord?: (record: AnnotatedRecord) => void;
}

export interface RunAnnotationResult {
  paths: AnnotationPaths;
  /** One per sample that has a record, in sample order. */
  records: AnnotatedRecord[];
  summary: AnnotationSummary;
  resumed: number;
  /** Samples answered in this run. */
  annotated: number;
  /** Samples that failed in this run (recorded with `error`; asked again on resume). */
  failed: number;
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new AnnotationError('INVALID_OPTION', `${name} must be an integer >= 1, got ${value}`);
  return value;
}

export async function runAnnotation(options: RunAnnotationOptions): Promise<RunAnnotationResult> {
  const { samples, adapter } = options;
  const k = positiveInteger('samplesPerQuestion', options.samplesPerQuestion ?? 1);
  const concurrency = positiveInteger('concurrency', options.concurrency ?? 8);
  const maxFrames = positiveInteger('maxFrames', options.maxFrames ?? COT_MEDIA.maxFrames);
  const maxPixels = positiveInteger('maxPixels', options.maxPixels ?? COT_MEDIA.maxPixels);
  const writeIntervalMs = options.writeIntervalMs ?? 2000;
  const prompt = options.prompt ?? ((s: VideoR1Record) => buildPrompt(s, { template: 'cot' }));
  const paths = annotationPaths(options.outDir);
  const keys = sampleKeys(samples);
  const indexOfKey = new Map(keys.map((key, i) => [key, i]));

  const stored = new Map<string, AnnotatedRecord>();
  let startedAt = new Date().toISOString();
  await Promise.all([paths.results, paths.sft, paths.summary].map((p) => removeStaleTemporaries(p)));
  const take = (record: AnnotatedRecord, position: number, source: string): void => {
    const key = typeof record.cot_key === 'string' ? record.cot_key : keys[position];
    const index = key === undefined ? undefined : indexOfKey.get(key);
    if (key === undefined || index === undefined) {
      throw new AnnotationError('RESUME_MISMATCH', `cannot resume ${source}: it holds a record (${key ?? `results[${position}]`}) for a sample that is not in this data file; use the same --data, or another --out`);
    }
    const sample = samples[index]!;
    if (record.problem !== sample.problem || record.path !== sample.path) {
      throw new AnnotationError('RESUME_MISMATCH', `cannot resume ${source}: record ${key} is about ${JSON.stringify(String(record.problem).slice(0, 60))} but sample ${key} of the data file is about ${JSON.stringify(String(sample.problem).slice(0, 60))}; the directory belongs to another data file — use another --out`);
    }
    stored.set(key, typeof record.cot_key === 'string' ? record : { ...record, cot_key: key });
  };

  if (existsSync(paths.results)) {
    const loaded = await readAnnotationFile(paths.results);
    if (loaded.results.length > 0 && !options.resume) {
      throw new AnnotationError('OUTPUT_EXISTS', `${paths.results} already holds ${loaded.results.length} records; continue it with --resume, or write elsewhere (--out)`);
    }
    if (options.resume) {
      checkCompatible(paths.results, loaded.annotation, { model: adapter.name, k });
      startedAt = loaded.annotation?.started_at ?? startedAt;
      loaded.results.forEach((r, i) => take(r, i, paths.results));
    }
  }
  if (existsSync(paths.journal)) {
    let position = 0;
    for await (const line of readJournal(paths.journal)) {
      const header = (line as { journal?: JournalHeader }).journal;
      if (header !== undefined) {
        if (options.resume) checkCompatible(paths.journal, header, { model: adapter.name, k });
        continue;
      }
      if (!options.resume) {
        throw new AnnotationError('OUTPUT_EXISTS', `${paths.journal} holds records of an interrupted run; continue it with --resume, or write elsewhere (--out)`);
      }
      const record = line as AnnotatedRecord;
      if (typeof record?.cot_key !== 'string') throw new AnnotationError('RESUME_MISMATCH', `${paths.journal}: line ${position + 1} has no cot_key; move the journal away`);
      take(record, position++, paths.journal);
    }
  }

  const retryFailed = options.retryFailed ?? true;
  const pending: number[] = [];
  keys.forEach((key, i) => {
    const previous = stored.get(key);
    if (!previous || (retryFailed && previous.error)) pending.push(i);
  });
  const resumed = samples.length - pending.length;

  const info = (complete: boolean): AnnotationInfo => ({
    tool: TOOL_NAME,
    model: adapter.name,
    samples_per_question: k,
    prompt_template: 'cot',
    select_threshold: COT_SELECT_THRESHOLD,
    max_frames: maxFrames,
    max_pixels: maxPixels,
    samples: samples.length,
    complete,
    started_at: startedAt,
    updated_at: new Date().toISOString(),
    ...options.metadata,
  });
  const ordered = (): AnnotatedRecord[] => keys.flatMap((key) => stored.get(key) ?? []);
  const writeAll = async (): Promise<void> => {
    const records = ordered();
    const complete = records.length === samples.length && records.every((r) => !r.error);
    await writeAnnotationFiles(paths, records, info(complete), summarizeAnnotation(records, samples.length));
  };
  const writer = throttledWriter(writeAll, writeIntervalMs);
  const journal = await openJournal(paths.journal, { journal: { model: adapter.name, samples_per_question: k } satisfies JournalHeader });

  let annotated = 0;
  let failed = 0;
  let selected = 0;
  let answered = 0;
  let sft = 0;
  for (const r of stored.values()) {
    if (r.error) continue;
    answered++;
    if (r.select) selected++;
    if (isSftRecord(r)) sft++;
  }
  const report = (): void =>
    options.onProgress?.({ total: samples.length, done: stored.size, resumed, annotated, failed, selected, selectionRate: answered > 0 ? selected / answered : null, sft });
  report();

  const requestFor = async (sample: VideoR1Record): Promise<GenerateRequest> => {
    const request: GenerateRequest = { prompt: prompt(sample), media: null, maxFrames, maxPixels };
    if (options.signal) request.signal = options.signal;
    try {
      request.media = await resolveMedia(sample, options.mediaRoot);
    } catch (caught) {
      throw new ModelRequestError('media', `${String(sample.path)}: ${(caught as Error).message}`, { cause: caught });
    }
    return request;
  };

  /** The record of sample `index` from its k draws (any failed draw fails the sample: it is asked again on resume). */
  const recordOf = (index: number, draws: ReadonlyArray<{ output: string } | { error: unknown }>): AnnotatedRecord => {
    const sample = samples[index]!;
    const key = keys[index]!;
    try {
      const failedDraw = draws.find((d): d is { error: unknown } => 'error' in d);
      if (failedDraw) throw failedDraw.error;
      const chains = draws.map((d) => {
        const output = (d as { output?: unknown }).output;
        if (typeof output !== 'string') throw new TypeError(`adapter ${adapter.name} returned no string "output"`);
        return scoreChain(sample, output);
      });
      return annotatedRecord(sample, key, chains);
    } catch (caught) {
      return failedRecord(sample, key, toSampleError(caught));
    }
  };

  const keep = async (index: number, record: AnnotatedRecord): Promise<void> => {
    const key = keys[index]!;
    const previous = stored.get(key);
    if (previous && !previous.error) throw new Error(`internal: sample ${key} annotated twice`);
    stored.set(key, record);
    if (record.error) failed++;
    else {
      annotated++;
      answered++;
      if (record.select) selected++;
      if (isSftRecord(record)) sft++;
    }
    await journal.append(record);
    options.onRecord?.(record);
    report();
    writer.request();
  };

  const settle = async <T>(promise: Promise<T>): Promise<T | { error: unknown }> => {
    try {
      return await promise;
    } catch (error) {
      return { error };
    }
  };

  const annotateOne = async (index: number): Promise<void> => {
    options.signal?.throwIfAborted();
    const sample = samples[index]!;
    let draws: Array<{ output: string } | { error: unknown }>;
    try {
      const request = await requestFor(sample);
      // k draws of the same request; each its own call, so the adapter's limit and retries apply per draw.
      draws = await Promise.all(Array.from({ length: k }, () => settle(adapter.generate(sample, { ...request }))));
    } catch (caught) {
      draws = [{ error: caught }];
    }
    options.signal?.throwIfAborted();
    await keep(index, recordOf(index, draws));
  };

  /**
   * Adapters that answer batches (the in-process policy) get consecutive groups of samples, each
   * repeated k times, so that what is sampled does not depend on which media finished loading first.
   */
  const annotateGroup = async (group: readonly number[]): Promise<void> => {
    options.signal?.throwIfAborted();
    const items: Array<{ index: number; sample: VideoR1Record; request: GenerateRequest }> = [];
    for (const index of group) {
      const sample = samples[index]!;
      try {
        items.push({ index, sample, request: await requestFor(sample) });
      } catch (caught) {
        await keep(index, recordOf(index, [{ error: caught }]));
      }
    }
    if (items.length === 0) return;
    const batch = items.flatMap(({ sample, request }) => Array.from({ length: k }, () => ({ sample, request: { ...request } })));
    let outcomes: Array<{ output: string } | { error: unknown }>;
    try {
      outcomes = await adapter.generateBatch!(batch);
      if (!Array.isArray(outcomes) || outcomes.length !== batch.length) {
        throw new TypeError(`adapter ${adapter.name}: generateBatch returned ${Array.isArray(outcomes) ? outcomes.length : 'no'} answers for ${batch.length} requests`);
      }
    } catch (caught) {
      outcomes = batch.map(() => ({ error: caught }));
    }
    options.signal?.throwIfAborted();
    for (const [i, { index }] of items.entries()) await keep(index, recordOf(index, outcomes.slice(i * k, (i + 1) * k)));
  };

  const limit = pLimit(concurrency);
  let outcome: PromiseSettledResult<void>[] = [];
  try {
    // allSettled: on abort, wait for the samples in flight (their requests abort too) before the last write.
    if (adapter.generateBatch) {
      const size = Math.max(1, Math.floor((adapter.groupSize ?? concurrency * k) / k));
      const groups: number[][] = [];
      for (let start = 0; start < pending.length; start += size) groups.push(pending.slice(start, start + size));
      const sequential = pLimit(1);
      outcome = await Promise.allSettled(groups.map((group) => sequential(annotateGroup, group)));
    } else {
      outcome = await Promise.allSettled(pending.map((i) => limit(annotateOne, i)));
    }
  } finally {
    await writer.flush();
  }
  // Every record is in the output files now: the journal has served its purpose.
  await journal.remove();
  if (options.signal?.aborted) throw options.signal.reason;
  const failure = outcome.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (failure) throw failure.reason;

  const records = ordered();
  return { paths, records, summary: summarizeAnnotation(records, samples.length), resumed, annotated, failed };
}

function checkCompatible(path: string, info: Pick<AnnotationInfo, 'model' | 'samples_per_question'> | undefined, run: { model: string; k: number }): void {
  if (!info) return; // generate_cot_vllm.py's own file: nothing recorded to compare
  const mismatches: string[] = [];
  if (info.model !== undefined && info.model !== run.model) mismatches.push(`model ${info.model} ≠ ${run.model}`);
  if (info.samples_per_question !== undefined && info.samples_per_question !== run.k) mismatches.push(`--samples ${info.samples_per_question} ≠ ${run.k}`);
  if (mismatches.length > 0) {
    throw new AnnotationError('RESUME_MISMATCH', `cannot resume ${path}: it was written with other settings (${mismatches.join('; ')}); use the same settings or another --out`);
  }
}

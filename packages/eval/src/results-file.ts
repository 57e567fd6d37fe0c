/**
 * Output files in Video-R1's format: `{ "results": [...], "final_acc": [{ mean_acc, mean_mra }] }`,
 * each result being the input sample plus `output`, `prediction`, `reward`, `correct` and (when the
 * output has a think block) `process`. Two keys are added next to those, which Video-R1's readers
 * ignore: `evaluation` (profile, model, frames, …) and `summary` (the breakdowns).
 */
import type { VideoR1Record } from '@video-r1/datasets';
import { benchmarkFromFileName } from './benchmarks.js';
import { writeJsonAtomic } from '@video-r1/cli-kit';
import { readJsonFile } from './json-file.js';
import { predictionOf, processOf, scoreOutput } from './score.js';
import { finalAcc, summarize } from './summarize.js';
import type { FinalAcc, Summary } from './summarize.js';
import type { EvalResult, SampleError, ScoringProfile } from './types.js';
import { SCORING_PROFILES } from './types.js';

/** What produced a results file; written under `evaluation`. */
export interface EvaluationInfo {
  tool: string;
  profile: ScoringProfile;
  benchmark: string;
  model: string;
  max_frames: number | null;
  max_pixels: number | null;
  /** Samples in the run's set (the file is complete when it holds a result for each). */
  samples: number;
  complete: boolean;
  started_at: string;
  updated_at: string;
  [extra: string]: unknown;
}

export interface ResultsFile {
  results: EvalResult[];
  final_acc: [FinalAcc];
  evaluation?: EvaluationInfo;
  summary?: Summary;
}

export const TOOL_NAME = '@video-r1/eval';

/** Builds a result from a sample and the model's output, scored under `profile`. */
export function toResult(
  sample: VideoR1Record,
  output: string,
  options: { profile: ScoringProfile; benchmark?: string; key?: string; error?: SampleError },
): EvalResult {
  const input = { problemType: String(sample.problem_type ?? ''), output, solution: sample.solution, options: sample.options, profile: options.profile };
  const reward = scoreOutput(options.benchmark === undefined ? input : { ...input, benchmark: options.benchmark });
  // Same key order as eval_bench.py, which adds these fields to the sample dict in this order.
  const result: EvalResult = { ...sample, output, prediction: predictionOf(output), reward, correct: reward === 1 };
  const process = processOf(output);
  if (process !== undefined) result.process = process;
  if (options.key !== undefined) result.eval_key = options.key;
  if (options.error) result.error = options.error;
  else delete result.error;
  return result;
}

/** Recomputes `prediction`, `reward`, `correct` and `process` of existing results from their `output`. */
export function rescoreResults(results: readonly EvalResult[], options: { profile?: ScoringProfile; benchmark?: string; source?: string } = {}): EvalResult[] {
  const profile = options.profile ?? 'video-r1';
  return results.map((r, i) => {
    const where = `${options.source ?? 'results'}: results[${i}]`;
    if (typeof r.output !== 'string') throw new Error(`${where} has no string "output"; it cannot be re-scored`);
    if (typeof r.problem_type !== 'string') throw new Error(`${where} has no string "problem_type"`);
    const opts: Parameters<typeof toResult>[2] = { profile };
    if (options.benchmark !== undefined) opts.benchmark = options.benchmark;
    if (r.eval_key !== undefined) opts.key = r.eval_key;
    if (r.error) opts.error = r.error;
    return toResult(r, r.output, opts);
  });
}

export interface LoadedResultsFile {
  results: EvalResult[];
  evaluation?: EvaluationInfo;
  final_acc?: unknown;
}

/** Reads a results file (ours or Video-R1's); errors name the file, the index and the field. */
export async function readResultsFile(path: string): Promise<LoadedResultsFile> {
  const body = await readJsonFile(path);
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new Error(`${path}: expected an object with a "results" array (Video-R1's output format)`);
  }
  const { results, evaluation, final_acc } = body as Record<string, unknown>;
  if (!Array.isArray(results)) throw new Error(`${path}: "results" must be an array`);
  results.forEach((r, i) => {
    if (r === null || typeof r !== 'object' || Array.isArray(r)) throw new Error(`${path}: results[${i}] must be an object`);
  });
  const loaded: LoadedResultsFile = { results: results as EvalResult[], final_acc };
  if (evaluation && typeof evaluation === 'object') loaded.evaluation = evaluation as EvaluationInfo;
  return loaded;
}

export function resultsFileBody(results: EvalResult[], summary: Summary, evaluation?: EvaluationInfo): ResultsFile {
  const body: ResultsFile = { results, final_acc: [summary.final_acc] };
  if (evaluation) body.evaluation = evaluation;
  body.summary = summary;
  return body;
}

export function writeResultsFile(path: string, body: ResultsFile): Promise<void> {
  return writeJsonAtomic(path, body);
}

export interface RescoreFileOptions {
  profile?: ScoringProfile;
  /** Default: the file's `evaluation.benchmark`, else its name (`eval_vsibench_….json` → vsibench). */
  benchmark?: string;
  categoryField?: string | null;
}

/**
 * Recomputes rewards and summaries of an existing output file — ours, or one `eval_bench.py` wrote —
 * from each result's `output`, `solution` and `problem_type`.
 */
export async function rescoreFile(path: string, options: RescoreFileOptions = {}): Promise<{ body: ResultsFile; previousFinalAcc: unknown }> {
  const loaded = await readResultsFile(path);
  const profile = options.profile ?? 'video-r1';
  if (!SCORING_PROFILES.includes(profile)) throw new Error(`unknown profile ${JSON.stringify(profile)}; use one of ${SCORING_PROFILES.join(', ')}`);
  const benchmark = options.benchmark ?? loaded.evaluation?.benchmark ?? benchmarkFromFileName(path);
  const results = rescoreResults(loaded.results, { profile, benchmark, source: path });
  const summaryOptions: Parameters<typeof summarize>[1] = { profile, benchmark };
  if (options.categoryField !== undefined) summaryOptions.categoryField = options.categoryField;
  const summary = summarize(results, summaryOptions);
  const evaluation = loaded.evaluation ? { ...loaded.evaluation, profile, updated_at: new Date().toISOString() } : undefined;
  return { body: resultsFileBody(results, summary, evaluation), previousFinalAcc: loaded.final_acc };
}

export { finalAcc };

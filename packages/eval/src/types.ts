/**
 * Shared types of @video-r1/eval.
 *
 * Records follow Video-R1's evaluation files (`src/r1-v/Evaluation/eval_<benchmark>.json`): an array
 * of samples with `problem`, `problem_type`, `options`, `solution` (`<answer>…</answer>`), `path`
 * and `data_type`. Results are those samples plus the fields `eval_bench.py` adds.
 */

import type { ProblemType, VideoR1Record } from '@video-r1/datasets';

/**
 * The problem types Video-R1 uses; files may hold others, which score 0 as in the reference.
 * @deprecated `ProblemType` of @video-r1/datasets (the list is `PROBLEM_TYPES`); this alias goes in the next minor release.
 */
export type KnownProblemType = ProblemType;

/** Which conventions turn outputs into scores and scores into benchmark numbers. */
export type ScoringProfile = 'video-r1' | 'lmms-eval';

export const SCORING_PROFILES: readonly ScoringProfile[] = ['video-r1', 'lmms-eval'];

/**
 * One evaluation sample: a record of Video-R1's `eval_*.json` files, typed once in
 * @video-r1/datasets (which validates them on reading; extra fields are kept).
 * @deprecated `VideoR1Record` of @video-r1/datasets; this alias goes in the next minor release.
 */
export type EvalSample = VideoR1Record;

/** Why a sample has no model output. Recorded in the result; the run goes on. */
export interface SampleError {
  kind: 'http' | 'timeout' | 'network' | 'malformed-response' | 'media' | 'adapter';
  message: string;
  /** HTTP status of the last attempt, when there was one. */
  status?: number;
  /** Requests made, the first included. */
  attempts?: number;
}

/** One scored sample: the input record plus the fields `eval_bench.py` writes. */
export interface EvalResult extends VideoR1Record {
  /** Raw model output (`''` when the model could not be asked, see `error`). */
  output: string;
  /** Text inside `<answer>…</answer>`, or the whole output when there is none. */
  prediction: string;
  reward: number;
  /** `reward === 1`, as `eval_bench.py` sets it. */
  correct: boolean;
  /** `<think>…</think>` of the output; absent when the output has no think block (as in Video-R1). */
  process?: string;
  /** Identity of the sample within its run; what resume matches on. */
  eval_key?: string;
  error?: SampleError;
}

/** What the runner hands a model for one sample. */
export interface GenerateRequest {
  /** The user text: `buildPrompt(sample, { template: 'eval' })` of @video-r1/datasets. */
  prompt: string;
  /** The visual input, resolved against the data root; `null` for text-only samples. */
  media: { kind: 'video' | 'image'; path: string } | null;
  /** Frame budget of this run (Video-R1's max frames: 16, 32 or 64). */
  maxFrames: number;
  /** Pixel budget per frame (Video-R1 evaluates at 256 * 28 * 28). */
  maxPixels: number;
  /** Aborted when the run is cancelled. */
  signal?: AbortSignal;
}

/**
 * A model under evaluation. `openAIAdapter` implements it for chat-completions endpoints;
 * @video-r1/policy implements it (structurally) for the project's own checkpoints.
 * `generate` may throw: the runner records the error on that sample and goes on.
 */
export interface ModelAdapter {
  /** Written into the output files and the report. */
  name: string;
  generate(sample: VideoR1Record, request: GenerateRequest): Promise<{ output: string }>;
  /**
   * Optional: answers for several samples at once, in order (one output per item). When an
   * adapter has it, `runEvaluation` hands it the pending samples in consecutive groups of
   * `groupSize` (in sample order), so batch composition — and with it every output — does not
   * depend on which media file finished loading first. An item that failed alone (e.g. its media)
   * comes back as `{ error }`; a throw fails the whole group.
   */
  generateBatch?(items: ReadonlyArray<{ sample: VideoR1Record; request: GenerateRequest }>): Promise<Array<{ output: string } | { error: unknown }>>;
  /** Samples per `generateBatch` call (default: the run's `concurrency`). */
  groupSize?: number;
  /** Releases sockets, tensors, … */
  close?(): Promise<void>;
}

import type { ProblemType } from '@video-r1/rewards';

// The five answer formats Video-R1 scores are defined once, by the rewards that score them.
export { PROBLEM_TYPES, type ProblemType } from '@video-r1/rewards';

/** Which modality `path` points to. */
export type DataType = 'image' | 'video';

export const DATA_TYPES: readonly DataType[] = ['image', 'video'];

/**
 * One question as Video-R1's JSON files store it. Unknown fields (eval files carry
 * their own, the synthetic set adds `task` and `temporal`) are kept as they are.
 */
export interface VideoR1Record {
  problem_id?: number | string;
  problem: string;
  data_type: DataType;
  problem_type: ProblemType;
  /** "A. …" strings; required (non-empty) for multiple choice, `[]` elsewhere in Video-R1's files. */
  options?: string[];
  /** `<think>…</think>` rationale (Video-R1-COT-165k only). */
  process?: string;
  /** `<answer>…</answer>`. */
  solution: string;
  /** Media path relative to the data root, normally starting with `./`. */
  path: string;
  data_source?: string;
  [extra: string]: unknown;
}

/** A record of the COT (SFT cold start) file: `process` is required. */
export interface CotRecord extends VideoR1Record {
  process: string;
}

/**
 * Which file a schema describes:
 * - `rl`: Video-R1-260k (RL) — every field but `process` required;
 * - `cot`: Video-R1-COT-165k (SFT) — `rl` plus `process`;
 * - `eval`: Video-R1-eval benchmark files — the fields the evaluator reads; `problem_id` and
 *   `data_source` optional; extra fields kept;
 * - `any`: what every consumer needs (the `eval` minimum); the default.
 */
export type FileKind = 'rl' | 'cot' | 'eval' | 'any';

export const FILE_KINDS: readonly FileKind[] = ['rl', 'cot', 'eval', 'any'];

/** Container format, picked from the content (never from the file name). */
export type FileFormat = 'json-array' | 'jsonl';

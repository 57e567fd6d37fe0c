/**
 * One annotated record, as Video-R1's `src/generate_cot_vllm.py` writes it: the input sample with
 * `answer`, `reward`, `select` and (when the chain has a think block) `process` added, in that
 * order; then this package's bookkeeping (`output`, `cot_key`, `rewards` for best-of-k, `error`).
 */
import { accuracyReward, extractAnswer } from '@video-r1/rewards';
import type { VideoR1Record } from '@video-r1/datasets';
import { processOf } from '../score.js';
import type { SampleError } from '../types.js';

/** `sample['select'] = True if sample["reward"] > 0.6 else False` (generate_cot_vllm.py). */
export const COT_SELECT_THRESHOLD = 0.6;

/** One sampled chain of thought, scored. */
export interface ScoredChain {
  /** The model's whole reply. */
  output: string;
  /** Stripped text of the first `<answer>…</answer>`, or `""` (the script's `extract_answer`). */
  answer: string;
  /** The script's `reward_fn`: grpo.py's accuracy reward (OCR 1 − WER, free-form mean ROUGE F1). */
  reward: number;
  /** `"<think>" + stripped think + "</think>"`; absent when the reply has no (non-empty) think block. */
  process?: string;
}

/** An input sample with the annotation fields. */
export interface AnnotatedRecord extends VideoR1Record {
  answer: string;
  reward: number;
  select: boolean;
  process?: string;
  /** The chosen chain's raw reply (`""` for a failed sample). */
  output: string;
  /** Identity of the sample within its data file; what resume matches on. */
  cot_key: string;
  /** Every chain's reward, in sampling order, when more than one chain was drawn (`--samples k`). */
  rewards?: number[];
  /** Why the sample has no annotation yet; a resumed run asks again. */
  error?: SampleError;
}

/** Fields this package adds to a sample; `sftRecord` removes them again. */
export const ANNOTATION_FIELDS = ['answer', 'reward', 'select', 'process', 'output', 'cot_key', 'rewards', 'error'] as const;

/**
 * Scores one reply as the script does: `answer = extract_answer(output)`,
 * `reward = reward_fn(sample, output, problem_type)` (the same rules as grpo.py's accuracy reward,
 * which `@video-r1/rewards` reproduces), `process` from `extract_think`.
 */
export function scoreChain(sample: Pick<VideoR1Record, 'problem_type' | 'solution'>, output: string): ScoredChain {
  const reward = accuracyReward({ problemType: String(sample.problem_type ?? ''), completion: output, solution: typeof sample.solution === 'string' ? sample.solution : '' });
  const chain: ScoredChain = { output, answer: extractAnswer(output), reward };
  const process = processOf(output);
  if (process !== undefined) chain.process = process;
  return chain;
}

/**
 * The chain kept from k draws: the highest reward; among equals the first one with a `process`
 * (only those can enter the SFT set), else the first.
 */
export function bestChain(chains: readonly ScoredChain[]): ScoredChain {
  if (chains.length === 0) throw new RangeError('bestChain: no chains to choose from');
  let best = chains[0]!;
  for (const chain of chains.slice(1)) {
    if (chain.reward > best.reward || (chain.reward === best.reward && best.process === undefined && chain.process !== undefined)) best = chain;
  }
  return best;
}

/** The input fields of a sample: a `process` it brought along is dropped, so every `process` is this run's. */
function inputFields(sample: VideoR1Record): VideoR1Record {
  const copy: VideoR1Record = { ...sample };
  for (const field of ANNOTATION_FIELDS) {
    if (field !== 'answer' && field !== 'reward' && field !== 'select') delete copy[field];
  }
  return copy;
}

export function annotatedRecord(sample: VideoR1Record, key: string, chains: readonly ScoredChain[]): AnnotatedRecord {
  const chain = bestChain(chains);
  // Python dict order: the sample's own keys, then answer, reward, select, process as the script adds them.
  const fields: Record<string, unknown> = { ...inputFields(sample), answer: chain.answer, reward: chain.reward, select: chain.reward > COT_SELECT_THRESHOLD };
  if (chain.process !== undefined) fields.process = chain.process;
  fields.output = chain.output;
  fields.cot_key = key;
  if (chains.length > 1) fields.rewards = chains.map((c) => c.reward);
  return fields as AnnotatedRecord;
}

/** A sample whose model call failed: not selected, no answer, `error` saying why. */
export function failedRecord(sample: VideoR1Record, key: string, error: SampleError): AnnotatedRecord {
  return { ...inputFields(sample), answer: '', reward: 0, select: false, output: '', cot_key: key, error };
}

/**
 * The record in Video-R1-COT format (the SFT set): the input fields with `process` placed before
 * `solution`, as Video-R1-COT-165k orders them, and none of the annotation fields.
 */
export function sftRecord(record: AnnotatedRecord): VideoR1Record & { process: string } {
  if (record.process === undefined) throw new TypeError(`sftRecord: record ${record.cot_key} has no process`);
  const out: Record<string, unknown> = {};
  let placed = false;
  for (const [field, value] of Object.entries(record)) {
    if ((ANNOTATION_FIELDS as readonly string[]).includes(field)) continue;
    if (field === 'solution' && !placed) {
      out.process = record.process;
      placed = true;
    }
    out[field] = value;
  }
  if (!placed) out.process = record.process;
  return out as VideoR1Record & { process: string };
}

/** Selected records that have a `process`: what the SFT file holds. */
export function isSftRecord(record: AnnotatedRecord): boolean {
  return record.select && record.process !== undefined && record.error === undefined;
}

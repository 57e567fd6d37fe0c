import { editDistance } from './edit-distance.js';
import { IdList, beginWordScore, localPair, splitWordIds } from './word-ids.js';

export interface WordErrorResult {
  /** Word-level Levenshtein distance between the two word lists. */
  readonly distance: number;
  /** distance / max(1, referenceLength) — Video-R1's `wer`. */
  readonly wer: number;
  /** Number of Python `str.split()` words in each text. */
  readonly referenceLength: number;
  readonly hypothesisLength: number;
}

const referenceIds = new IdList();
const hypothesisIds = new IdList();

/**
 * Video-R1's `wer(reference, hypothesis)` (a local function of grpo.py, not jiwer): words are
 * Python `str.split()` tokens (split on Python whitespace, case- and punctuation-sensitive),
 * distance is the unit-cost Levenshtein distance, divided by max(1, number of reference
 * words). It is not clamped: a long hypothesis can give a WER above 1.
 */
export function computeWordError(reference: string, hypothesis: string): WordErrorResult {
  beginWordScore();
  referenceIds.reset();
  hypothesisIds.reset();
  splitWordIds(reference, referenceIds);
  splitWordIds(hypothesis, hypothesisIds);
  const { a, b, alphabetSize } = localPair(referenceIds, hypothesisIds);
  const distance = editDistance(a, b, alphabetSize);
  return {
    distance,
    wer: distance / Math.max(1, a.length),
    referenceLength: a.length,
    hypothesisLength: b.length,
  };
}

/**
 * Video-R1's `wer(reference, hypothesis)` where it is below 1, else 1 — all the OCR reward
 * `clamp(1 − WER, 0, 1)` needs. The distance is at least n − m (n, m the word counts), so once
 * the hypothesis has m + max(1, m) words the WER is at least 1 and the rest of it is not read:
 * the cost follows the reference, however long the answer.
 */
export function cappedWordErrorRate(reference: string, hypothesis: string): number {
  beginWordScore();
  referenceIds.reset();
  hypothesisIds.reset();
  splitWordIds(reference, referenceIds);
  const denominator = Math.max(1, referenceIds.length);
  const enough = referenceIds.length + denominator;
  splitWordIds(hypothesis, hypothesisIds, enough);
  if (hypothesisIds.length >= enough) return 1;
  const { a, b, alphabetSize } = localPair(referenceIds, hypothesisIds);
  const wer = editDistance(a, b, alphabetSize) / denominator;
  return wer < 1 ? wer : 1;
}

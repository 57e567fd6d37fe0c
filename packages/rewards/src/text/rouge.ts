import { lcsLength } from './lcs.js';
import { IdList, StemFilter, beginRougeScore, localPair, rougeStemIds } from './word-ids.js';

/** One ROUGE measurement, as rouge_score's `Score` named tuple. */
export interface RougeMeasure {
  readonly precision: number;
  readonly recall: number;
  readonly fmeasure: number;
}

export interface RougeResult {
  readonly rouge1: RougeMeasure;
  readonly rouge2: RougeMeasure;
  readonly rougeL: RougeMeasure;
  /** (rouge1.f + rouge2.f + rougeL.f) / 3 — Video-R1's `compute_rouge_score`. */
  readonly averageFmeasure: number;
}

const referenceIds = new IdList();
const hypothesisIds = new IdList();
const stemFilter = new StemFilter();

/**
 * Below this many characters in the longer text both are stemmed in full; above, the longer
 * one is tokenized through a `StemFilter` of the shorter one's stems, so its cost is one pass
 * over its characters and stemming only the tokens that can match (the scores are the same).
 */
const FILTER_FROM_CHARS = 512;

/**
 * ROUGE-1, ROUGE-2 and ROUGE-L of Google's `rouge_score` with `use_stemmer=True`:
 * `RougeScorer(['rouge1', 'rouge2', 'rougeL'], use_stemmer=True).score(reference, hypothesis)`,
 * plus the mean F-measure Video-R1 uses as the free-form reward.
 *
 * Empty token lists score 0 everywhere (rouge_score: n-gram precision/recall divide by
 * max(count, 1); ROUGE-L returns 0 when either side is empty).
 */
export function computeRouge(reference: string, hypothesis: string, options: { filter?: boolean } = {}): RougeResult {
  beginRougeScore();
  referenceIds.reset();
  hypothesisIds.reset();
  const filter = (options.filter ?? true) && Math.max(reference.length, hypothesis.length) >= FILTER_FROM_CHARS;
  if (filter && hypothesis.length >= reference.length) {
    rougeStemIds(reference, referenceIds);
    stemFilter.build(referenceIds);
    stemFilter.tokenIds(hypothesis, hypothesisIds);
  } else if (filter) {
    rougeStemIds(hypothesis, hypothesisIds);
    stemFilter.build(hypothesisIds);
    stemFilter.tokenIds(reference, referenceIds);
  } else {
    rougeStemIds(reference, referenceIds);
    rougeStemIds(hypothesis, hypothesisIds);
  }
  const { a: target, b: prediction, alphabetSize, absent } = localPair(referenceIds, hypothesisIds);
  const rouge1 = ngramMeasure(target, prediction, 1, alphabetSize, absent);
  const rouge2 = ngramMeasure(target, prediction, 2, alphabetSize, absent);
  const rougeL = lcsMeasure(target, prediction, alphabetSize);
  const averageFmeasure = (rouge1.fmeasure + rouge2.fmeasure + rougeL.fmeasure) / 3;
  return { rouge1, rouge2, rougeL, averageFmeasure };
}

/** rouge_score's `scoring.fmeasure`, same operation order. */
function fmeasure(precision: number, recall: number): number {
  return precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
}

function ngramMeasure(target: Int32Array, prediction: Int32Array, n: 1 | 2, alphabetSize: number, absent: number): RougeMeasure {
  const targetCount = Math.max(target.length - n + 1, 0);
  const predictionCount = Math.max(prediction.length - n + 1, 0);
  let overlap = 0;
  if (targetCount > 0 && predictionCount > 0) {
    overlap =
      n === 1
        ? unigramOverlap(target, prediction, alphabetSize)
        : bigramOverlap(target, prediction, alphabetSize, absent);
  }
  const precision = overlap / Math.max(predictionCount, 1);
  const recall = overlap / Math.max(targetCount, 1);
  return { precision, recall, fmeasure: fmeasure(precision, recall) };
}

let countBuffer = new Int32Array(256);

/** Σ over words of min(count in target, count in prediction). */
function unigramOverlap(target: Int32Array, prediction: Int32Array, alphabetSize: number): number {
  if (countBuffer.length < alphabetSize) countBuffer = new Int32Array(Math.max(alphabetSize, countBuffer.length * 2));
  const counts = countBuffer;
  counts.fill(0, 0, alphabetSize);
  for (let i = 0; i < target.length; i++) {
    const id = target[i] as number;
    counts[id] = (counts[id] as number) + 1;
  }
  let overlap = 0;
  for (let i = 0; i < prediction.length; i++) {
    const id = prediction[i] as number;
    const left = counts[id] as number;
    if (left > 0) {
      counts[id] = left - 1;
      overlap++;
    }
  }
  return overlap;
}

let smallKeyBuffer = new Float64Array(64);
let largeKeyBuffer = new Float64Array(64);
let remainingBuffer = new Int32Array(64);

/**
 * Σ over bigrams of min(count in target, count in prediction). The shorter side's bigram keys
 * are sorted and counted; each bigram of the longer side is looked up by binary search and
 * takes one of the remaining copies. Bigrams with an `absent` token (one side only) match
 * nothing and are skipped. O(n log m) for sides of n ≥ m tokens, not O(n log n).
 */
function bigramOverlap(target: Int32Array, prediction: Int32Array, alphabetSize: number, absent: number): number {
  const [small, large] = target.length <= prediction.length ? [target, prediction] : [prediction, target];
  if (smallKeyBuffer.length < small.length) smallKeyBuffer = new Float64Array(small.length * 2);
  const sorted = bigramKeys(small, alphabetSize, smallKeyBuffer, absent).sort();
  // Distinct keys in place, with their counts.
  if (remainingBuffer.length < sorted.length) remainingBuffer = new Int32Array(sorted.length * 2);
  const remaining = remainingBuffer;
  let distinct = 0;
  for (let i = 0; i < sorted.length; i++) {
    if (distinct > 0 && sorted[distinct - 1] === sorted[i]) remaining[distinct - 1] = (remaining[distinct - 1] as number) + 1;
    else {
      sorted[distinct] = sorted[i] as number;
      remaining[distinct++] = 1;
    }
  }
  if (distinct === 0) return 0;
  if (largeKeyBuffer.length < large.length) largeKeyBuffer = new Float64Array(large.length * 2);
  const keys = bigramKeys(large, alphabetSize, largeKeyBuffer, absent);
  let overlap = 0;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as number;
    let lo = 0;
    let hi = distinct - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const value = sorted[mid] as number;
      if (value < key) lo = mid + 1;
      else if (value > key) hi = mid - 1;
      else {
        const left = remaining[mid] as number;
        if (left > 0) {
          remaining[mid] = left - 1;
          overlap++;
        }
        break;
      }
    }
  }
  return overlap;
}

/** Keys of the bigrams without an `absent` token, in order, in `buffer`. */
function bigramKeys(ids: Int32Array, alphabetSize: number, buffer: Float64Array, absent: number): Float64Array {
  // alphabetSize² can exceed 2³¹ but stays far below 2⁵³, so the keys are exact doubles.
  let count = 0;
  for (let i = 0; i + 1 < ids.length; i++) {
    const first = ids[i] as number;
    const second = ids[i + 1] as number;
    if (first === absent || second === absent) continue;
    buffer[count++] = first * alphabetSize + second;
  }
  return buffer.subarray(0, count);
}

function lcsMeasure(target: Int32Array, prediction: Int32Array, alphabetSize: number): RougeMeasure {
  if (target.length === 0 || prediction.length === 0) return { precision: 0, recall: 0, fmeasure: 0 };
  const lcs = lcsLength(target, prediction, alphabetSize);
  const precision = lcs / prediction.length;
  const recall = lcs / target.length;
  return { precision, recall, fmeasure: fmeasure(precision, recall) };
}

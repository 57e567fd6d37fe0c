import { extractAnswerUnchecked } from './extract.js';
import { parsePythonFloat } from './python/float.js';
import { pythonRound } from './python/round.js';
import { pythonSplit } from './python/whitespace.js';
import { computeRouge } from './text/rouge.js';
import { rougeTokens } from './text/tokenize.js';
import { cappedWordErrorRate, computeWordError } from './text/wer.js';
import type { AccuracyInput, ProblemTypeName } from './types.js';
import { assertObject, assertString } from './validate.js';

interface ExplanationBase {
  /** The accuracy reward, identical to `accuracyReward` for the same input. */
  readonly reward: number;
  readonly problemType: string;
  /** Answer extracted from the completion (`""` when it has no `<answer>…</answer>`). */
  readonly outputAnswer: string;
  /** Answer extracted from the solution. */
  readonly groundTruthAnswer: string;
  /** One sentence saying which rule gave the reward. */
  readonly description: string;
}

export type NumericalOutcome = 'decimal-mismatch' | 'unparsable' | 'equal' | 'different';

export type AccuracyExplanation =
  | (ExplanationBase & { readonly rule: 'multiple-choice-exact'; readonly match: boolean })
  | (ExplanationBase & {
      readonly rule: 'numerical-round-2';
      readonly outcome: NumericalOutcome;
      readonly groundTruthHasDecimal: boolean;
      readonly outputHasDecimal: boolean;
      /** Python `float(s.replace(',', ''))`, null where Python raises. */
      readonly groundTruthNumber: number | null;
      readonly outputNumber: number | null;
      /** Python `round(x, 2)`, null when not reached. */
      readonly groundTruthRounded: number | null;
      readonly outputRounded: number | null;
    })
  | (ExplanationBase & {
      readonly rule: 'ocr-word-error-rate';
      readonly wordErrorRate: number;
      readonly editDistance: number;
      readonly referenceWords: readonly string[];
      readonly hypothesisWords: readonly string[];
    })
  | (ExplanationBase & {
      readonly rule: 'free-form-rouge';
      readonly rouge1: number;
      readonly rouge2: number;
      readonly rougeL: number;
      readonly averageFmeasure: number;
      readonly referenceTokens: readonly string[];
      readonly hypothesisTokens: readonly string[];
    })
  | (ExplanationBase & {
      readonly rule: 'regression-relative-error';
      readonly outcome: 'unparsable' | 'scored';
      readonly groundTruthNumber: number | null;
      readonly outputNumber: number | null;
      /** (|out − gt| + 1e-9) / (|gt| + 1e-9) before clamping; null when not reached. */
      readonly relativeDifference: number | null;
    })
  | (ExplanationBase & { readonly rule: 'unknown-problem-type' })
  | (ExplanationBase & {
      readonly rule: 'exception';
      /** What failed; the reference catches every exception and scores 0. */
      readonly error: string;
    });

export type AccuracyRule = AccuracyExplanation['rule'];

/**
 * Video-R1's accuracy reward for one completion (`accuracy_reward` in grpo.py):
 *
 * | problem type | reward |
 * |---|---|
 * | `multiple choice` | 1 if the extracted answers are identical, else 0 |
 * | `numerical` | 0 if exactly one answer contains "." or ","; else 1 if Python `round(float(x.replace(',', '')), 2)` agree, 0 if they differ or either fails to parse |
 * | `OCR` | clamp(1 − WER(gt, out), 0, 1) |
 * | `free-form` | clamp(mean F of ROUGE-1/2/L with stemming, 0, 1) |
 * | `regression` | 1 − clamp((\|out − gt\| + 1e-9) / (\|gt\| + 1e-9), 0, 1); 0 if either fails to parse |
 * | anything else | 0 |
 *
 * Never throws on strings (the reference's exception paths give 0); throws `TypeError`
 * when an argument has the wrong type.
 */
export function accuracyReward(input: AccuracyInput): number {
  assertAccuracyInput(input, 'accuracyReward');
  return scoreAccuracy(input.problemType, input.completion, input.solution);
}

/** `accuracyReward` plus what was extracted, parsed and compared, and which rule applied. */
export function explainAccuracy(input: AccuracyInput): AccuracyExplanation {
  assertAccuracyInput(input, 'explainAccuracy');
  const outputAnswer = extractAnswerUnchecked(input.completion);
  const groundTruthAnswer = extractAnswerUnchecked(input.solution);
  const base = { problemType: input.problemType, outputAnswer, groundTruthAnswer };
  try {
    return explainRule(input.problemType, outputAnswer, groundTruthAnswer, base);
  } catch (error) {
    return {
      ...base,
      rule: 'exception',
      reward: 0,
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      description: 'the reference raised an exception here, which accuracy_reward catches and scores 0',
    };
  }
}

export function assertAccuracyInput(input: unknown, fn: string): asserts input is AccuracyInput {
  assertObject(input, fn, 'input');
  assertString(input.problemType, fn, 'problemType');
  assertString(input.completion, fn, 'completion');
  assertString(input.solution, fn, 'solution');
}

/** The unchecked scorer behind `accuracyReward` and the batch API. */
export function scoreAccuracy(problemType: string, completion: string, solution: string): number {
  // Other types score 0 whatever the answers (extraction cannot fail), so skip it.
  if (!isProblemType(problemType)) return 0;
  const outputAnswer = extractAnswerUnchecked(completion);
  const groundTruthAnswer = extractAnswerUnchecked(solution);
  try {
    switch (problemType) {
      case 'multiple choice':
        // extract_answer already strips, so `.strip()` again changes nothing.
        return outputAnswer === groundTruthAnswer ? 1 : 0;
      case 'numerical':
        return numericalReward(groundTruthAnswer, outputAnswer);
      case 'OCR':
        // Capped at 1: past it the reward is 0 whatever the exact WER.
        return clampUnit(1 - cappedWordErrorRate(groundTruthAnswer, outputAnswer));
      case 'free-form':
        return clampUnit(computeRouge(groundTruthAnswer, outputAnswer).averageFmeasure);
      case 'regression':
        return regressionReward(groundTruthAnswer, outputAnswer);
      default:
        return 0;
    }
  } catch {
    // accuracy_reward wraps everything in `except Exception: reward = 0.0`.
    return 0;
  }
}

function isProblemType(problemType: string): boolean {
  switch (problemType) {
    case 'multiple choice':
    case 'numerical':
    case 'OCR':
    case 'free-form':
    case 'regression':
      return true;
    default:
      return false;
  }
}

function hasDecimalMark(s: string): boolean {
  return s.indexOf('.') !== -1 || s.indexOf(',') !== -1;
}

/** Video-R1's `normalize_number`: `float(s.replace(',', ''))`, None on failure. */
function normalizeNumber(s: string): number | null {
  return parsePythonFloat(s.indexOf(',') === -1 ? s : s.replaceAll(',', ''));
}

function numericalReward(groundTruth: string, output: string): number {
  if (hasDecimalMark(groundTruth) !== hasDecimalMark(output)) return 0;
  const gt = normalizeNumber(groundTruth);
  const out = normalizeNumber(output);
  if (gt === null || out === null) return 0;
  return pythonRound(gt, 2) === pythonRound(out, 2) ? 1 : 0;
}

function regressionDifference(gt: number, out: number): number {
  return (Math.abs(out - gt) + 1e-9) / (Math.abs(gt) + 1e-9);
}

function regressionReward(groundTruth: string, output: string): number {
  const gt = normalizeNumber(groundTruth);
  const out = normalizeNumber(output);
  if (gt === null || out === null) return 0;
  return 1 - pythonMin(1, pythonMax(0, regressionDifference(gt, out)));
}

/**
 * Python's built-in max(a, b) keeps `a` unless `b > a`, so max(0.0, nan) is 0.0 (and the
 * regression reward of a NaN or infinite ground truth is 1 in the reference).
 */
function pythonMax(a: number, b: number): number {
  return b > a ? b : a;
}

function pythonMin(a: number, b: number): number {
  return b < a ? b : a;
}

/** The reference's `max(0.0, min(1.0, x))`. */
function clampUnit(x: number): number {
  return pythonMax(0, pythonMin(1, x));
}

function explainRule(
  problemType: ProblemTypeName,
  outputAnswer: string,
  groundTruthAnswer: string,
  base: { problemType: string; outputAnswer: string; groundTruthAnswer: string },
): AccuracyExplanation {
  switch (problemType) {
    case 'multiple choice': {
      const match = outputAnswer === groundTruthAnswer;
      return {
        ...base,
        rule: 'multiple-choice-exact',
        match,
        reward: match ? 1 : 0,
        description: match ? 'extracted answers are identical' : 'extracted answers differ',
      };
    }
    case 'numerical': {
      const groundTruthHasDecimal = hasDecimalMark(groundTruthAnswer);
      const outputHasDecimal = hasDecimalMark(outputAnswer);
      const common = { ...base, rule: 'numerical-round-2' as const, groundTruthHasDecimal, outputHasDecimal };
      if (groundTruthHasDecimal !== outputHasDecimal) {
        return {
          ...common,
          outcome: 'decimal-mismatch',
          groundTruthNumber: null,
          outputNumber: null,
          groundTruthRounded: null,
          outputRounded: null,
          reward: 0,
          description: 'exactly one of the answers contains "." or ","',
        };
      }
      const groundTruthNumber = normalizeNumber(groundTruthAnswer);
      const outputNumber = normalizeNumber(outputAnswer);
      if (groundTruthNumber === null || outputNumber === null) {
        return {
          ...common,
          outcome: 'unparsable',
          groundTruthNumber,
          outputNumber,
          groundTruthRounded: null,
          outputRounded: null,
          reward: 0,
          description: `${groundTruthNumber === null ? 'the ground truth' : 'the output'} is not a Python float after removing ","`,
        };
      }
      const groundTruthRounded = pythonRound(groundTruthNumber, 2);
      const outputRounded = pythonRound(outputNumber, 2);
      const equal = groundTruthRounded === outputRounded;
      return {
        ...common,
        outcome: equal ? 'equal' : 'different',
        groundTruthNumber,
        outputNumber,
        groundTruthRounded,
        outputRounded,
        reward: equal ? 1 : 0,
        description: equal ? 'equal after Python round(x, 2)' : 'different after Python round(x, 2)',
      };
    }
    case 'OCR': {
      const result = computeWordError(groundTruthAnswer, outputAnswer);
      return {
        ...base,
        rule: 'ocr-word-error-rate',
        wordErrorRate: result.wer,
        editDistance: result.distance,
        referenceWords: pythonSplit(groundTruthAnswer),
        hypothesisWords: pythonSplit(outputAnswer),
        reward: clampUnit(1 - result.wer),
        description: `1 - WER clamped to [0, 1]: ${result.distance} word edits over ${Math.max(1, result.referenceLength)} reference words`,
      };
    }
    case 'free-form': {
      const rouge = computeRouge(groundTruthAnswer, outputAnswer);
      return {
        ...base,
        rule: 'free-form-rouge',
        rouge1: rouge.rouge1.fmeasure,
        rouge2: rouge.rouge2.fmeasure,
        rougeL: rouge.rougeL.fmeasure,
        averageFmeasure: rouge.averageFmeasure,
        referenceTokens: rougeTokens(groundTruthAnswer),
        hypothesisTokens: rougeTokens(outputAnswer),
        reward: clampUnit(rouge.averageFmeasure),
        description: 'mean of the ROUGE-1, ROUGE-2 and ROUGE-L F-measures (stemmed), clamped to [0, 1]',
      };
    }
    case 'regression': {
      const groundTruthNumber = normalizeNumber(groundTruthAnswer);
      const outputNumber = normalizeNumber(outputAnswer);
      if (groundTruthNumber === null || outputNumber === null) {
        return {
          ...base,
          rule: 'regression-relative-error',
          outcome: 'unparsable',
          groundTruthNumber,
          outputNumber,
          relativeDifference: null,
          reward: 0,
          description: `${groundTruthNumber === null ? 'the ground truth' : 'the output'} is not a Python float after removing ","`,
        };
      }
      const relativeDifference = regressionDifference(groundTruthNumber, outputNumber);
      return {
        ...base,
        rule: 'regression-relative-error',
        outcome: 'scored',
        groundTruthNumber,
        outputNumber,
        relativeDifference,
        reward: 1 - pythonMin(1, pythonMax(0, relativeDifference)),
        description: '1 - clamp((|out - gt| + 1e-9) / (|gt| + 1e-9), 0, 1), with Python max/min (NaN clamps to 0)',
      };
    }
    default:
      return {
        ...base,
        rule: 'unknown-problem-type',
        reward: 0,
        description: `"${problemType}" is not one of the five Video-R1 problem types (matched exactly), so the reward is 0`,
      };
  }
}

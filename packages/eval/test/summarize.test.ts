import { describe, expect, it } from 'vitest';
import { finalAcc, float32Mean, summarize, toResult } from '../src/index.js';
import type { EvalResult, ScoringProfile } from '../src/index.js';
import { textRecord } from './helpers/samples.js';

function result(sample: { problem_type: string; solution: string; [field: string]: unknown }, output: string, profile: ScoringProfile = 'video-r1', benchmark?: string): EvalResult {
  return toResult(textRecord({ problem: 'q', ...sample }), output, { profile, ...(benchmark ? { benchmark } : {}) });
}

describe('final_acc as eval_bench.py computes it', () => {
  it('averages non-regression and regression rewards apart, in float32', () => {
    const results = [
      result({ problem_type: 'multiple choice', solution: '<answer>A</answer>' }, '<answer>A</answer>'),
      result({ problem_type: 'multiple choice', solution: '<answer>A</answer>' }, '<answer>B</answer>'),
      result({ problem_type: 'numerical', solution: '<answer>3</answer>' }, '3'),
      result({ problem_type: 'OCR', solution: '<answer>hello</answer>' }, '<answer>hello</answer>'), // 0 in the reference
      result({ problem_type: 'regression', solution: '<answer>10</answer>' }, '<answer>10</answer>'),
      result({ problem_type: 'regression', solution: '<answer>10</answer>' }, '<answer>13.3</answer>'),
    ];
    const acc = finalAcc(results);
    expect(acc.mean_acc).toBe(Math.fround(2 / 4));
    // MRA(13.3, 10) = 4/10 in float32; torch's mean of [1, 0.4f] is float32 too.
    expect(acc.mean_mra).toBe(Math.fround((1 + Math.fround(0.4)) / 2));
    expect(acc.mean_mra).not.toBe(0.7); // the float64 mean would be 0.7
  });

  it('gives null (torch NaN) for an empty mean_acc and 0 for an empty mean_mra', () => {
    expect(finalAcc([])).toEqual({ mean_acc: null, mean_mra: 0 });
    expect(Number.isNaN(float32Mean([]))).toBe(true);
  });
});

describe('summarize', () => {
  const samples: [string, string, string, string][] = [
    // task, problem type, solution, output
    ['direction', 'multiple choice', '<answer>B</answer>', '<think>moving left</think><answer>B</answer>'],
    ['direction', 'multiple choice', '<answer>C</answer>', '<answer>A</answer>'],
    ['flash-count', 'numerical', '<answer>4</answer>', '<answer>4</answer>'],
    ['stop-time', 'regression', '<answer>2.5</answer>', '<answer>2.5</answer>'],
    ['word', 'OCR', '<answer>red fox</answer>', '<answer>red box</answer>'],
    ['describe', 'free-form', '<answer>a red square moves left</answer>', '<answer>a red square moves left</answer>'],
  ];
  const results = samples.map(([task, type, solution, output]) => result({ task, problem_type: type, solution }, output));

  it('breaks results down by benchmark, problem type and the task field, with counts', () => {
    const s = summarize(results, { benchmark: 'synthetic' });
    expect(s.category_field).toBe('task');
    expect(Object.keys(s.by_benchmark)).toEqual(['Synthetic']);
    expect(s.by_benchmark.Synthetic).toMatchObject({ count: 6, acc_count: 5, mra_count: 1, errors: 0 });
    expect(s.by_problem_type['multiple choice']).toMatchObject({ count: 2, mean_acc: 0.5, mean_mra: null });
    expect(s.by_problem_type.regression).toMatchObject({ count: 1, mean_acc: null, mean_mra: 1 });
    expect(s.by_category.direction).toMatchObject({ count: 2, overall: 0.5 });
    expect(s.total.overall).toBeCloseTo(3 / 6, 12);
  });

  it('reports OCR (1 − WER) and free-form (ROUGE) separately, never in the reference numbers', () => {
    const s = summarize(results);
    expect(s.extra.ocr).toMatchObject({ count: 1, mean: 0.5 }); // one word of two wrong
    expect(s.extra.free_form).toMatchObject({ count: 1, mean: 1 });
    expect(s.by_problem_type.OCR!.mean_acc).toBe(0);
    expect(s.by_problem_type['free-form']!.mean_acc).toBe(0);
  });

  it('lmms-eval profile: VSI-Bench overall is the mean of category means, object_rel_direction_* merged', () => {
    const vsi = (question_type: string, type: string, solution: string, output: string) =>
      result({ question_type, problem_type: type, solution, options: ['A. x', 'B. y', 'C. z', 'D. w'] }, output, 'lmms-eval', 'VSI-Bench');
    const rs = [
      vsi('object_counting', 'regression', '<answer>4</answer>', '<answer>4</answer>'), // 1
      vsi('object_counting', 'regression', '<answer>4</answer>', '<answer>2</answer>'), // |2-4|/4 = .5 <= .5 → 0.1
      vsi('route_planning', 'multiple choice', '<answer>B</answer>', '<answer>b. because</answer>'), // fuzzy "b" → 1
      vsi('object_rel_direction_easy', 'multiple choice', '<answer>A</answer>', '<answer>A</answer>'), // 1
      vsi('object_rel_direction_hard', 'multiple choice', '<answer>A</answer>', '<answer>C</answer>'), // 0
      vsi('object_rel_direction_hard', 'multiple choice', '<answer>A</answer>', '<answer>C</answer>'), // 0
    ];
    expect(rs.map((r) => r.reward)).toEqual([1, 0.1, 1, 1, 0, 0]);
    const lmms = summarize(rs, { profile: 'lmms-eval', benchmark: 'vsibench' });
    // counting 0.55, route 1, direction (easy 1 + hard 0) / 2 = 0.5 → (0.55 + 1 + 0.5) / 3
    expect(lmms.total.overall).toBeCloseTo((0.55 + 1 + 0.5) / 3, 12);
    expect(lmms.by_benchmark['VSI-Bench']!.overall).toBeCloseTo((0.55 + 1 + 0.5) / 3, 12);
    expect(lmms.overall_method).toContain('question_type');

    const r1 = summarize(rs.map((r) => toResult(r, r.output, { profile: 'video-r1', benchmark: 'vsibench' })), { benchmark: 'vsibench' });
    // Video-R1: exact match after strip ("b. because" ≠ "B") and MRA with "<" (the .5 boundary is out → 0).
    expect(r1.total.overall).toBeCloseTo((1 + 0 + 0 + 1 + 0 + 0) / 6, 12);
  });

  it('lmms-eval profile: MVBench overall counts only answered samples', () => {
    const mv = (output: string) => result({ problem_type: 'multiple choice', solution: '<answer>A</answer>' }, output, 'lmms-eval', 'mvbench');
    const rs = [mv('(A) the cup'), mv('B'), mv('')];
    expect(rs.map((r) => r.reward)).toEqual([1, 0, 0]);
    expect(summarize(rs, { profile: 'lmms-eval', benchmark: 'mvbench' }).total.overall).toBe(0.5);
    expect(summarize(rs, { benchmark: 'mvbench' }).total.overall).toBeCloseTo(1 / 3, 12);
  });

  it('counts failed model calls', () => {
    const failed = toResult(textRecord({ problem: 'q', problem_type: 'multiple choice', solution: '<answer>A</answer>' }), '', { profile: 'video-r1', error: { kind: 'http', message: 'HTTP 500', status: 500 } });
    const s = summarize([failed, ...results]);
    expect(s.total.errors).toBe(1);
    expect(failed).toMatchObject({ output: '', prediction: '', reward: 0, correct: false });
  });
});

describe('toResult writes what eval_bench.py writes', () => {
  it('adds output, prediction, reward, correct and process in that order, keeping the sample fields', () => {
    const r = toResult({ problem_id: 7, problem: 'q', problem_type: 'numerical', data_type: 'video', solution: '<answer>3.5</answer>', path: './a.mp4' }, '<think>\n  count \n</think><answer> 3.50 </answer>', { profile: 'video-r1' });
    expect(Object.keys(r)).toEqual(['problem_id', 'problem', 'problem_type', 'data_type', 'solution', 'path', 'output', 'prediction', 'reward', 'correct', 'process']);
    expect(r).toMatchObject({ prediction: '3.50', reward: 1, correct: true, process: '<think>count</think>' });
  });

  it('takes the whole output as the prediction when there is no <answer> (training would score 0)', () => {
    const r = toResult(textRecord({ problem: 'q', problem_type: 'multiple choice', solution: '<answer>C</answer>' }), ' C\n', { profile: 'video-r1' });
    expect(r).toMatchObject({ prediction: ' C\n', reward: 1 });
    expect('process' in r).toBe(false);
  });
});

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeJsonAtomic } from '@video-r1/cli-kit';
import { benchmarkFromFileName, parsePythonJson, rescoreFile, runEvaluation } from '../src/index.js';
import type { ModelAdapter } from '../src/index.js';
import { textRecord } from './helpers/samples.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'eval-files-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

// What eval_bench.py writes (json.dump, indent=2): no eval_key, no evaluation block, and a bare NaN
// where torch's mean of an empty list ended up in final_acc.
const VIDEO_R1_FILE = `{
  "results": [
    { "problem_id": 1, "problem": "How many chairs?", "data_type": "video", "problem_type": "regression", "options": [], "solution": "<answer>4</answer>", "path": "./Evaluation/VSI-Bench/a.mp4", "question_type": "object_counting",
      "output": "<think>two on the left, two on the right</think><answer>4</answer>", "prediction": "4", "reward": 0.0, "correct": false },
    { "problem_id": 2, "problem": "Which is closer?", "data_type": "video", "problem_type": "multiple choice", "options": ["A. sofa", "B. bed"], "solution": "<answer>B</answer>", "path": "./Evaluation/VSI-Bench/b.mp4", "question_type": "object_rel_distance",
      "output": "<answer>B</answer>", "prediction": "B", "reward": 1.0, "correct": true }
  ],
  "final_acc": [{ "mean_acc": NaN, "mean_mra": 0.5 }]
}`;

describe("re-scoring Video-R1's own output files", () => {
  it('reads bare NaN as Python writes it, and recomputes rewards from the outputs', async () => {
    const file = join(dir, 'eval_vsibench_Video-R1-7B_greedy_output.json');
    await writeFile(file, VIDEO_R1_FILE);
    const { body, previousFinalAcc } = await rescoreFile(file);
    expect(previousFinalAcc).toEqual([{ mean_acc: null, mean_mra: 0.5 }]);
    expect(body.results.map((r) => r.reward)).toEqual([1, 1]); // the stored 0.0 was wrong: MRA(4, 4) = 1
    expect(body.final_acc).toEqual([{ mean_acc: 1, mean_mra: 1 }]);
    expect(body.summary!.by_benchmark['VSI-Bench']).toMatchObject({ count: 2 });
    expect(body.summary!.category_field).toBe('question_type');
  });

  it('says which file, index and field when a result cannot be re-scored', async () => {
    const file = join(dir, 'broken.json');
    await writeFile(file, JSON.stringify({ results: [{ problem_type: 'numerical', solution: '<answer>1</answer>', output: 'x' }, { problem_type: 'numerical', solution: '' }] }));
    await expect(rescoreFile(file)).rejects.toThrow(`${file}: results[1] has no string "output"`);
    await writeFile(file, '{"results": [1, 2');
    await expect(rescoreFile(file)).rejects.toThrow(`${file} is not valid JSON`);
  });

  it('resumes a file eval_bench.py started, matching its results by position as its own resume does', async () => {
    const file = join(dir, 'eval_vsibench_partial.json');
    const parsed = parsePythonJson(VIDEO_R1_FILE) as { results: object[] };
    await writeJsonAtomic(file, { results: parsed.results.slice(0, 1) });
    const samples = (parsed.results as { problem_id: number }[]).map(({ problem_id }) => textRecord({ problem_id, problem: `Q${problem_id}`, problem_type: 'multiple choice', options: ['A. x', 'B. y'], solution: '<answer>B</answer>' }));
    const asked: string[] = [];
    const adapter: ModelAdapter = { name: 'echo', generate: async (s) => (asked.push(String(s.problem_id)), { output: '<answer>B</answer>' }) };
    const run = await runEvaluation({ benchmark: 'vsibench', samples, adapter, outputPath: file, dataRoot: dir, resume: true });
    expect(asked).toEqual(['2']);
    expect(run.results.map((r) => r.problem_id)).toEqual([1, 2]);
    const written = JSON.parse(await readFile(file, 'utf8')) as { evaluation: { profile: string; complete: boolean }; results: { eval_key: string }[] };
    expect(written.evaluation).toMatchObject({ profile: 'video-r1', complete: true });
    expect(written.results.map((r) => r.eval_key)).toEqual(['id:1', 'id:2']);
  });

  it('names benchmarks from Video-R1 file names', () => {
    expect(benchmarkFromFileName('/x/eval_vsibench_Video-R1-7B_greedy_output.json')).toBe('vsibench');
    expect(benchmarkFromFileName('eval_mvbench.json')).toBe('mvbench');
    expect(benchmarkFromFileName('eval_videomme_32frames_greedy_output.json')).toBe('videomme');
  });
});

describe('resume safety', () => {
  it('refuses a file written with another frame budget or for other samples', async () => {
    const file = join(dir, 'out.json');
    const samples = [1, 2, 3].map((i) => textRecord({ problem_id: i, problem: `Q${i}`, problem_type: 'numerical', solution: `<answer>${i}</answer>` }));
    const adapter: ModelAdapter = { name: 'm', generate: async (s) => ({ output: `<answer>${String(s.problem_id)}</answer>` }) };
    const base = { benchmark: 'synthetic', adapter, outputPath: file, dataRoot: dir, resume: true };
    await runEvaluation({ ...base, samples, maxFrames: 16 });
    await expect(runEvaluation({ ...base, samples, maxFrames: 32 })).rejects.toThrow(/max_frames 16 ≠ 32/);
    await expect(runEvaluation({ ...base, samples: samples.slice(0, 2), maxFrames: 16 })).rejects.toThrow(/1 result\(s\) for samples outside this run \(id:3\)/);
    const grown = await runEvaluation({ ...base, samples: [...samples, textRecord({ problem_id: 4, problem: 'Q4', problem_type: 'numerical', solution: '<answer>4</answer>' })], maxFrames: 16 });
    expect(grown).toMatchObject({ resumed: 3, evaluated: 1 });
  });

  it('asks again about samples whose earlier call failed', async () => {
    const file = join(dir, 'out.json');
    const samples = [1, 2].map((i) => textRecord({ problem_id: i, problem: `Q${i}`, problem_type: 'numerical', solution: `<answer>${i}</answer>` }));
    let failing = true;
    const adapter: ModelAdapter = {
      name: 'flaky',
      generate: async (s) => {
        if (failing && s.problem_id === 2) throw new Error('GPU out of memory');
        return { output: `<answer>${String(s.problem_id)}</answer>` };
      },
    };
    const first = await runEvaluation({ benchmark: 'b', samples, adapter, outputPath: file, dataRoot: dir });
    expect(first.results[1]!.error).toEqual({ kind: 'adapter', message: 'GPU out of memory' });
    failing = false;
    const second = await runEvaluation({ benchmark: 'b', samples, adapter, outputPath: file, dataRoot: dir, resume: true });
    expect(second).toMatchObject({ resumed: 1, evaluated: 1, errors: 0 });
    expect(second.results[1]).toMatchObject({ reward: 1 });
    expect('error' in second.results[1]!).toBe(false);
  });
});

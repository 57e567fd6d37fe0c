import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runEvaluation } from '../src/index.js';
import type { GenerateRequest, ModelAdapter } from '../src/index.js';
import { textRecord } from './helpers/samples.js';

describe('adapters that answer in groups (generateBatch)', () => {
  it('get consecutive groups in sample order; an item that fails alone fails alone', async () => {
    const samples = Array.from({ length: 7 }, (_, i) => textRecord({ problem_id: i, problem: `Q${i}`, problem_type: 'numerical', solution: `<answer>${i}</answer>` }));
    const groups: number[][] = [];
    const adapter: ModelAdapter = {
      name: 'grouped',
      groupSize: 3,
      generate: async () => {
        throw new Error('generate() must not be called when generateBatch exists');
      },
      generateBatch: async (items: ReadonlyArray<{ sample: (typeof samples)[number]; request: GenerateRequest }>) => {
        groups.push(items.map((item) => Number(item.sample.problem_id)));
        return items.map(({ sample }) => (sample.problem_id === 4 ? { error: new Error('cannot decode sample 4') } : { output: `<answer>${String(sample.problem_id)}</answer>` }));
      },
    };
    const run = await runEvaluation({ benchmark: 'b', samples, adapter, outputPath: null, dataRoot: await mkdtemp(join(tmpdir(), 'eval-batch-')), concurrency: 8 });
    expect(groups).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
    expect(run.results.map((r) => r.reward)).toEqual([1, 1, 1, 1, 0, 1, 1]);
    expect(run.results[4]!.error).toEqual({ kind: 'adapter', message: 'cannot decode sample 4' });
    expect(run).toMatchObject({ outputPath: null, evaluated: 7, errors: 1 });
  });

  it('a throwing group fails each of its samples and the run goes on', async () => {
    const samples = Array.from({ length: 4 }, (_, i) => textRecord({ problem_id: i, problem: `Q${i}`, problem_type: 'numerical', solution: `<answer>${i}</answer>` }));
    const adapter: ModelAdapter = {
      name: 'half-broken',
      groupSize: 2,
      generate: async () => ({ output: '' }),
      generateBatch: async (items) => {
        if (items.some(({ sample }) => sample.problem_id === 0)) throw new Error('out of memory');
        return items.map(({ sample }) => ({ output: `<answer>${String(sample.problem_id)}</answer>` }));
      },
    };
    const run = await runEvaluation({ benchmark: 'b', samples, adapter, outputPath: null, dataRoot: tmpdir() });
    expect(run.results.map((r) => r.error?.message ?? r.reward)).toEqual(['out of memory', 'out of memory', 1, 1]);
  });
});

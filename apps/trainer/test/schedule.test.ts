import { describe, expect, it } from 'vitest';
import { ablationMarkdown, ablationRows, cellOf } from '../src/evaluation/ablation.js';
import type { AccuracySummary } from '../src/evaluation/types.js';
import { learningRate, SampleOrder, stepRng, warmupSteps } from '../src/run/schedule.js';

describe('step randomness and data order', () => {
  it('derives each step stream from (seed, stage, step) only', () => {
    const draw = (seed: number, stage: string, step: number) => Array.from({ length: 4 }, stepRng(seed, stage, step));
    expect(draw(1, 'rl', 5)).toEqual(draw(1, 'rl', 5));
    expect(draw(1, 'rl', 5)).not.toEqual(draw(1, 'rl', 6));
    expect(draw(1, 'rl', 5)).not.toEqual(draw(2, 'rl', 5));
  });

  it('visits every sample once per epoch, in a new order each epoch, from any position', () => {
    const order = new SampleOrder(10, 7);
    const epoch0 = Array.from({ length: 10 }, (_, i) => order.at(i));
    const epoch1 = Array.from({ length: 10 }, (_, i) => order.at(10 + i));
    expect([...epoch0].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect([...epoch1].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(epoch1).not.toEqual(epoch0);
    // A fresh object (a resumed process) starting mid-stream sees the same samples.
    expect(new SampleOrder(10, 7).at(13)).toBe(epoch1[3]);
  });

  it('follows a cosine schedule from the base rate towards 0', () => {
    expect(learningRate('constant', 1e-3, 50, 100)).toBe(1e-3);
    expect(learningRate('cosine', 1e-3, 1, 100)).toBeCloseTo(1e-3, 12);
    expect(learningRate('cosine', 1e-3, 51, 100)).toBeCloseTo(5e-4, 12);
    expect(learningRate('cosine', 1e-3, 100, 100)).toBeLessThan(1e-6);
  });

  it('warms up linearly, then decays over the remaining steps (HF get_cosine_schedule_with_warmup)', () => {
    expect(warmupSteps(0.1, 60)).toBe(6);
    expect(warmupSteps(0.1, 6)).toBe(1);
    expect(warmupSteps(0, 60)).toBe(0);
    const rates = Array.from({ length: 60 }, (_, i) => learningRate('cosine', 1e-3, i + 1, 60, 6));
    expect(rates.slice(0, 6).map((r) => r / 1e-3)).toEqual([1, 2, 3, 4, 5, 6].map((k) => expect.closeTo(k / 6, 12)));
    expect(rates[6]).toBeCloseTo(1e-3, 12);
    expect(learningRate('cosine', 1e-3, 34, 60, 6)).toBeCloseTo(5e-4, 12);
    expect(Math.max(...rates)).toBeCloseTo(1e-3, 12);
    expect(learningRate('constant', 1e-3, 3, 60, 6)).toBeCloseTo(5e-4, 12);
    expect(learningRate('constant', 1e-3, 40, 60, 6)).toBe(1e-3);
  });
});

describe('ablation table', () => {
  const summary = (overall: number, temporal: number): AccuracySummary => ({
    overall,
    count: 10,
    byProblemType: { numerical: overall },
    byTask: { direction: temporal, 'image-count': overall },
    temporal,
    formatRate: 1,
  });

  it('gives mean and sample std over seeds', () => {
    const cell = cellOf([0.2, 0.4, 0.6])!;
    expect(cell.mean).toBeCloseTo(0.4);
    expect(cell.std).toBeCloseTo(0.2);
    expect(cellOf([0.5])).toMatchObject({ mean: 0.5, std: 0, n: 1 });
  });

  it('has rows for overall, problem types, the temporal kinds and each kind', () => {
    const models = [
      { name: 'SFT', results: [summary(0.3, 0.2)] },
      { name: 'SFT+T-GRPO', results: [summary(0.4, 0.5), summary(0.5, 0.7)] },
    ];
    const rows = ablationRows(models, new Set(['direction']));
    expect(rows.map((r) => r.label)).toEqual(['overall', 'numerical', 'temporal kinds', 'direction', 'image-count']);
    expect(rows[2]!.cells[1]!.mean).toBeCloseTo(0.6);
    const md = ablationMarkdown(rows, models, { seeds: [1, 2] });
    expect(md).toContain('| **temporal kinds** | 20.0 | 60.0 ± 14.1 |');
    expect(md).toContain('kind: direction (temporal)');
  });
});

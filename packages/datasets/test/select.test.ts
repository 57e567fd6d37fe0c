import { createRng, fnv1a as tensorFnv1a, shuffled as tensorShuffled } from '@video-r1/tensor/random';
import { describe, expect, it } from 'vitest';
import { balancedSample, filterRecords, fnv1a, groupRecords, shuffled, splitTrainVal } from '../src/select.js';
import type { VideoR1Record } from '../src/types.js';

const records: VideoR1Record[] = [];
for (let i = 0; i < 600; i++) {
  records.push({
    problem_id: i,
    problem: `q${i}`,
    data_type: i % 3 === 0 ? 'image' : 'video',
    problem_type: i % 5 === 0 ? 'numerical' : 'multiple choice',
    options: ['A. a'],
    solution: '<answer>A</answer>',
    path: `./m/${Math.floor(i / 3)}.mp4`, // three questions per media file
    data_source: i < 500 ? 'big/source' : i < 580 ? 'mid/source' : 'small',
  });
}

describe('selection', () => {
  it('filters by data type, problem type and source (exact or prefix)', async () => {
    const got = filterRecords(records, { dataTypes: ['video'], problemTypes: ['numerical'], sources: ['big/'] });
    expect(got.length).toBeGreaterThan(0);
    expect(got.every((r) => r.data_type === 'video' && r.problem_type === 'numerical' && r.data_source === 'big/source')).toBe(true);
    expect(filterRecords(records, { sources: ['small'] })).toHaveLength(20);
    async function* stream() {
      yield* records;
    }
    let n = 0;
    for await (const r of filterRecords(stream(), { sources: ['mid*'] })) if (r.data_source === 'mid/source') n++;
    expect(n).toBe(80);
  });

  it("re-exports @video-r1/tensor's shuffled and fnv1a (deprecated here, one release)", () => {
    expect(shuffled).toBe(tensorShuffled);
    expect(fnv1a).toBe(tensorFnv1a);
  });

  it('balances sources: equal shares until a source runs out', () => {
    const equal = balancedSample(records, { by: 'data_source', rng: createRng(3) });
    expect([...groupRecords(equal, 'data_source').values()].map((g) => g.length)).toEqual([20, 20, 20]);
    const capped = balancedSample(records, { by: 'data_source', total: 150, rng: createRng(3) });
    const counts = Object.fromEntries([...groupRecords(capped, 'data_source')].map(([k, g]) => [k, g.length]));
    expect(counts).toEqual({ 'big/source': 65, 'mid/source': 65, small: 20 });
    expect(balancedSample(records, { by: 'data_source', total: 150, rng: createRng(3) })).toEqual(capped);
  });

  it('splits deterministically, order-independently, never splitting one media file', () => {
    const { train, validation } = splitTrainVal(records, { valFraction: 0.2, seed: 5 });
    expect(train.length + validation.length).toBe(600);
    expect(validation.length / 600).toBeGreaterThan(0.1);
    expect(validation.length / 600).toBeLessThan(0.3);
    const valPaths = new Set(validation.map((r) => r.path));
    expect(train.some((r) => valPaths.has(r.path))).toBe(false);
    const reordered = splitTrainVal([...records].reverse(), { valFraction: 0.2, seed: 5 });
    expect(new Set(reordered.validation.map((r) => r.problem_id))).toEqual(new Set(validation.map((r) => r.problem_id)));
    expect(splitTrainVal(records, { valFraction: 0.2, seed: 6 }).validation).not.toEqual(validation);
    expect(() => splitTrainVal(records, { valFraction: 1.5 })).toThrow(RangeError);
  });
});

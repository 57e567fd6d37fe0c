import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readQwen25VLConfig } from '../src/checkpoint/config.js';
import { getRopeIndex, ropeIndexConfigOf, type RopeIndexInput } from '../src/rope/index.js';
import { readCases } from './helpers/visual-vectors.js';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
const configOf = (model: string) => ropeIndexConfigOf(readQwen25VLConfig(path.join(FIXTURES, 'models', model, 'config.json')));

describe('get_rope_index: parity cases', () => {
  const cases = readCases(path.join(FIXTURES, 'visual-cases.jsonl'), ['ropeIndex']);
  it('covers the no-grid path, masks, images and videos with and without second_per_grid_ts', () => {
    expect(cases.length).toBeGreaterThanOrEqual(20);
    expect(cases.some((c) => c.input['image_grid_thw'] === null && c.input['video_grid_thw'] === null)).toBe(true);
    expect(cases.some((c) => c.input['video_grid_thw'] !== null && c.input['second_per_grid_ts'] === null)).toBe(true);
  });
  for (const c of cases) {
    it(c.id, () => {
      const i = c.input;
      const out = getRopeIndex(configOf(c.model), {
        inputIds: i['input_ids'],
        attentionMask: i['attention_mask'],
        imageGridThw: i['image_grid_thw'],
        videoGridThw: i['video_grid_thw'],
        secondPerGridTs: i['second_per_grid_ts'],
      } as RopeIndexInput);
      expect(out.positionIds).toEqual(c.expect['position_ids']);
      expect(out.ropeDeltas).toEqual(c.expect['rope_deltas']);
    });
  }
});

describe('get_rope_index: semantics', () => {
  const config = { spatialMergeSize: 2, imageTokenId: 20, videoTokenId: 21, visionStartTokenId: 10, tokensPerSecond: 2 };

  it('scales video time in float32 and truncates (4.49–4.51), images get t = 0', () => {
    // A video of 3 merged frames, 1×1 merged cells each: T_i = trunc(i · spg · 2).
    const ids = [[1, 10, 21, 21, 21, 11, 2]];
    const out = getRopeIndex(config, { inputIds: ids, videoGridThw: [[3, 2, 2]], secondPerGridTs: [0.7] });
    // 0.7·2 = 1.4 → 1; 2·0.7·2 = 2.8 → 2; the text after continues from the visual's max + 1.
    expect(out.positionIds[0]).toEqual([[0, 1, 2, 3, 4, 5, 6]]);
    expect(out.positionIds[1]).toEqual([[0, 1, 2, 2, 2, 5, 6]]);
    expect(out.ropeDeltas).toEqual([0]);
    const slow = getRopeIndex(config, { inputIds: ids, videoGridThw: [[3, 2, 2]], secondPerGridTs: [2] });
    expect(slow.positionIds[0]).toEqual([[0, 1, 2, 6, 10, 11, 12]]);
    expect(slow.ropeDeltas).toEqual([6]);
  });

  it('puts 1 at padded positions and measures the delta against the padded length', () => {
    const out = getRopeIndex(config, {
      inputIds: [
        [0, 0, 10, 20, 20, 20, 20, 11],
        [5, 6, 7, 10, 20, 20, 20, 20],
      ],
      attentionMask: [
        [0, 0, 1, 1, 1, 1, 1, 1],
        [0, 0, 0, 0, 0, 0, 0, 1],
      ],
      imageGridThw: [[1, 4, 4]],
    });
    expect(out.positionIds[1]).toEqual([
      [1, 1, 0, 1, 1, 2, 2, 3],
      [1, 1, 1, 1, 1, 1, 1, 0],
    ]);
    expect(out.positionIds[2]![0]).toEqual([1, 1, 0, 1, 2, 1, 2, 3]);
    expect(out.ropeDeltas).toEqual([4 - 8, 1 - 8]);
  });

  it('without grids: cumsum(mask) − 1, or 0…L−1 and delta 0 without a mask', () => {
    const masked = getRopeIndex(config, { inputIds: [[3, 3, 4, 5]], attentionMask: [[0, 1, 1, 1]] });
    expect(masked.positionIds).toEqual([[[1, 0, 1, 2]], [[1, 0, 1, 2]], [[1, 0, 1, 2]]]);
    expect(masked.ropeDeltas).toEqual([-1]);
    const plain = getRopeIndex(config, { inputIds: [[3, 3, 4]] });
    expect(plain.positionIds[2]).toEqual([[0, 1, 2]]);
    expect(plain.ropeDeltas).toEqual([0]);
  });

  it('refuses placeholders the grids do not account for', () => {
    expect(() => getRopeIndex(config, { inputIds: [[10, 20, 20, 11]], imageGridThw: [[1, 4, 4]] })).toThrow(/grids account/);
    expect(() => getRopeIndex(config, { inputIds: [[10, 20, 11]], imageGridThw: [] })).toThrow(/no image_grid_thw/);
  });
});

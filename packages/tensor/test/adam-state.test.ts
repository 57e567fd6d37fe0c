import { describe, expect, it } from 'vitest';

import { packAdamMoments, unpackAdamMoments } from '../src/adam-state.js';

describe('packAdamMoments / unpackAdamMoments', () => {
  const m = [Float32Array.of(1, 2, 3), Float32Array.of(4)];
  const v = [Float32Array.of(0.5, 0.25, 0.125), Float32Array.of(8)];

  it('stores every first moment, then every second moment, in variable order', () => {
    expect(Array.from(packAdamMoments({ m, v }))).toEqual([1, 2, 3, 4, 0.5, 0.25, 0.125, 8]);
  });

  it('splits the packed array back into owned per-variable moments', () => {
    const packed = packAdamMoments({ m, v });
    const out = unpackAdamMoments(packed, [3, 1]);
    expect(out).not.toBeNull();
    expect(out!.m.map((a) => Array.from(a))).toEqual([[1, 2, 3], [4]]);
    expect(out!.v.map((a) => Array.from(a))).toEqual([[0.5, 0.25, 0.125], [8]]);
    packed.fill(0);
    expect(out!.m[0]![0]).toBe(1);
  });

  it('refuses data that does not hold exactly two moments per element', () => {
    expect(unpackAdamMoments(new Float32Array(7), [3, 1])).toBeNull();
    expect(unpackAdamMoments(new Float32Array(9), [3, 1])).toBeNull();
    expect(unpackAdamMoments(new Float32Array(8), [3, 2])).toBeNull();
  });
});

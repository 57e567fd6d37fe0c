import { describe, expect, it } from 'vitest';

import { completionMask } from '../src/index.js';

describe('completionMask', () => {
  it('covers tokens up to and including the first EOS, pads to the longest row', () => {
    const EOS = 9;
    expect(completionMask([[1, 2, EOS, 4], [5], []], EOS)).toEqual([
      [1, 1, 1, 0],
      [1, 0, 0, 0],
      [0, 0, 0, 0],
    ]);
  });

  it('takes an explicit width, cutting longer rows', () => {
    expect(completionMask([[1, 2, 3]], 0, 2)).toEqual([[1, 1]]);
    expect(completionMask([[1]], 0, 3)).toEqual([[1, 0, 0]]);
  });
});

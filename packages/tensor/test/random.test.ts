import { describe, expect, it } from 'vitest';

import { createRng, fnv1a, permutation, pick, randInt, RandomError, rngFor, shuffled } from '../src/random.js';

describe('createRng', () => {
  it('is deterministic per seed and differs between seeds', () => {
    const a = createRng(42);
    const b = createRng(42);
    const c = createRng(43);
    const xs = Array.from({ length: 100 }, () => a());
    expect(Array.from({ length: 100 }, () => b())).toEqual(xs);
    expect(Array.from({ length: 100 }, () => c())).not.toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
  });

  it('looks uniform (mean, variance, buckets)', () => {
    const rng = createRng(7);
    const n = 100_000;
    const buckets = new Array<number>(10).fill(0);
    let sum = 0;
    let squares = 0;
    for (let i = 0; i < n; i++) {
      const x = rng();
      sum += x;
      squares += x * x;
      buckets[Math.floor(x * 10)]! += 1;
    }
    expect(sum / n).toBeCloseTo(0.5, 2);
    expect(squares / n - (sum / n) ** 2).toBeCloseTo(1 / 12, 2);
    for (const count of buckets) expect(Math.abs(count - n / 10)).toBeLessThan(600);
  });

  it('keeps large seeds such as timestamps distinct', () => {
    expect(createRng(1_700_000_000_000)()).not.toBe(createRng(1_700_000_000_001)());
  });

  it('refuses a seed that is not a safe integer, with a code', () => {
    expect(() => createRng(0.5)).toThrow(RandomError);
    expect(() => createRng(0.5)).toThrow(/safe integer/);
    expect(() => createRng(Number.NaN)).toThrow(expect.objectContaining({ code: 'INVALID_SEED' }));
  });
});

describe('fnv1a', () => {
  it('is the 32-bit FNV-1a of the published test vectors', () => {
    // From the FNV reference (Fowler/Noll/Vo): "" → offset basis, "a" → 0xe40c292c, "foobar" → 0xbf9cf968.
    expect(fnv1a('')).toBe(0x811c9dc5);
    expect(fnv1a('a')).toBe(0xe40c292c);
    expect(fnv1a('foobar')).toBe(0xbf9cf968);
  });

  it('rngFor(parts) is createRng(fnv1a(parts joined by "/"))', () => {
    expect(rngFor(42, 'rl', 3)()).toBe(createRng(fnv1a('42/rl/3'))());
  });
});

describe('permutation and shuffled', () => {
  it('is Fisher–Yates from the end with j = floor(r·(i+1))', () => {
    // Draws 0.9, 0.1, 0.5 for i = 3, 2, 1: swap(3, 3), swap(2, 0), swap(1, 1).
    const draws = [0.9, 0.1, 0.5];
    expect(permutation(4, () => draws.shift() as number)).toEqual([2, 1, 0, 3]);
  });

  it('shuffled applies the same permutation to items, leaving the input alone', () => {
    const items = ['a', 'b', 'c', 'd', 'e'];
    const perm = permutation(5, createRng(9));
    expect(shuffled(items, createRng(9))).toEqual(perm.map((i) => items[i]));
    expect(items).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('reaches every order of 3 items', () => {
    const rng = createRng(3);
    const seen = new Set<string>();
    for (let k = 0; k < 200; k++) seen.add(permutation(3, rng).join(''));
    expect(seen.size).toBe(6);
  });

  it('rejects an rng outside [0, 1)', () => {
    expect(() => permutation(3, () => 1)).toThrow(expect.objectContaining({ code: 'RNG_OUT_OF_RANGE' }));
  });
});

describe('randInt and pick', () => {
  it('cover their ranges inclusively', () => {
    const rng = createRng(5);
    const ints = new Set(Array.from({ length: 200 }, () => randInt(rng, 2, 4)));
    expect([...ints].sort()).toEqual([2, 3, 4]);
    expect(new Set(Array.from({ length: 100 }, () => pick(rng, ['x', 'y'])))).toEqual(new Set(['x', 'y']));
    expect(() => pick(rng, [])).toThrow(RandomError);
  });
});

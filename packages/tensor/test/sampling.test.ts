import { describe, expect, it } from 'vitest';

import { sampleTokens, tf } from '../src/index.js';
import { seededRng } from './helpers.js';

const logitsOf = (probs: number[][]) => tf.tensor2d(probs.map((row) => row.map(Math.log)));

function frequencies(probs: number[], options: { topP?: number; topK?: number; temperature?: number }, draws = 4000) {
  const logits = logitsOf(Array.from({ length: draws }, () => probs));
  const ids = sampleTokens(logits, { ...options, rng: seededRng(123) });
  logits.dispose();
  const counts = probs.map(() => 0);
  for (const id of ids) counts[id] = (counts[id] as number) + 1;
  return counts.map((c) => c / draws);
}

describe('sampleTokens', () => {
  it('is reproducible with a seeded rng and varies with the seed', () => {
    const logits = tf.randomNormal([64, 50], 0, 2, 'float32', 5) as tf.Tensor2D;
    const a = sampleTokens(logits, { temperature: 0.9, topP: 0.95, rng: seededRng(1) });
    const b = sampleTokens(logits, { temperature: 0.9, topP: 0.95, rng: seededRng(1) });
    const c = sampleTokens(logits, { temperature: 0.9, topP: 0.95, rng: seededRng(2) });
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(a.every((id) => Number.isInteger(id) && id >= 0 && id < 50)).toBe(true);
  });

  it('draws in proportion to softmax(logits / temperature)', () => {
    const probs = [0.1, 0.2, 0.3, 0.4];
    const seen = frequencies(probs, {});
    seen.forEach((f, i) => expect(Math.abs(f - (probs[i] as number))).toBeLessThan(0.03));
    // Temperature 0.5 squares the odds.
    const sharp = frequencies(probs, { temperature: 0.5 });
    const squared = probs.map((p) => p * p);
    const norm = squared.reduce((a, b) => a + b, 0);
    sharp.forEach((f, i) => expect(Math.abs(f - (squared[i] as number) / norm)).toBeLessThan(0.03));
  });

  it('top-p keeps the smallest most-probable set reaching topP, renormalised', () => {
    const probs = [0.2, 0.5, 0.3];
    const seen = frequencies(probs, { topP: 0.75 }); // 0.5 < 0.75, 0.5 + 0.3 ≥ 0.75: keep ids 1 and 2
    expect(seen[0]).toBe(0);
    expect(Math.abs((seen[1] as number) - 0.625)).toBeLessThan(0.03);
    // A tiny topP always keeps the most probable token.
    expect(frequencies(probs, { topP: 1e-6 })).toEqual([0, 1, 0]);
  });

  it('top-k keeps the k most probable tokens', () => {
    expect(frequencies([0.2, 0.5, 0.3], { topK: 1 })).toEqual([0, 1, 0]);
    expect(frequencies([0.2, 0.5, 0.3], { topK: 2 })[0]).toBe(0);
  });

  it('breaks probability ties by ascending id at the top-p boundary', () => {
    expect(frequencies([0.25, 0.25, 0.25, 0.25], { topP: 0.4 }).slice(2)).toEqual([0, 0]);
  });

  it('temperature 0 is greedy and draws no random numbers', () => {
    let calls = 0;
    const rng = () => {
      calls++;
      return 0.5;
    };
    const logits = tf.tensor2d([
      [0, 3, 3, 1],
      [5, -1, 2, 4],
    ]);
    expect(sampleTokens(logits, { temperature: 0, rng })).toEqual([1, 0]);
    expect(calls).toBe(0);
    sampleTokens(logits, { temperature: 1, topP: 0.9, rng });
    expect(calls).toBe(2);
  });

  it('matches a plain full-sort implementation of the same rule, draw for draw', () => {
    // The straightforward definition: rank every token, cut, walk the ranking.
    const naive = (row: number[], temperature: number, topK: number, topP: number, u: number): number => {
      const max = Math.max(...row);
      const p = row.map((x) => Math.exp((x - max) / temperature));
      let ranked = p.map((_, j) => j).filter((j) => (p[j] as number) > 0);
      ranked.sort((a, b) => (p[b] as number) - (p[a] as number) || a - b);
      if (topK > 0) ranked = ranked.slice(0, topK);
      const mass = ranked.reduce((a, j) => a + (p[j] as number), 0);
      let before = 0;
      let kept = 0;
      for (; kept < ranked.length; kept++) {
        if (kept > 0 && before / mass >= topP) break;
        before += p[ranked[kept] as number] as number;
      }
      ranked = ranked.slice(0, Math.max(1, kept));
      // Without any filter the walk goes in id order (no ranking needed).
      if (topP >= 1 && (topK === 0 || topK >= row.length)) ranked = p.map((_, j) => j);
      const total = ranked.reduce((a, j) => a + (p[j] as number), 0);
      let cumulative = 0;
      for (const j of ranked) {
        cumulative += p[j] as number;
        if (u * total < cumulative) return j;
      }
      return ranked[ranked.length - 1] as number;
    };
    const gen = seededRng(99);
    for (let trial = 0; trial < 60; trial++) {
      const v = 1 + Math.floor(gen() * 300);
      // Coarse logits make ties; a wide spread makes tiny probabilities.
      const row = Array.from({ length: v }, () => Math.round((gen() - 0.5) * 40) / (trial % 2 ? 1 : 4));
      const temperature = 0.3 + gen() * 1.5;
      const topK = trial % 3 === 0 ? 1 + Math.floor(gen() * v) : 0;
      const topP = [1, 0.95, 0.5, 0.1, 0.999][trial % 5] as number;
      const us = Array.from({ length: 20 }, () => gen());
      const logits = tf.tensor2d(Array.from({ length: 20 }, () => row));
      let k = 0;
      const got = sampleTokens(logits, { temperature, topK, topP, rng: () => us[k++] as number });
      logits.dispose();
      const f32Row = Array.from(new Float32Array(row));
      expect(got).toEqual(us.map((u) => naive(f32Row, temperature, topK, topP, u)));
    }
  });

  it('rejects what it cannot sample from', () => {
    const rng = seededRng(0);
    expect(() => sampleTokens(tf.tensor2d([[0, Number.NaN]]), { rng })).toThrow(/logits\[0\]\[1\] is NaN/);
    expect(() => sampleTokens(tf.tensor2d([[-Infinity, -Infinity]]), { rng })).toThrow(/row 0 has no finite maximum/);
    expect(() => sampleTokens(tf.tensor2d([[0, 1]]), { topP: 0, rng })).toThrow(/topP must be in \(0, 1\]/);
    expect(() => sampleTokens(tf.tensor2d([[0, 1]]), { temperature: -1, rng })).toThrow(/temperature/);
    expect(() => sampleTokens(tf.tensor2d([[0, 1]]), { rng: () => 1 })).toThrow(/rng\(\) returned 1/);
    expect(() => sampleTokens(tf.tensor1d([0, 1]) as unknown as tf.Tensor2D, { rng })).toThrow(/\[N, V\]/);
  });
});

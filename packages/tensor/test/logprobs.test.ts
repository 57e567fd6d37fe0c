import { beforeAll, describe, expect, it } from 'vitest';

import { gatherRows, selectBackend, tf, tokenLogProbs } from '../src/index.js';
import { BACKEND_IMPLEMENTATIONS as runs, expectAllClose, seededRng, values } from './helpers.js';

function randomLogits(n: number, t: number, v: number, seed: number): { logits: number[][][]; ids: number[][] } {
  const rng = seededRng(seed);
  const logits = Array.from({ length: n }, () =>
    Array.from({ length: t }, () => Array.from({ length: v }, () => (rng() - 0.5) * 20)),
  );
  const ids = Array.from({ length: n }, () => Array.from({ length: t }, () => Math.floor(rng() * v)));
  return { logits, ids };
}

/** log-softmax in float64, the definition. */
function reference(logits: number[][][], ids: number[][], temperature = 1): number[] {
  return logits.flatMap((rows, i) =>
    rows.map((row, j) => {
      const scaled = row.map((x) => x / temperature);
      const max = Math.max(...scaled);
      const lse = max + Math.log(scaled.reduce((a, x) => a + Math.exp(x - max), 0));
      return (scaled[ids[i]![j]!] as number) - lse;
    }),
  );
}

describe.each(runs)('tokenLogProbs on %s, %s', (backend, implementation) => {
  beforeAll(async () => {
    await selectBackend(backend, { log: false });
  });

  it('equals log-softmax gathered at the ids', () => {
    const { logits, ids } = randomLogits(3, 5, 11, 7);
    const out = tf.tidy(() => values(tokenLogProbs(tf.tensor3d(logits), tf.tensor2d(ids, undefined, 'int32'), { implementation })));
    expect(expectAllClose(out, reference(logits, ids))).toBeUndefined();
    const hot = tf.tidy(() => values(tokenLogProbs(tf.tensor3d(logits), ids, { temperature: 0.7, implementation })));
    expect(expectAllClose(hot, reference(logits, ids, 0.7))).toBeUndefined();
  });

  it('stays finite for extreme logits', () => {
    const logits = [[[1000, -1000, 0]], [[-80, -80, -80]]];
    const out = tf.tidy(() => values(tokenLogProbs(tf.tensor3d(logits), [[0], [2]], { implementation })));
    expect(out[0]).toBeCloseTo(0, 6);
    expect(out[1]).toBeCloseTo(-Math.log(3), 5);
  });

  it('has the log-softmax gradient: w · (onehot − softmax(x / τ)) / τ per position', () => {
    const { logits, ids } = randomLogits(2, 3, 6, 11);
    const tau = 1.5;
    const weights = [
      [1, -2, 0.5],
      [3, 0, -1],
    ];
    const grad = tf.tidy(() =>
      values(
        tf.grad((x: tf.Tensor) =>
          tf.sum(tf.mul(tokenLogProbs(x as tf.Tensor3D, ids, { temperature: tau, implementation }), tf.tensor2d(weights))),
        )(tf.tensor3d(logits)),
      ),
    );
    const expected = logits.flatMap((rows, i) =>
      rows.flatMap((row, j) => {
        const scaled = row.map((x) => x / tau);
        const max = Math.max(...scaled);
        const total = scaled.reduce((a, x) => a + Math.exp(x - max), 0);
        const w = weights[i]![j]!;
        return scaled.map((x, k) => (w * ((k === ids[i]![j] ? 1 : 0) - Math.exp(x - max) / total)) / tau);
      }),
    );
    expect(expectAllClose(grad, expected, 1e-6)).toBeUndefined();
  });

  it('leaves only its result behind', () => {
    const logits = tf.randomNormal([2, 4, 9]) as tf.Tensor3D;
    const before = tf.memory().numTensors;
    const out = tokenLogProbs(
      logits,
      [
        [0, 1, 2, 3],
        [4, 5, 6, 7],
      ],
      { implementation },
    );
    expect(out.shape).toEqual([2, 4]);
    expect(tf.memory().numTensors).toBe(before + 1);
    tf.dispose([out, logits]);
  });

  it('gatherRows trains where tf.gather cannot (repeated ids add up)', () => {
    const table = tf.tensor2d([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    const ids = tf.tensor1d([2, 0, 2], 'int32');
    expect(values(gatherRows(table, ids))).toEqual([5, 6, 1, 2, 5, 6]);
    const grad = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(gatherRows(x, ids), tf.tensor2d([[1, 10], [100, 1000], [2, 20]]))))(table);
    expect(values(grad)).toEqual([100, 1000, 0, 0, 3, 30]);
  });
});

describe('tokenLogProbs input checks', () => {
  const logits = tf.zeros([2, 3, 4]) as tf.Tensor3D;
  it('names shape and id problems', () => {
    expect(() => tokenLogProbs(logits, [[0, 1, 2]])).toThrow(/ids must be \[2, 3\] to match logits \[2, 3, 4\], got \[1, 3\]/);
    expect(() => tokenLogProbs(logits, [[0, 1, 2], [3, 4, 0]])).toThrow(/ids\[1\]\[1\] = 4 is not a token id in \[0, 4\)/);
    expect(() => tokenLogProbs(tf.zeros([2, 3]) as unknown as tf.Tensor3D, [[0]])).toThrow(/must be \[N, T, V\]/);
    expect(() => tokenLogProbs(logits, [[0, 1, 2], [3, 2, 0]], { temperature: 0 })).toThrow(/temperature/);
  });
});

import { beforeAll, describe, expect, it } from 'vitest';

import { selectBackend, tf } from '@video-r1/tensor';
import { groupAdvantages, policyLoss, type PolicyLossConfig } from '../src/index.js';
import { BACKEND_IMPLEMENTATIONS as runs, expectAllClose, values } from './helpers.js';

const logpsRows = [
  [-0.5, -1.2, -0.1],
  [-2.0, -0.3, -0.7],
  [-0.9, -0.4, -1.5],
];
const oldRows = [
  [-0.4, -1.5, -0.1],
  [-2.2, -0.1, -0.7],
  [-0.9, -0.9, -1.0],
];
const refRows = [
  [-0.6, -1.0, -0.3],
  [-1.8, -0.5, -0.6],
  [-1.1, -0.2, -1.4],
];
const advantages = [1.2, -0.7, 0.3];
const withEmptyRow = [
  [1, 1, 0],
  [0, 0, 0],
  [1, 1, 1],
];

function lossAndGrad(
  rows: number[][],
  mask: number[][],
  adv: number[],
  config: PolicyLossConfig,
  old = oldRows,
  ref = refRows,
): { loss: number; meanKl: number; grad: number[] } {
  return tf.tidy(() => {
    const logps = tf.tensor2d(rows);
    const inputs = { oldLogps: old, refLogps: ref, mask, advantages: adv };
    const out = policyLoss({ ...inputs, logps }, config);
    const grad = tf.grad((x: tf.Tensor) => policyLoss({ ...inputs, logps: x as tf.Tensor2D }, config).loss)(logps);
    return { loss: values(out.loss)[0] as number, meanKl: values(out.meanKl)[0] as number, grad: values(grad) };
  });
}

describe.each(runs)('policyLoss guarded mode on %s, %s', (backend, implementation) => {
  beforeAll(async () => {
    await selectBackend(backend, { log: false });
  });
  const run = (...args: Parameters<typeof lossAndGrad>) => {
    const [rows, mask, adv, config, old, ref] = args;
    return lossAndGrad(rows, mask, adv, { ...config, implementation }, old, ref);
  };

  it('reference mode reproduces the NaN of an empty row', () => {
    const out = run(logpsRows, withEmptyRow, advantages, { beta: 0.04 });
    expect(out.loss).toBeNaN();
    expect(out.meanKl).toBeNaN();
    expect(out.grad.slice(3, 6).every(Number.isNaN)).toBe(true);
    expect(out.grad.filter((_, i) => i < 3 || i >= 6).every(Number.isFinite)).toBe(true);
  });

  it('meanKl is NaN when a row has no completion tokens, with or without a reference (Video-R1 logs 0/0)', () => {
    for (const lossType of ['grpo', 'bnpo', 'dr_grpo'] as const) {
      const noRef = tf.tidy(() => {
        const out = policyLoss({ logps: tf.tensor2d(logpsRows), mask: withEmptyRow, advantages }, { beta: 0, lossType, implementation });
        return { meanKl: values(out.meanKl)[0] as number, loss: values(out.loss)[0] as number };
      });
      expect(noRef.meanKl).toBeNaN();
      // bnpo and dr_grpo never divide by a row's count: their loss stays finite.
      if (lossType !== 'grpo') expect(Number.isFinite(noRef.loss)).toBe(true);
      expect(run(logpsRows, withEmptyRow, advantages, { beta: 0.04, lossType }).meanKl).toBeNaN();
    }
    // No empty row and no reference: the KL is 0; guarded mode skips the empty row instead.
    const full = logpsRows.map((row) => row.map(() => 1));
    const kl = (mask: number[][], nanGuard: boolean) =>
      tf.tidy(() => values(policyLoss({ logps: tf.tensor2d(logpsRows), mask, advantages }, { beta: 0, nanGuard, implementation }).meanKl)[0]);
    expect(kl(full, false)).toBe(0);
    expect(kl(withEmptyRow, true)).toBe(0);
  });

  it('nanGuard skips empty rows: same loss, KL and gradients as without them', () => {
    const config: PolicyLossConfig = { beta: 0.04, nanGuard: true };
    const guarded = run(logpsRows, withEmptyRow, advantages, config);
    const pick = <T>(rows: T[]) => [rows[0], rows[2]] as T[];
    const subset = run(pick(logpsRows), pick(withEmptyRow), pick(advantages), { beta: 0.04 }, pick(oldRows), pick(refRows));
    expect(Number.isFinite(guarded.loss)).toBe(true);
    expect(Math.abs(guarded.loss - subset.loss)).toBeLessThan(1e-6);
    expect(Math.abs(guarded.meanKl - subset.meanKl)).toBeLessThan(1e-6);
    expect(guarded.grad.slice(3, 6)).toEqual([0, 0, 0]);
    expect(expectAllClose([...guarded.grad.slice(0, 3), ...guarded.grad.slice(6)], subset.grad, 1e-6)).toBeUndefined();
  });

  it('nanGuard gives 0 with zero gradient when every row is empty', () => {
    const empty = logpsRows.map((row) => row.map(() => 0));
    const out = run(logpsRows, empty, advantages, { beta: 0.04, nanGuard: true });
    expect(out.loss).toBe(0);
    expect(out.meanKl).toBe(0);
    expect(out.grad.every((g) => g === 0)).toBe(true);
  });

  it('nanGuard changes nothing when no row is empty', () => {
    const full = logpsRows.map((row) => row.map(() => 1));
    for (const lossType of ['grpo', 'bnpo', 'dr_grpo'] as const) {
      const plain = run(logpsRows, full, advantages, { beta: 0.04, lossType });
      const guarded = run(logpsRows, full, advantages, { beta: 0.04, lossType, nanGuard: true });
      expect(Math.abs(plain.loss - guarded.loss)).toBeLessThan(1e-7);
      expect(expectAllClose(guarded.grad, plain.grad, 1e-7)).toBeUndefined();
    }
  });

  it('the default oldLogps is a stop-gradient copy: ratio 1, gradient −A/|o| per token', () => {
    const mask = [
      [1, 1, 0],
      [1, 1, 1],
      [1, 0, 0],
    ];
    const out = tf.tidy(() => {
      const logps = tf.tensor2d(logpsRows);
      const config = { beta: 0, implementation };
      const result = policyLoss({ logps, mask, advantages }, config);
      const grad = tf.grad((x: tf.Tensor) => policyLoss({ logps: x as tf.Tensor2D, mask, advantages }, config).loss)(logps);
      return { clip: values(result.clipRatio)[0], loss: values(result.loss)[0] as number, grad: values(grad) };
    });
    expect(out.clip).toBe(0);
    const meanAdvantage = advantages.reduce((a, b) => a + b, 0) / 3;
    expect(Math.abs(out.loss + meanAdvantage)).toBeLessThan(1e-6);
    const expected = mask.flatMap((row, i) => {
      const count = row.reduce((a, b) => a + b, 0);
      return row.map((m) => (m * -(advantages[i] as number)) / count / 3);
    });
    expect(expectAllClose(out.grad, expected, 1e-7)).toBeUndefined();
  });
});

describe('policyLoss input checks', () => {
  const logps = tf.tensor2d(logpsRows);
  it('names the mis-shaped field', () => {
    expect(() => policyLoss({ logps, mask: [[1, 1, 1]], advantages }, { beta: 0 })).toThrow(
      /mask must be \[3, 3\] like logps, got \[1, 3\]/,
    );
    expect(() => policyLoss({ logps, mask: withEmptyRow, advantages: [1, 2] }, { beta: 0 })).toThrow(
      /advantages must be \[3\] \(one per sequence\), got \[2\]/,
    );
    expect(() => policyLoss({ logps, refLogps: [[0]], mask: withEmptyRow, advantages }, { beta: 0 })).toThrow(/refLogps must be/);
  });
  it('rejects bad configs with the accepted values', () => {
    const input = { logps, mask: withEmptyRow, advantages };
    expect(() => policyLoss(input, { beta: Number.NaN })).toThrow(/beta must be a finite number/);
    expect(() => policyLoss(input, { beta: 0, lossType: 'dapo' as 'grpo' })).toThrow(/'grpo', 'bnpo' or 'dr_grpo'/);
    expect(() => policyLoss(input, { beta: 0, klClamp: 0 })).toThrow(/klClamp must be > 0 or null/);
    expect(() => policyLoss(input, { beta: 0, maxCompletionLength: 0 })).toThrow(/maxCompletionLength/);
  });
  it('does not leak tensors, also when it throws', () => {
    const before = tf.memory().numTensors;
    expect(() => policyLoss({ logps, mask: [[1]], advantages }, { beta: 0 })).toThrow();
    const out = policyLoss({ logps, mask: withEmptyRow, advantages, refLogps: refRows }, { beta: 0.1 });
    tf.dispose([out.loss, out.meanKl, out.clipRatio]);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('groupAdvantages', () => {
  it('guarded mode gives 0 for groups of one instead of NaN', () => {
    expect(groupAdvantages([0.5, 2], 1).every(Number.isNaN)).toBe(true);
    expect(groupAdvantages([0.5, 2], 1, { nanGuard: true })).toEqual([0, 0]);
  });
  it('normalises each group on its own', () => {
    const out = groupAdvantages([0, 1, 5, 5], 2);
    // mean 0.5, unbiased std √0.5
    expect(out[0]).toBeCloseTo(-0.5 / (Math.SQRT1_2 + 1e-4), 12);
    expect(out[1]).toBeCloseTo(0.5 / (Math.SQRT1_2 + 1e-4), 12);
    expect(out.slice(2)).toEqual([0, 0]);
  });
  it('explains bad input', () => {
    expect(() => groupAdvantages([1, 2, 3], 2)).toThrow(/3 entries, not a multiple of groupSize 2/);
    expect(() => groupAdvantages([1, Number.NaN], 2)).toThrow(/rewards\[1\] is NaN/);
    expect(() => groupAdvantages([1, 2], 0)).toThrow(/positive integer/);
  });
});

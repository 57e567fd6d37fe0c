// The generic AdamW against Adam's update written out by hand, and its refusals.
import { describe, expect, it } from 'vitest';

import { AdamOptimizer, tf } from '../src/index.js';

describe('AdamOptimizer over named variables', () => {
  it('takes two Adam steps as the formula gives them (bias correction, decoupled decay on matrices only)', () => {
    const w = tf.variable(tf.tensor2d([[1, -2]]), true, 'adam-test/w');
    const b = tf.variable(tf.tensor1d([0.5]), true, 'adam-test/b');
    const opt = new AdamOptimizer({ names: ['w', 'b'], variables: [w, b] }, { learningRate: 0.1, weightDecay: 0.01, maxGradNorm: 0 });
    const lr = 0.1;
    const expected = { w: [1, -2], b: [0.5] };
    const m = { w: [0, 0], b: [0] };
    const v = { w: [0, 0], b: [0] };
    for (let t = 1; t <= 2; t++) {
      // loss = Σ w² + 3·b → dw = 2w, db = 3
      const grads = { w: expected.w.map((x) => 2 * x), b: [3] };
      for (const key of ['w', 'b'] as const) {
        expected[key] = expected[key].map((p, i) => {
          m[key][i] = 0.9 * m[key][i]! + 0.1 * grads[key][i]!;
          v[key][i] = 0.999 * v[key][i]! + 0.001 * grads[key][i]! ** 2;
          const update = m[key][i]! / (1 - 0.9 ** t) / (Math.sqrt(v[key][i]! / (1 - 0.999 ** t)) + 1e-8);
          return p - lr * update - (key === 'w' ? lr * 0.01 * p : 0);
        });
      }
      const result = opt.minimize(() => tf.add(tf.sum(tf.square(w)), tf.mul(tf.sum(b), 3)) as tf.Scalar);
      expect(result.applied).toBe(true);
      expect(result.step).toBe(t);
    }
    [...w.dataSync()].forEach((x, i) => expect(x).toBeCloseTo(expected.w[i]!, 5));
    expect(b.dataSync()[0]).toBeCloseTo(expected.b[0]!, 5);
    const state = opt.getState();
    expect(state.names).toEqual(['w', 'b']);
    expect(() => AdamOptimizer.fromState({ names: ['b', 'w'], variables: [b, w] }, state)).toThrow(/names differ/);
    opt.dispose();
    w.dispose();
    b.dispose();
  });

  it('refuses names that do not match the variables', () => {
    const w = tf.variable(tf.zeros([2]), true, 'adam-test/w2');
    expect(() => new AdamOptimizer({ names: ['a', 'b'], variables: [w] }, { learningRate: 1 })).toThrow(/2 names for 1 variables/);
    expect(() => new AdamOptimizer({ names: ['a', 'a'], variables: [w, w] }, { learningRate: 1 })).toThrow(/unique/);
    w.dispose();
  });
});

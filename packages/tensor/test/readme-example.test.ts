// The README's example, run as written.
import { expect, it } from 'vitest';

import { createRng, sampleTokens, selectBackend, tf, tokenLogProbs } from '../src/index.js';

it('runs the README example', async () => {
  await selectBackend(undefined, { env: {}, log: false });
  const logits = tf.variable(tf.randomNormal([2, 3, 10], 0, 1, 'float32', 7));
  const rng = createRng(42);
  const last = tf.squeeze(tf.slice(logits, [0, 2, 0], [2, 1, 10]), [1]) as tf.Tensor2D;
  const next = sampleTokens(last, { topP: 0.9, rng });
  expect(next).toHaveLength(2);
  expect(next.every((id) => Number.isInteger(id) && id >= 0 && id < 10)).toBe(true);
  const ids = [
    [1, 2, next[0]!],
    [3, 4, next[1]!],
  ];
  const { value, grads } = tf.variableGrads(() => tf.neg(tf.sum(tokenLogProbs(logits as tf.Tensor as tf.Tensor3D, ids))) as tf.Scalar);
  // A negative log-likelihood of 6 tokens over 10 classes is positive.
  expect(value.dataSync()[0]).toBeGreaterThan(0);
  const grad = grads[logits.name] as tf.Tensor;
  expect(grad.shape).toEqual([2, 3, 10]);
  // d(−log p(id))/d logit = softmax − onehot: each row of the gradient sums to 0.
  const rows = tf.sum(grad, -1).dataSync();
  for (const r of rows) expect(Math.abs(r)).toBeLessThan(1e-5);
});

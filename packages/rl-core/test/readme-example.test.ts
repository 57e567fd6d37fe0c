// The README's examples, run as written.
import { expect, it } from 'vitest';

import { trainToy } from '../examples/toy-grpo.js';
import { selectBackend, tf, tokenLogProbs } from '@video-r1/tensor';
import { groupAdvantages, policyLoss, videoR1Rewards } from '../src/index.js';

it('trains the toy model: the accuracy reward rises from chance to nearly always right', async () => {
  const accuracy = await trainToy(30);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  // Four equally likely answers at the start: about 1/4 right.
  expect(mean(accuracy.slice(0, 3))).toBeLessThan(0.5);
  expect(mean(accuracy.slice(-5))).toBeGreaterThan(0.85);
});

it('runs the reward and loss example', async () => {
  const { name } = await selectBackend(undefined, { env: {}, log: false });
  expect(name).toBe('wasm');

  const { rewards, temporalApplied } = videoR1Rewards({
    accuracy: [1, 0, 1, 0.5],
    format: [1, 1, 0, 1],
    shuffledAccuracy: [0, 1],
    lengths: [400, 100, 330, 600],
  });
  expect(temporalApplied).toBe(true);
  [2.5, 1.0, 1.5, 1.8].forEach((r, i) => expect(rewards[i]).toBeCloseTo(r, 12));
  const advantages = groupAdvantages(rewards, 4);
  [1.28, -1.12, -0.32, 0.16].forEach((a, i) => expect(advantages[i]).toBeCloseTo(a, 2));

  const logits = tf.variable(tf.randomNormal([4, 6, 50]));
  const ids = tf.randomUniform([4, 6], 0, 50, 'int32') as tf.Tensor2D;
  const mask = [
    [1, 1, 1, 1, 1, 1],
    [1, 1, 0, 0, 0, 0],
    [1, 1, 1, 1, 0, 0],
    [1, 1, 1, 1, 1, 1],
  ];
  const { value, grads } = tf.variableGrads(() => {
    const logps = tokenLogProbs(logits as tf.Tensor as tf.Tensor3D, ids);
    return policyLoss({ logps, mask, advantages }, { beta: 0 }).loss;
  });
  // With ratio 1 the loss is −mean(A), and A sums to zero.
  expect(Math.abs(value.dataSync()[0] as number)).toBeLessThan(1e-6);
  const grad = grads[logits.name] as tf.Tensor;
  expect(grad.shape).toEqual([4, 6, 50]);
  expect(Array.from(grad.dataSync()).some((g) => g !== 0)).toBe(true);
});

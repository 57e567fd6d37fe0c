// grpoGradients in row micro-batches: the summed gradients, the loss and the logged metrics
// equal the one-pass values for every loss type, with and without the reference.
import { selectBackend, tf } from '@video-r1/tensor';
import { beforeAll, describe, expect, it } from 'vitest';

import { type GrpoGradients, type GrpoLossOptions, grpoGradients, type LossType, type Rollout } from '../src/index.js';
import { chunkWeights, rowChunks } from '../src/micro-batch.js';
import { EOS, toyModel } from './toy-model.js';

beforeAll(async () => {
  await selectBackend('cpu', { env: {}, log: false });
});

/** Advantages that do not sum to 0, so that the loss is not float32 noise around 0. Two groups of three rows with uneven lengths; `empty` makes one completion of each group empty. */
function groups(empty: boolean): Rollout<{ text: string }>[] {
  const group = (completions: number[][], advantages: number[]): Rollout<{ text: string }> => ({
    prompt: { id: 'p', prompt: { text: 'Which?', frames: null }, solution: '<answer>A</answer>', problemType: 'multiple choice' },
    input: { text: 'Which?' },
    completions,
    texts: completions.map(() => ''),
    lengths: completions.map((c) => c.length),
    rewardsPerFunc: {},
    shuffledAccuracy: null,
    rewards: advantages,
    advantages,
    temporalApplied: null,
    rewardStd: 1,
    generatedTokens: 0,
  });
  return [
    group([[0, 1, 2, EOS], empty ? [] : [3], [1, EOS]], [1.2, -0.4, -0.3]),
    group([[2], [0, 3, EOS], empty ? [] : [1, 1, 0, 2, EOS]], [0.5, 0.9, -0.6]),
  ];
}

const policy = toyModel({ init: [0.3, -0.2, 0.1, 0.4, -0.5, 0.2], eos: true });
const reference = toyModel({ init: [0.1, 0.2, -0.3, 0, 0.1, -0.1], trainable: false, eos: true });

function run(options: GrpoLossOptions, empty: boolean): { loss: number; kl: number; clipRatio: number; grad: number[] } {
  const out: GrpoGradients = grpoGradients(policy, options.beta === 0 ? null : reference, groups(empty), options);
  const grad = Array.from(out.grads[policy.weights.name]!.dataSync());
  tf.dispose(Object.values(out.grads));
  return { loss: out.loss, kl: out.kl, clipRatio: out.clipRatio, grad };
}

/**
 * ≤ 1e-6 relative to `scale`: the magnitude of the terms that were summed. A gradient component
 * that is a difference of O(1) terms carries float32 rounding of that size, not of its own.
 */
function expectRelClose(actual: number, expected: number, what: string, scale = 1): void {
  if (Number.isNaN(expected)) {
    expect(actual, what).toBeNaN();
    return;
  }
  expect(Math.abs(actual - expected), `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(1e-6 * Math.max(Math.abs(expected), scale));
}

function expectGradClose(actual: readonly number[], expected: readonly number[], what: string): void {
  const scale = Math.max(...expected.map(Math.abs));
  actual.forEach((g, i) => expectRelClose(g, expected[i]!, `${what} grad[${i}]`, scale));
}

const cases: { lossType: LossType; nanGuard: boolean }[] = [
  { lossType: 'grpo', nanGuard: false },
  { lossType: 'grpo', nanGuard: true },
  { lossType: 'bnpo', nanGuard: false },
  { lossType: 'dr_grpo', nanGuard: false },
];

describe('grpoGradients with microBatchSize', () => {
  for (const { lossType, nanGuard } of cases) {
    for (const beta of [0.04, 0]) {
      for (const empty of [false, true]) {
        it(`equals one pass for ${lossType}${nanGuard ? ' (nanGuard)' : ''}, beta ${beta}${empty ? ', with empty completions' : ''}`, () => {
          const options: GrpoLossOptions = { beta, lossType, nanGuard, implementation: 'graph' };
          const full = run(options, empty);
          // The reference's 0/0 for an empty row: NaN loss and gradients in both ways.
          const nanExpected = empty && lossType === 'grpo' && !nanGuard;
          if (!nanExpected) expect(full.grad.some((g) => g !== 0)).toBe(true);
          for (const microBatchSize of [1, 2, 3]) {
            const chunked = run({ ...options, microBatchSize }, empty);
            const tag = `microBatchSize ${microBatchSize}`;
            expectRelClose(chunked.loss, full.loss, `${tag} loss`);
            expectRelClose(chunked.kl, full.kl, `${tag} kl`);
            expectRelClose(chunked.clipRatio, full.clipRatio, `${tag} clipRatio`);
            expectGradClose(chunked.grad, full.grad, tag);
          }
        });
      }
    }
  }

  it('is exact with the fused loss too (uneven chunks of 4 + 2 rows)', () => {
    for (const lossType of ['grpo', 'bnpo', 'dr_grpo'] as const) {
      const options: GrpoLossOptions = { beta: 0.04, lossType, nanGuard: true, implementation: 'fused' };
      const full = run(options, true);
      const chunked = run({ ...options, microBatchSize: 4 }, true);
      expectRelClose(chunked.loss, full.loss, `${lossType} loss`);
      expectRelClose(chunked.kl, full.kl, `${lossType} kl`);
      expectGradClose(chunked.grad, full.grad, lossType);
    }
  });

  it('would fail with chunks weighted by their row count for bnpo, or by rows for guarded grpo', () => {
    // Uneven chunks (4 + 2 rows, 9 + 4 tokens in the empty-row batch): a row-count weight differs from the token weight.
    const mask = groups(true).flatMap((g) => g.completions.map((c) => Array.from({ length: 5 }, (_, t): number => (t < c.length ? 1 : 0))));
    const chunks = rowChunks(6, 4);
    expect(chunks).toEqual([[0, 4], [4, 6]]);
    const bnpo = chunkWeights(mask, chunks, 'bnpo', false);
    const tokens = mask.map((r) => r.reduce((a, b) => a + b, 0));
    const total = tokens.reduce((a, b) => a + b, 0);
    expect(bnpo.map((w) => w.loss)).toEqual([
      tokens.slice(0, 4).reduce((a, b) => a + b, 0) / total,
      tokens.slice(4).reduce((a, b) => a + b, 0) / total,
    ]);
    expect(bnpo[0]!.loss).not.toBeCloseTo(4 / 6, 3);
    // Guarded grpo counts only rows with tokens: chunk [0,4) holds 3 of the 4 non-empty rows.
    expect(chunkWeights(mask, chunks, 'grpo', true).map((w) => w.loss)).toEqual([3 / 4, 1 / 4]);
    expect(chunkWeights(mask, chunks, 'grpo', false).map((w) => w.loss)).toEqual([4 / 6, 2 / 6]);
    // And end to end, the uneven split matches one pass while a naive sum of chunk losses does not.
    const options: GrpoLossOptions = { beta: 0.04, lossType: 'bnpo', implementation: 'graph' };
    const full = run(options, true);
    const chunked = run({ ...options, microBatchSize: 4 }, true);
    expectRelClose(chunked.loss, full.loss, 'bnpo loss');
    expectGradClose(chunked.grad, full.grad, 'bnpo');
  });

  it('rejects a microBatchSize that is not a positive integer, naming the option', () => {
    for (const bad of [0, -1, 1.5, Number.NaN]) {
      expect(() => grpoGradients(policy, null, groups(false), { beta: 0, microBatchSize: bad })).toThrow(/options\.microBatchSize must be a positive integer/);
    }
  });

  it('disposes each chunk: no tensors outlive the call but the returned gradients', () => {
    const before = tf.memory().numTensors;
    const out = grpoGradients(policy, reference, groups(true), { beta: 0.04, nanGuard: true, microBatchSize: 1 });
    expect(tf.memory().numTensors - before).toBe(Object.keys(out.grads).length);
    tf.dispose(Object.values(out.grads));
    expect(tf.memory().numTensors).toBe(before);
  });
});

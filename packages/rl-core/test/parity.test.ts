// Parity with the PyTorch reference vectors (test/fixtures/rlcore-public.jsonl). The
// reward functions are plain numbers and run once; policyLoss runs on cpu and on wasm.
import { beforeAll, describe, expect, it } from 'vitest';

import { selectBackend, tf, type BackendName } from '@video-r1/tensor';
import {
  groupAdvantages,
  lengthBonus,
  policyLoss,
  temporalRewards,
  videoR1Rewards,
  type PolicyLossConfig,
  type PolicyLossInput,
} from '../src/index.js';
import { decode, flat, gradAtol, loadVectors, mismatch, type VectorCase } from './vectors.js';

const cases = loadVectors(new URL('./fixtures/rlcore-public.jsonl', import.meta.url));
const byFn = (fn: VectorCase['fn']) => cases.filter((c) => c.fn === fn);
const ATOL = 1e-5;

function expectClose(label: string, actual: unknown, expected: unknown, atol = ATOL): void {
  const problem = mismatch(flat(actual), flat(decode(expected as never)), atol);
  expect(problem, `${label}: ${problem}`).toBeUndefined();
}

// The config object of a case, with JSON null kept (klClamp: null means "no clamp").
function args<T>(c: VectorCase): T {
  return { ...(decode(c.input as never) as object), ...c.config } as T;
}

it('has the expected number of vectors', () => {
  expect(cases.length).toBe(300);
});

describe('groupAdvantages', () => {
  it.each(byFn('groupAdvantages').map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const out = groupAdvantages(decode(c.input['rewards'] ?? null) as number[], c.config['groupSize'] as number);
    expectClose('advantages', out, c.expected['advantages']);
  });
});

describe('temporalRewards', () => {
  it.each(byFn('temporalRewards').map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const out = temporalRewards(args(c));
    expect(out.applied).toBe(c.expected['applied']);
    expectClose('accuracy', out.accuracy, c.expected['accuracy']);
  });
});

describe('lengthBonus', () => {
  it.each(byFn('lengthBonus').map((c) => [c.id, c] as const))('%s', (_id, c) => {
    expectClose('bonus', lengthBonus(args(c)), c.expected['bonus']);
  });
});

describe('videoR1Rewards', () => {
  it.each(byFn('videoR1Rewards').map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const out = videoR1Rewards(args(c));
    expect(out.temporalApplied).toBe(c.expected['temporalApplied']);
    expectClose('rewards', out.rewards, c.expected['rewards']);
  });
});

type Implementation = 'graph' | 'fused';

function runPolicyLoss(
  c: VectorCase,
  implementation: Implementation,
): { loss: number; meanKl: number; clipRatio: number; grad: number[] } {
  const input = decode(c.input as never) as Record<string, number[][] | number[]>;
  const config = { ...(c.config as unknown as PolicyLossConfig), implementation };
  return tf.tidy(() => {
    const logps = tf.tensor2d(input['logps'] as number[][]);
    const rest = { ...input } as unknown as Omit<PolicyLossInput, 'logps'>;
    const forward = policyLoss({ ...rest, logps }, config);
    const grad = tf.grad((x: tf.Tensor) => policyLoss({ ...rest, logps: x as tf.Tensor2D }, config).loss)(logps);
    return {
      loss: forward.loss.dataSync()[0] as number,
      meanKl: forward.meanKl.dataSync()[0] as number,
      clipRatio: forward.clipRatio.dataSync()[0] as number,
      grad: Array.from(grad.dataSync()),
    };
  });
}

const runs: [BackendName, Implementation][] = [
  ['cpu', 'graph'],
  ['cpu', 'fused'],
  ['wasm', 'graph'],
  ['wasm', 'fused'],
];

describe.each(runs)('policyLoss on %s, %s', (backend, implementation) => {
  beforeAll(async () => {
    const selected = await selectBackend(backend, { log: false });
    expect(tf.getBackend()).toBe(backend);
    expect(selected.name).toBe(backend);
  });

  it.each(byFn('policyLoss').map((c) => [c.id, c] as const))('%s', (_id, c) => {
    expect(tf.getBackend()).toBe(backend);
    const before = tf.memory().numTensors;
    const out = runPolicyLoss(c, implementation);
    expect(tf.memory().numTensors).toBe(before);
    expectClose('loss', out.loss, c.expected['loss']);
    expectClose('meanKl', out.meanKl, c.expected['meanKl']);
    expectClose('clipRatio', out.clipRatio, c.expected['clipRatio']);
    const expectedGrad = flat(decode(c.expected['gradLogps'] ?? null));
    expectClose('gradLogps', out.grad, c.expected['gradLogps'], gradAtol(expectedGrad));
  });
});

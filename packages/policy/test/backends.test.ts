import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { selectBackend, tf } from '@video-r1/tensor';
import { afterAll, describe, expect, it } from 'vitest';

import { completionLogProbs, loadCheckpoint, saveCheckpoint, type Policy } from '../src/index.js';
import { PROMPTS, TARGETS, movingFrames, tinyPolicy } from './helpers.js';

const frames = movingFrames();
const inputs = [{ prompt: PROMPTS[0]!, frames }, { prompt: PROMPTS[1]!, frames: { ...movingFrames(1), frames: 1 } }];

function measure(policy: Policy): { logps: number[]; grads: number[][] } {
  const completions = TARGETS.map((t) => [...policy.tokenizer.encode(t), policy.tokenizer.eosId]);
  const { value, grads } = tf.variableGrads(() => {
    const lp = completionLogProbs(policy, inputs, completions);
    return tf.neg(tf.sum(lp)) as tf.Scalar;
  }, policy.variables);
  const logps = Array.from(tf.tidy(() => completionLogProbs(policy, inputs, completions).dataSync()));
  const out = { logps, grads: policy.variables.map((v) => Array.from(grads[v.name]!.dataSync())) };
  value.dispose();
  Object.values(grads).forEach((g) => g.dispose());
  return out;
}

const maxRelDiff = (a: number[], b: number[]): number => {
  const scale = Math.max(1e-3, ...a.map(Math.abs));
  return a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i]!) / scale), 0);
};

describe('backends', () => {
  let dir: string | undefined;
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    await selectBackend('cpu', { log: false });
  });

  it('a checkpoint written on cpu gives the same log-probs and gradients on wasm', async () => {
    await selectBackend('cpu', { log: false });
    const policy = tinyPolicy();
    const onCpu = measure(policy);
    dir = await mkdtemp(path.join(tmpdir(), 'policy-backends-'));
    await saveCheckpoint(dir, { policy });
    policy.dispose();

    await selectBackend('wasm', { log: false });
    const { policy: loaded } = await loadCheckpoint(dir);
    const onWasm = measure(loaded);
    loaded.dispose();
    expect(maxRelDiff(onCpu.logps, onWasm.logps)).toBeLessThan(1e-5);
    onCpu.grads.forEach((g, i) => expect(maxRelDiff(g, onWasm.grads[i]!)).toBeLessThan(1e-4));
  });
});

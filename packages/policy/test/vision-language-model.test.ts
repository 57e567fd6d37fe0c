// The policy as @video-r1/model-api's VisionLanguageModel: the contract check, and that the
// adapter adds nothing to the policy's own functions (same ids, same log-probs).
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { checkModel, ModelContractError } from '@video-r1/model-api';
import { createRng, selectBackend, tf } from '@video-r1/tensor';
import { beforeAll, describe, expect, it } from 'vitest';

import { completionLogProbs, generate, loadPolicyModel, policyModel } from '../src/index.js';
import { movingFrames, PROMPTS, tinyPolicy } from './helpers.js';

beforeAll(async () => {
  await selectBackend('cpu', { env: {}, log: false });
});

const prompts = [
  { text: PROMPTS[0]!, frames: movingFrames() },
  { text: PROMPTS[1]!, frames: null },
];

describe('policyModel', () => {
  it('passes the model contract check', async () => {
    const model = policyModel(tinyPolicy());
    await checkModel(model, prompts, { numSamples: 3 });
    model.dispose();
  });

  it('the check fails on a model that breaks the contract', async () => {
    const model = policyModel(tinyPolicy());
    const broken = { ...model, sample: async () => ({ ids: [[1]], texts: ['x'], lengths: [1], finished: [false] }) };
    await expect(checkModel(broken, prompts)).rejects.toMatchObject({ code: 'SAMPLE_SHAPE' });
    await expect(checkModel(broken, prompts)).rejects.toBeInstanceOf(ModelContractError);
    model.dispose();
  });

  it('samples and scores exactly as generate and completionLogProbs', async () => {
    const policy = tinyPolicy();
    const model = policyModel(policy);
    const inputs = prompts.map((p) => model.encode(p));
    const settings = { numSamples: 2, maxNewTokens: 5, temperature: 1, topP: 0.9 };
    const viaModel = await model.sample(inputs, { ...settings, rng: createRng(11) });
    const direct = generate(policy, inputs, { ...settings, rng: createRng(11) });
    expect(viaModel.ids).toEqual(direct.ids);
    expect(viaModel.texts).toEqual(direct.texts);
    const rows = direct.ids.map((_, n) => inputs[Math.floor(n / 2)]!);
    const a = tf.tidy(() => model.completionLogProbs(rows, direct.ids).arraySync());
    const b = tf.tidy(() => completionLogProbs(policy, rows, direct.ids).arraySync());
    expect(a).toEqual(b);
    expect(model.tokens).toEqual({ eosId: policy.tokenizer.eosId, padId: policy.tokenizer.padId });
    expect(model.mediaRequest).toEqual({ preset: 'video-r1-train', maxFrames: 8, outputSize: { height: 8, width: 8 } });
    expect(model.trainableVariables()).toHaveLength(policy.variables.length);
    model.dispose();
  });

  it('saves and loads (frozen: no trainable variables)', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'policy-model-'));
    try {
      const model = policyModel(tinyPolicy());
      await model.save(path.join(dir, 'ckpt'));
      const frozen = await loadPolicyModel(path.join(dir, 'ckpt'), { trainable: false });
      expect(frozen.trainable).toBe(false);
      expect(frozen.trainableVariables()).toEqual([]);
      const inputs = [model.encode(prompts[0]!)];
      const same = tf.tidy(() => [model.completionLogProbs(inputs, [[3, 4]]).arraySync(), frozen.completionLogProbs(inputs, [[3, 4]]).arraySync()]);
      expect(same[1]).toEqual(same[0]);
      model.dispose();
      frozen.dispose();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

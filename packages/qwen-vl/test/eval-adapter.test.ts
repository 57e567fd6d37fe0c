// modelEvalAdapter answers as the model samples greedily, batch or not, and reports unreadable media per item.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { createRng } from '@video-r1/tensor';
import { beforeAll, describe, expect, it } from 'vitest';

import { modelEvalAdapter } from '../src/eval-adapter.js';
import { QwenVLPolicy } from '../src/policy.js';
import { createTinyQwenCheckpoint } from '../src/tiny/index.js';
import { useBackend } from './helpers/backend.js';

let policy: QwenVLPolicy;
const frames = (seed: number) => {
  const data = new Uint8Array(2 * 56 * 56 * 3);
  const rng = createRng(seed);
  for (let i = 0; i < data.length; i++) data[i] = Math.floor(rng() * 256);
  return { data, frames: 2, height: 56, width: 56, sampleFps: 2 };
};

beforeAll(async () => {
  await useBackend('cpu');
  const dir = mkdtempSync(path.join(tmpdir(), 'qwen-eval-'));
  createTinyQwenCheckpoint(dir, { corpus: ['<answer>A</answer>'], seed: 9, config: { num_hidden_layers: 1 } });
  policy = QwenVLPolicy.load(dir);
});

describe('modelEvalAdapter', () => {
  it('gives the greedy answers of model.sample, per item and in batches', async () => {
    const provider = {
      frames: (file: string) => (file === 'missing.mp4' ? Promise.reject(new Error('no such file')) : Promise.resolve(frames(file.length))),
    };
    const adapter = modelEvalAdapter({ model: policy, frames: provider, maxNewTokens: 5, batchSize: 2 });
    const requests = ['a.mp4', 'bb.mp4', 'missing.mp4'].map((p) => ({ prompt: `What is in ${p}?`, media: { kind: 'video' as const, path: p }, maxFrames: 16 }));
    const outcomes = await adapter.generateBatch(requests.map((request) => ({ sample: {}, request })));
    const expected = await policy.sample(
      requests.slice(0, 2).map((r) => policy.encode({ text: r.prompt, frames: frames(r.media.path.length), mediaKind: 'video', sampleFps: 2 })),
      { numSamples: 1, maxNewTokens: 5, temperature: 0, topP: 1 },
    );
    expect(outcomes.slice(0, 2)).toEqual(expected.texts.map((output) => ({ output })));
    expect((outcomes[2] as { error: Error }).error.message).toBe('no such file');
    expect(await adapter.generate({}, requests[0]!)).toEqual({ output: expected.texts[0] });
    await adapter.close();
    await expect(adapter.generate({}, requests[0]!)).rejects.toThrow(/after close/);
  });
});

// --model <Qwen2.5-VL dir> [--adapter <PEFT dir>]: a merged checkpoint and the same base + adapter
// answer identically; an --adapter without a Qwen model is refused, as is a directory without an adapter.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { QwenVLPolicy, createTinyQwenCheckpoint } from '@video-r1/qwen-vl';
import { createRng, selectBackend, tf } from '@video-r1/tensor';
import { beforeAll, describe, expect, it } from 'vitest';

import { configFromFlags, resolveConfig } from '../src/config.js';
import { resolveModel } from '../src/model.js';
import { isQwenCheckpoint } from '../src/qwen-model.js';

let dir: string;

beforeAll(async () => {
  await selectBackend('cpu', { log: false });
  dir = mkdtempSync(path.join(tmpdir(), 'evaluator-qwen-'));
  createTinyQwenCheckpoint(path.join(dir, 'base'), { corpus: ['<answer>A</answer>'], seed: 2, config: { num_hidden_layers: 1 } });
  // A non-trivial adapter (B random), saved, then merged into a full checkpoint.
  const policy = QwenVLPolicy.load(path.join(dir, 'base'));
  const lora = policy.model.attachLora({ r: 2, alpha: 4, targetModules: ['q_proj', 'v_proj'] }, { seed: 1 });
  const rng = createRng(3);
  for (const m of lora.modules.values()) m.b.assign(tf.tensor(Array.from({ length: m.b.size }, () => rng() - 0.5), m.b.shape));
  policy.model.saveAdapter(path.join(dir, 'adapter'));
  policy.model.mergeLora();
  await policy.save(path.join(dir, 'merged'));
  policy.dispose();
});

const config = (flags: Record<string, string>) => resolveConfig({}, configFromFlags({ ...flags, backend: 'cpu', maxTokens: '6', temperature: '0' }));

describe('evaluator --model <Qwen2.5-VL directory>', () => {
  it('answers the same with the merged checkpoint and with base + --adapter', async () => {
    expect(isQwenCheckpoint(path.join(dir, 'merged'))).toBe(true);
    expect(isQwenCheckpoint(dir)).toBe(false);
    const log = (): void => {};
    const merged = await resolveModel(config({ model: path.join(dir, 'merged') }), log, []);
    const adapted = await resolveModel(config({ model: path.join(dir, 'base'), adapter: path.join(dir, 'adapter') }), log, []);
    const plain = await resolveModel(config({ model: path.join(dir, 'base') }), log, []);
    expect(adapted.settings['adapter']).toBe(path.join(dir, 'adapter'));
    const request = { prompt: 'Which letter?', media: null, maxFrames: 16, maxPixels: 256 * 28 * 28 };
    const sample = { problem: 'q', problem_type: 'multiple choice', solution: '<answer>A</answer>', data_type: 'video', path: '' } as never;
    const a = await merged.adapter.generate(sample, request);
    const b = await adapted.adapter.generate(sample, request);
    expect(a).toEqual(b);
    expect(adapted.adapter.name).toMatch(/\+adapter$/);
    expect(plain.settings['adapter']).toBeNull();
  });

  it('refuses --adapter without a Qwen model and an adapter directory without adapter_config.json', async () => {
    await expect(resolveModel(config({ model: 'http://127.0.0.1:9/v1', adapter: path.join(dir, 'adapter') }), () => {}, [])).rejects.toThrow(/--adapter .*needs --model <Qwen2\.5-VL checkpoint directory>/);
    await expect(resolveModel(config({ model: path.join(dir, 'base'), adapter: dir }), () => {}, [])).rejects.toThrow(/holds no adapter_config\.json/);
  });
});

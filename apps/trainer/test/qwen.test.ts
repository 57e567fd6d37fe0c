// A whole Qwen2.5-VL run in miniature (the qwen-tiny path): a random tiny checkpoint created in the
// run, SFT on all weights, 2 T-GRPO steps through a LoRA adapter with the rollouts sampled on a
// loopback fake of vLLM's OpenAI server (adapter loaded before each rollout after an update), the
// test evaluation; then the checkpoints' adapter (log-probs equal after a save/load round trip)
// and `export` (merged logits equal to base + adapter).
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

import { QwenTokenizer, QwenVLPolicy } from '@video-r1/qwen-vl';
import { selectBackend, tf } from '@video-r1/tensor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { presetConfig } from '../src/config/presets.js';
import { QwenCheckpoints } from '../src/qwen/checkpoints.js';
import { exportQwenRun } from '../src/qwen/export.js';
import { runPaths } from '../src/run/run-dir.js';
import { readMetrics } from '../src/run/metrics.js';
import { startTrainer, tempDir, testSet, tinyConfig, writeJson } from './helpers.js';

type Event = { type: 'load' | 'unload'; name: string; digest?: string } | { type: 'chat'; model: string; digest: string | null };

let server: Server;
let port: number;
const events: Event[] = [];
const loaded = new Map<string, string>();
let out: string;
let tokenizer: QwenTokenizer | null = null;

const sha = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

beforeAll(async () => {
  await selectBackend('cpu', { log: false });
  await testSet();
  out = tempDir('qwen');
  server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      const json = JSON.parse(text) as Record<string, unknown>;
      const reply = (status: number, payload: unknown): void => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(payload));
      };
      if (req.url === '/v1/load_lora_adapter') {
        const digest = sha(path.join(json['lora_path'] as string, 'adapter_model.safetensors'));
        loaded.set(json['lora_name'] as string, digest);
        events.push({ type: 'load', name: json['lora_name'] as string, digest });
        return reply(200, 'Success');
      }
      if (req.url === '/v1/unload_lora_adapter') {
        loaded.delete(json['lora_name'] as string);
        events.push({ type: 'unload', name: json['lora_name'] as string });
        return reply(200, 'Success');
      }
      const model = json['model'] as string;
      if (!loaded.has(model)) return reply(404, { error: `model ${model} is not loaded` });
      events.push({ type: 'chat', model, digest: loaded.get(model)! });
      // The run's own tokenizer, created with its random base model.
      tokenizer ??= QwenTokenizer.load(path.join(out, 'qwen', 'base'));
      const eos = tokenizer.eosTokenId!;
      // Half formatted answers, half not: the format reward varies within each group, so every update moves the adapter.
      const good = [...tokenizer.encode('<think>ok</think><answer>A</answer>'), eos];
      const bad = [...tokenizer.encode('no'), eos];
      const n = json['n'] as number;
      return reply(200, { choices: Array.from({ length: n }, (_, index) => ({ index, finish_reason: 'stop', token_ids: index % 2 === 0 ? good : bad })) });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
}, 120_000);

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('a tiny Qwen2.5-VL run', () => {
  it('trains SFT and 2 T-GRPO steps with server rollouts; adapter reload and export agree with base + adapter', async () => {
    const base = tinyConfig();
    const config = {
      ...base,
      preset: 'qwen-tiny' as const,
      runId: 'qwen',
      video: { frames: 4, maxPixels: 56 * 56, outputSize: { height: 56, width: 56 } },
      model: presetConfig('qwen-tiny').model,
      data: { ...base.data, maxTrain: 8, maxTest: 4 },
      sft: { epochs: 1, batchSize: 4, lr: 5e-3, loss: 'completion' as const },
      // One sequence per backward pass: the Qwen pipeline's gradient accumulation (rl.microBatchSize).
      rl: { steps: 2, numGenerations: 2, promptsPerStep: 1, maxCompletionLength: 16, microBatchSize: 1, rewardFuncs: ['accuracy', 'format'], rollout: { server: `http://127.0.0.1:${port}/v1`, baseModel: 'base' } },
      schedule: { checkpointEvery: 1, sftCheckpointEvery: 1, validateEvery: 0, validationSamples: 4, keepCheckpoints: 5 },
      eval: { maxNewTokens: 8, baseline: false, sft: false },
    };
    const file = writeJson(path.join(out, 'config.json'), config);
    const { code, stderr } = await startTrainer(['--config', file, '--out', out]).done;
    expect(code, stderr).toBe(0);
    const paths = runPaths(path.join(out, 'qwen'));
    const metrics = readMetrics(paths.metrics);
    const sft = metrics.filter((m) => m.stage === 'sft');
    const rl = metrics.filter((m) => m.stage === 'rl');
    expect(sft.length).toBe(2);
    expect(sft.every((m) => Number.isFinite(m['loss']))).toBe(true);
    expect(rl.map((m) => m.step)).toEqual([1, 2]);
    expect(rl.every((m) => typeof m['rewards/accuracy'] === 'number')).toBe(true);
    expect(rl.every((m) => (m['grad_norm'] as number) > 0)).toBe(true);
    expect(existsSync(paths.eval) && existsSync(paths.report)).toBe(true);

    // Rollouts: adapter 1 (fresh) before step 1, adapter 2 (after update 1) before step 2 — and adapter
    // 2's bytes are the step-1 checkpoint's, so step 2 sampled from the weights after update 1.
    const shape = events.map((e) => (e.type === 'chat' ? `chat:${e.model.replace(/^.*-/, '')}` : `${e.type}:${e.name.replace(/^.*-/, '')}`));
    expect(shape[0]).toBe('load:1');
    expect(shape.indexOf('load:2')).toBeGreaterThan(shape.indexOf('chat:1'));
    expect(shape.slice(shape.indexOf('load:2') + 1).every((s) => s === 'chat:2' || s === 'unload:1')).toBe(true);
    const loads = events.filter((e) => e.type === 'load');
    expect(loads).toHaveLength(2);
    expect(loads[1]!.digest).toBe(sha(path.join(paths.checkpoints, 'rl-000001', 'adapter', 'adapter_model.safetensors')));
    expect(loads[1]!.digest).not.toBe(loads[0]!.digest);

    // The adapter written, read back: the same log-probabilities; and it is not a no-op.
    const checkpoints = new QwenCheckpoints(paths, 5);
    const policy = checkpoints.loadPolicy('final', { trainable: false });
    const input = policy.encode({ text: 'How many?', frames: null });
    const completion = [[...policy.tokenizer.encode('<answer>3</answer>'), policy.tokens.eosId]];
    const before = policy.completionLogProbs([input], completion).arraySync();
    const roundTrip = path.join(out, 'adapter-copy');
    policy.model.saveAdapter(roundTrip);
    const reloaded = QwenVLPolicy.load(checkpoints.sftModelDir, { trainable: false });
    reloaded.model.loadAdapter(roundTrip);
    expect(reloaded.completionLogProbs([reloaded.encode({ text: 'How many?', frames: null })], completion).arraySync()).toEqual(before);
    expect(policy.reference().completionLogProbs([input], completion).arraySync()).not.toEqual(before);

    // export: the merged checkpoint's logits equal base + adapter.
    const exported = await exportQwenRun(paths.root);
    expect(exported.merged).toBe(true);
    const merged = QwenVLPolicy.load(exported.out, { trainable: false });
    expect(merged.model.lora).toBeNull();
    const ids = [[...input.ids, ...completion[0]!]];
    const a = policy.model.forward({ inputIds: ids }).logits;
    const b = merged.model.forward({ inputIds: ids }).logits;
    expect(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]).toBeLessThan(1e-4);
    tf.dispose([a, b]);
    for (const p of [policy, reloaded, merged]) p.dispose();
  }, 300_000);
});

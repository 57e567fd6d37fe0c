// Remote rollouts against a loopback fake of vLLM's OpenAI server (chat completions with token
// ids, runtime LoRA loading): the adapter is written and loaded before each rollout that follows
// an update, every completion is requested from the adapter that equals the local weights at that
// moment, the request carries the sampling settings and the frames, both token-id answer forms
// parse, and the log-probabilities are the local model's.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { completionMask, type ModelPrompt } from '@video-r1/model-api';
import { AdamOptimizer, createRng } from '@video-r1/tensor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { QwenVLPolicy } from '../src/policy.js';
import { RolloutServerError, ServerRolloutPolicy } from '../src/rollout/index.js';
import { tf } from '../src/tf.js';
import { createTinyQwenCheckpoint } from '../src/tiny/index.js';
import { useBackend } from './helpers/backend.js';

type Event = { type: 'load'; name: string; digest: string } | { type: 'unload'; name: string } | { type: 'chat'; model: string; digest: string | null; body: Record<string, unknown> };

/** The fake's behaviour, switchable per test. */
interface FakeState {
  events: Event[];
  loaded: Map<string, string>;
  answer: (n: number) => Array<{ ids: number[]; finish: 'stop' | 'length'; asLogprobs: boolean }>;
  failChat: boolean;
}

let server: Server;
let baseUrl: string;
let dir: string;
const state: FakeState = { events: [], loaded: new Map(), answer: () => [], failChat: false };

function body(req: IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString('utf8')));
    req.on('end', () => resolve(JSON.parse(text) as Record<string, unknown>));
    req.on('error', reject);
  });
}

const digestOf = (adapterDir: string): string => createHash('sha256').update(readFileSync(path.join(adapterDir, 'adapter_model.safetensors'))).digest('hex');

beforeAll(async () => {
  await useBackend('cpu');
  dir = mkdtempSync(path.join(tmpdir(), 'qwen-rollout-'));
  createTinyQwenCheckpoint(path.join(dir, 'model'), { corpus: ['<answer>A</answer> let me think'], seed: 5, config: { num_hidden_layers: 1 } });
  server = createServer((req, res) => {
    void body(req).then((json) => {
      const reply = (status: number, payload: unknown): void => {
        res.writeHead(status, { 'content-type': typeof payload === 'string' ? 'text/plain' : 'application/json' });
        res.end(typeof payload === 'string' ? payload : JSON.stringify(payload));
      };
      if (req.url === '/v1/load_lora_adapter') {
        const name = json['lora_name'] as string;
        if (state.loaded.has(name)) return reply(400, { error: `The lora adapter '${name}' has already been loaded.` });
        const digest = digestOf(json['lora_path'] as string);
        state.loaded.set(name, digest);
        state.events.push({ type: 'load', name, digest });
        return reply(200, `Success: LoRA adapter '${name}' added successfully.`);
      }
      if (req.url === '/v1/unload_lora_adapter') {
        state.loaded.delete(json['lora_name'] as string);
        state.events.push({ type: 'unload', name: json['lora_name'] as string });
        return reply(200, 'Success');
      }
      if (req.url === '/v1/chat/completions') {
        if (state.failChat) return reply(500, { error: 'engine dead' });
        const model = json['model'] as string;
        if (model !== 'tiny-base' && !state.loaded.has(model)) return reply(404, { error: `model ${model} does not exist` });
        state.events.push({ type: 'chat', model, digest: state.loaded.get(model) ?? null, body: json });
        const choices = state.answer(json['n'] as number).map((a, index) =>
          a.asLogprobs
            ? { index, finish_reason: a.finish, message: { content: '' }, logprobs: { content: a.ids.map((id) => ({ token: `token_id:${id}`, logprob: -1 })) } }
            : { index, finish_reason: a.finish, message: { content: '' }, token_ids: a.ids },
        );
        // Out of order on purpose: clients must sort by index.
        return reply(200, { id: 'x', object: 'chat.completion', choices: choices.reverse() });
      }
      return reply(404, { error: 'not found' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function frames(count: number, seed: number): NonNullable<ModelPrompt['frames']> {
  const data = new Uint8Array(count * 56 * 56 * 3);
  const rng = createRng(seed);
  for (let i = 0; i < data.length; i++) data[i] = Math.floor(rng() * 256);
  return { data, frames: count, height: 56, width: 56 };
}

const prompts: ModelPrompt[] = [
  { text: 'How many?', frames: frames(4, 1), mediaKind: 'video', sampleFps: 2 },
  { text: 'Which one?', frames: frames(1, 2), mediaKind: 'image' },
];

function loraPolicy(): QwenVLPolicy {
  const policy = QwenVLPolicy.load(path.join(dir, 'model'));
  policy.model.attachLora({ r: 2, alpha: 4, targetModules: ['q_proj', 'v_proj'] }, { seed: 3 });
  return policy;
}

function remoteOf(policy: QwenVLPolicy, tag: string): ServerRolloutPolicy {
  return new ServerRolloutPolicy(policy, { baseUrl, baseModel: 'tiny-base', adapterDir: path.join(dir, `adapters-${tag}`), adapterPrefix: tag, timeoutMs: 10_000 });
}

describe('ServerRolloutPolicy against a fake vLLM server', () => {
  it('loads the current adapter before each rollout after an update and never samples from a stale one', async () => {
    const policy = loraPolicy();
    const remote = remoteOf(policy, 'loop');
    const tok = policy.tokenizer;
    const answer = tok.encode('<answer>A</answer>');
    state.events = [];
    state.answer = (n) => Array.from({ length: n }, (_, i) => (i % 2 === 0 ? { ids: [...answer, policy.tokens.eosId], finish: 'stop', asLogprobs: false } : { ids: answer.slice(0, 3), finish: 'length', asLogprobs: true }));
    const optimizer = new AdamOptimizer({ names: remote.trainableVariables().map((v) => v.name), variables: remote.trainableVariables() }, { learningRate: 0.05 });
    const localDigests: string[] = [];
    const rng = createRng(11);
    for (let step = 0; step < 2; step++) {
      const probe = path.join(dir, `probe-${step}`);
      policy.model.saveAdapter(probe);
      localDigests.push(digestOf(probe));
      const inputs = prompts.map((p) => remote.encode(p));
      const sampled = await remote.sample(inputs, { numSamples: 2, maxNewTokens: 16, temperature: 1, topP: 0.9, rng });
      // T-GRPO's second group in the same step: same weights, no new load.
      await remote.sample(inputs.slice(0, 1), { numSamples: 1, maxNewTokens: 8, temperature: 1, topP: 0.9, rng });
      expect(sampled.ids).toEqual([[...answer, policy.tokens.eosId], answer.slice(0, 3), [...answer, policy.tokens.eosId], answer.slice(0, 3)]);
      expect(sampled.finished).toEqual([true, false, true, false]);
      const rows = inputs.flatMap((x) => [x, x]);
      const local = policy.completionLogProbs(rows.map((r) => r.local), sampled.ids);
      const viaRemote = remote.completionLogProbs(rows, sampled.ids);
      expect(viaRemote.arraySync()).toEqual(local.arraySync());
      tf.dispose([local, viaRemote]);
      const mask = tf.tensor2d(completionMask(sampled.ids, policy.tokens.eosId));
      const update = optimizer.minimize(() => tf.neg(tf.sum(tf.mul(remote.completionLogProbs(rows, sampled.ids), mask))) as tf.Scalar);
      expect(update.applied).toBe(true);
      mask.dispose();
    }
    const chats = state.events.filter((e): e is Extract<Event, { type: 'chat' }> => e.type === 'chat');
    expect(state.events.map((e) => (e.type === 'chat' ? `chat:${e.model}` : `${e.type}:${e.name}`))).toEqual([
      'load:loop-1', 'chat:loop-1', 'chat:loop-1', 'chat:loop-1',
      'load:loop-2', 'unload:loop-1', 'chat:loop-2', 'chat:loop-2', 'chat:loop-2',
    ]);
    // Each rollout came from the adapter equal to the local weights when it was requested.
    expect(chats.map((c) => c.digest)).toEqual([localDigests[0], localDigests[0], localDigests[0], localDigests[1], localDigests[1], localDigests[1]]);
    expect(localDigests[0]).not.toBe(localDigests[1]);
    const first = chats[0]!.body;
    expect(first).toMatchObject({ n: 2, temperature: 1, top_p: 0.9, top_k: -1, max_tokens: 16, logprobs: true, return_tokens_as_token_ids: true, return_token_ids: true, mm_processor_kwargs: { fps: 2 } });
    const ids = policy.model.config;
    expect(first['logit_bias']).toEqual({ [String(policy.tokens.padId)]: -100, [String(ids.imageTokenId)]: -100, [String(ids.videoTokenId)]: -100 });
    expect(typeof first['seed']).toBe('number');
    const [video, text] = (first['messages'] as Array<{ content: Array<Record<string, { url: string } | string>> }>)[0]!.content;
    expect((video!['video_url'] as { url: string }).url).toMatch(/^data:video\/jpeg;base64,/);
    expect((video!['video_url'] as { url: string }).url.split(',')).toHaveLength(1 + 4);
    expect(text).toEqual({ type: 'text', text: 'How many?' });
    const image = (chats[1]!.body['messages'] as Array<{ content: Array<Record<string, { url: string }>> }>)[0]!.content[0]!;
    expect(image['image_url']!.url).toMatch(/^data:image\/png;base64,iVBORw0KGgo/);
    optimizer.dispose();
    remote.dispose();
  });

  it('samples the reference from the base model without loading adapters', async () => {
    const policy = loraPolicy();
    const remote = remoteOf(policy, 'ref');
    state.events = [];
    state.answer = (n) => Array.from({ length: n }, () => ({ ids: [policy.tokens.eosId], finish: 'stop', asLogprobs: false }));
    const reference = remote.reference();
    await reference.sample([reference.encode(prompts[1]!)], { numSamples: 1, maxNewTokens: 4, temperature: 0, topP: 1 });
    expect(state.events.map((e) => e.type)).toEqual(['chat']);
    expect((state.events[0] as Extract<Event, { type: 'chat' }>).model).toBe('tiny-base');
    expect(reference.trainableVariables()).toEqual([]);
    remote.dispose();
  });

  it('refuses full fine-tuning, a sampled PAD and a failing server with coded errors', async () => {
    const full = QwenVLPolicy.load(path.join(dir, 'model'));
    const fullRemote = remoteOf(full, 'full');
    await expect(fullRemote.sample([fullRemote.encode(prompts[1]!)], { numSamples: 1, maxNewTokens: 4, temperature: 0, topP: 1 })).rejects.toMatchObject({ code: 'NO_ADAPTER' });
    fullRemote.dispose();
    const policy = loraPolicy();
    const remote = remoteOf(policy, 'bad');
    state.answer = (n) => Array.from({ length: n }, () => ({ ids: [policy.tokens.padId], finish: 'stop', asLogprobs: false }));
    await expect(remote.sample([remote.encode(prompts[1]!)], { numSamples: 1, maxNewTokens: 4, temperature: 0, topP: 1 })).rejects.toMatchObject({ code: 'PAD_SAMPLED' });
    state.failChat = true;
    const failure = remote.sample([remote.encode(prompts[1]!)], { numSamples: 1, maxNewTokens: 4, temperature: 0, topP: 1 });
    await expect(failure).rejects.toBeInstanceOf(RolloutServerError);
    await expect(failure).rejects.toMatchObject({ code: 'HTTP_ERROR', message: expect.stringContaining('/v1/chat/completions answered 500') });
    state.failChat = false;
    remote.dispose();
  });
});

import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildPrompt } from '@video-r1/datasets';
import type { VideoR1Record } from '@video-r1/datasets';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openAIAdapter, runEvaluation } from '../src/index.js';
import { completion, startChatServer } from './helpers/chat-server.js';
import type { ChatServer, ScriptedReply } from './helpers/chat-server.js';
import { expectedReward, questionId, scriptedAnswer, testSamples } from './helpers/samples.js';

const FAST_RETRY = { maxRetries: 4, baseDelayMs: 5, maxDelayMs: 50 };

let dir: string;
let server: ChatServer | undefined;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'eval-openai-'));
});

afterEach(async () => {
  await server?.close();
  server = undefined;
  await rm(dir, { recursive: true, force: true });
});

function run(samples: VideoR1Record[], adapter: ReturnType<typeof openAIAdapter>, concurrency = 8) {
  return runEvaluation({ benchmark: 'synthetic', samples, adapter, outputPath: join(dir, 'out.json'), dataRoot: dir, concurrency, batchSize: 4 });
}

describe('openAIAdapter against a chat-completions server on 127.0.0.1', () => {
  it('scores every answer as reward_fn does, with Video-R1 decoding, the eval prompt and the API key from the environment', async () => {
    server = await startChatServer((req) => ({ delayMs: 5, body: completion(scriptedAnswer(questionId(req.text))) }));
    process.env.EVAL_TEST_KEY = 'sk-test-123';
    const samples = testSamples(12);
    const adapter = openAIAdapter({ baseUrl: server.url, apiKeyEnv: 'EVAL_TEST_KEY', retry: FAST_RETRY });
    const { results, summary } = await run(samples, adapter);

    expect(results.map((r) => r.problem_id)).toEqual(samples.map((s) => s.problem_id));
    results.forEach((r, i) => {
      expect(r.reward).toBeCloseTo(expectedReward(i), 6);
      expect(r.correct).toBe(expectedReward(i) === 1);
      expect(r.process).toBe(`<think>Let me look at question ${i} frame by frame.</think>`);
      expect(r.error).toBeUndefined();
    });
    // Non-regression ids 0,1,3,4,6,7,9,10 → right on 0,4,6,10; regression 2,5,8,11 → 1,0.4,1,0.4.
    expect(summary.final_acc.mean_acc).toBeCloseTo(4 / 8, 6);
    expect(summary.final_acc.mean_mra).toBeCloseTo(2.8 / 4, 6);

    const first = server.requests[0]!;
    expect(first.body.model).toBe('scripted-model');
    expect(first.body).toMatchObject({ temperature: 0.01, top_p: 0.001, max_tokens: 1024 });
    expect(first.headers.authorization).toBe('Bearer sk-test-123');
    const sample = samples[questionId(first.text)]!;
    expect(first.text).toBe(buildPrompt(sample, { template: 'eval' }));
    delete process.env.EVAL_TEST_KEY;
  });

  it('never has more requests in flight than maxConcurrency', async () => {
    server = await startChatServer((req) => ({ delayMs: 25, body: completion(scriptedAnswer(questionId(req.text))) }));
    const adapter = openAIAdapter({ baseUrl: server.url, model: 'm', maxConcurrency: 3, retry: FAST_RETRY });
    const { results } = await run(testSamples(18), adapter, 10);
    expect(results).toHaveLength(18);
    expect(server.maxInFlight).toBeLessThanOrEqual(3);
    expect(server.maxInFlight).toBe(3); // the limit is reached, so the bound is what held it
  });

  it('retries 429 (honouring Retry-After), 500, 503 and malformed JSON, then scores the answers', async () => {
    const seen = new Map<number, number>();
    const arrivals = new Map<number, number[]>();
    server = await startChatServer((req): ScriptedReply => {
      const id = questionId(req.text);
      const n = (seen.get(id) ?? 0) + 1;
      seen.set(id, n);
      arrivals.set(id, [...(arrivals.get(id) ?? []), Date.now()]);
      if (id === 0 && n === 1) return { status: 429, headers: { 'retry-after': '1' }, body: { error: { message: 'rate limited' } } };
      if (id === 1 && n === 1) return { status: 500, body: { error: { message: 'boom' } } };
      if (id === 2 && n <= 2) return { status: 503, body: 'upstream unavailable' };
      if (id === 3 && n === 1) return { body: '{"choices": [{"message": {"content": "<answer>A' };
      return { body: completion(scriptedAnswer(id)) };
    });
    const retries: string[] = [];
    const adapter = openAIAdapter({ baseUrl: server.url, model: 'm', retry: FAST_RETRY, onRetry: (r) => retries.push(r.reason) });
    const { results, errors } = await run(testSamples(6), adapter);

    expect(errors).toBe(0);
    results.forEach((r, i) => expect(r.reward).toBeCloseTo(expectedReward(i), 6));
    expect([seen.get(0), seen.get(1), seen.get(2), seen.get(3), seen.get(4)]).toEqual([2, 2, 3, 2, 1]);
    const [first429, retry429] = arrivals.get(0)!;
    expect(retry429! - first429!).toBeGreaterThanOrEqual(950); // Retry-After: 1 (s), not the 5 ms backoff
    expect(retries.some((r) => r.includes('HTTP 429'))).toBe(true);
    expect(retries.some((r) => r.includes('not JSON'))).toBe(true);
  });

  it('times out slow answers and retries them', async () => {
    let calls = 0;
    server = await startChatServer((req) => {
      calls++;
      return { delayMs: calls === 1 ? 1500 : 1, body: completion(scriptedAnswer(questionId(req.text))) };
    });
    const adapter = openAIAdapter({ baseUrl: server.url, model: 'm', timeoutMs: 150, retry: FAST_RETRY });
    const started = Date.now();
    const { results, errors } = await run(testSamples(1), adapter);
    expect(errors).toBe(0);
    expect(results[0]!.reward).toBe(1);
    expect(calls).toBe(2);
    expect(Date.now() - started).toBeLessThan(1400);
  });

  it('records a per-sample error and finishes the run when a sample keeps failing', async () => {
    server = await startChatServer((req): ScriptedReply => {
      const id = questionId(req.text);
      if (id === 1) return { status: 500, body: 'always broken' };
      if (id === 2) return { status: 400, body: { error: { message: 'image too large' } } };
      if (id === 4) return { body: 'not json at all' };
      return { body: completion(scriptedAnswer(id)) };
    });
    const adapter = openAIAdapter({ baseUrl: server.url, model: 'm', retry: { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 5 } });
    const { results, summary, errors } = await run(testSamples(6), adapter);

    expect(errors).toBe(3);
    expect(results).toHaveLength(6);
    expect(results[1]!.error).toMatchObject({ kind: 'http', status: 500, attempts: 3 });
    expect(results[2]!.error).toMatchObject({ kind: 'http', status: 400, attempts: 1 }); // 4xx: not retried
    expect(results[2]!.error!.message).toContain('image too large');
    expect(results[4]!.error).toMatchObject({ kind: 'malformed-response', attempts: 3 });
    for (const i of [1, 2, 4]) expect(results[i]).toMatchObject({ output: '', reward: 0, correct: false });
    for (const i of [0, 3, 5]) expect(results[i]!.reward).toBeCloseTo(expectedReward(i), 6);
    expect(summary.total.errors).toBe(3);
  });

  it('sends frames as base64 JPEG image parts before the text', async () => {
    server = await startChatServer((req) => ({ body: completion(scriptedAnswer(questionId(req.text))) }));
    const frames = { data: new Uint8Array(3 * 8 * 8 * 3).fill(200), frames: 3, height: 8, width: 8 };
    const adapter = openAIAdapter({ baseUrl: server.url, model: 'm', frameLoader: async () => frames, retry: FAST_RETRY });
    await mkdir(join(dir, 'Evaluation'));
    await writeFile(join(dir, 'Evaluation/clip.mp4'), ''); // frameLoader is injected: the bytes are not read
    const sample = { ...testSamples(1)[0]!, path: './Evaluation/clip.mp4' };
    const missing = { ...testSamples(2)[1]!, path: './Evaluation/missing.mp4' };
    const { results } = await run([sample, missing], adapter);
    expect(server.requests).toHaveLength(1);
    expect(results[1]!.error).toMatchObject({ kind: 'media' });
    expect(results[1]!.error!.message).toContain('missing.mp4');
    const content = server.requests[0]!.body.messages![0]!.content as { type: string; image_url?: { url: string } }[];
    expect(content.map((p) => p.type)).toEqual(['image_url', 'image_url', 'image_url', 'text']);
    const jpeg = Buffer.from(content[0]!.image_url!.url.replace(/^data:image\/jpeg;base64,/, ''), 'base64');
    expect([jpeg[0], jpeg[1], jpeg.at(-2), jpeg.at(-1)]).toEqual([0xff, 0xd8, 0xff, 0xd9]); // SOI … EOI
  });
});

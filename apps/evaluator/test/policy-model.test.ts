import { mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildPrompt } from '@video-r1/datasets';
import type { VideoR1Record } from '@video-r1/datasets';
import { runEvaluation } from '@video-r1/eval';
import { Tokenizer, capFrameRequest, createPolicy, newestCheckpoint, saveCheckpoint } from '@video-r1/policy';
import type { PolicyAdapter } from '@video-r1/policy';
import { selectBackend } from '@video-r1/tensor';
import { FrameSource, writeVideo } from '@video-r1/video-io';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEFAULTS } from '../src/config.js';
import { policyModel } from '../src/policy-model.js';

let dir: string;
const samples: VideoR1Record[] = Array.from({ length: 5 }, (_, i) => ({
  problem_id: i,
  problem: `Q${i}: which colour moved?`,
  problem_type: 'multiple choice',
  data_type: 'video',
  path: '',
  options: ['A. red', 'B. blue'],
  solution: '<answer>B</answer>',
}));

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'evaluator-policy-'));
  await selectBackend('cpu', { log: false });
  const tokenizer = Tokenizer.fit([...samples.map((s) => buildPrompt(s, { template: 'eval' })), '<think>the blue one</think><answer>B</answer>']);
  const config = { dModel: 16, nLayers: 1, nHeads: 2, dFF: 32 };
  await saveCheckpoint(join(dir, 'run/checkpoints/step-1'), { policy: createPolicy({ ...config, seed: 1 }, tokenizer) });
  await new Promise((r) => setTimeout(r, 20)); // a later createdAt
  await saveCheckpoint(join(dir, 'run/checkpoints/final'), { policy: createPolicy({ ...config, seed: 2 }, tokenizer) });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

it('finds the newest checkpoint of a run directory', async () => {
  expect(newestCheckpoint(join(dir, 'run'))?.dir).toBe(await realpath(join(dir, 'run/checkpoints/final')));
  expect(newestCheckpoint(join(dir, 'run/checkpoints/step-1'))?.dir).toBe(await realpath(join(dir, 'run/checkpoints/step-1')));
  expect(newestCheckpoint(dir)).toBeNull();
});

it('evaluates a checkpoint through the policy adapter', async () => {
  const log: string[] = [];
  const model = await policyModel({ ...DEFAULTS, model: join(dir, 'run'), backend: 'cpu', decoding: { ...DEFAULTS.decoding, max_tokens: 6 } }, (l) => log.push(l), samples);
  expect(model.adapter.name).toBe('policy:run/final');
  expect(model.settings).toMatchObject({ checkpoint: await realpath(join(dir, 'run/checkpoints/final')), backend: 'cpu' });
  const run = await runEvaluation({ benchmark: 'synthetic', samples, adapter: model.adapter, outputPath: join(dir, 'out.json'), dataRoot: dir, concurrency: 5 });
  await model.adapter.close?.();
  expect(run.errors).toBe(0);
  expect(run.results).toHaveLength(5);
  for (const r of run.results) expect(typeof r.output).toBe('string');
});

it('says what is wrong with a --model that is neither a URL nor a checkpoint', async () => {
  await expect(policyModel({ ...DEFAULTS, model: dir, backend: 'cpu' }, () => {}, samples)).rejects.toThrow(/is neither a URL nor a directory holding a policy checkpoint/);
});

it('reads media with the frame request the checkpoint was trained with (capped by the frame budget)', async () => {
  const tokenizer = Tokenizer.fit(samples.map((s) => buildPrompt(s, { template: 'eval' })));
  const policy = createPolicy({ dModel: 16, nLayers: 1, nHeads: 2, dFF: 32, seed: 3 }, tokenizer);
  const trained = { preset: 'video-r1-train' as const, fps: 2, minFrames: 4, maxFrames: 8, maxPixels: 100352, outputSize: { height: 16, width: 16 } };
  await saveCheckpoint(join(dir, 'framed/checkpoints/final'), { policy, frames: trained });
  const data = new Uint8Array(40 * 24 * 32 * 3).map((_, i) => (i * 13) % 256);
  await writeVideo(join(dir, 'clip.mp4'), { data, frames: 40, height: 24, width: 32 }, { fps: 8 });
  const model = await policyModel({ ...DEFAULTS, model: join(dir, 'framed'), backend: 'cpu', decoding: { ...DEFAULTS.decoding, max_tokens: 2 } }, () => {}, samples);
  const adapter = model.adapter as unknown as PolicyAdapter;
  const request = { prompt: 'p', media: { kind: 'video' as const, path: join(dir, 'clip.mp4') }, maxFrames: DEFAULTS.frames[0]! };
  const seen = (await adapter.framesFor(request))!;
  const expected = await new FrameSource({ request: capFrameRequest(trained, request.maxFrames, policy.config.vision), memory: false }).frames(request.media.path, 'video');
  expect({ frames: seen.frames, height: seen.height, width: seen.width }).toEqual({ frames: 8, height: 16, width: 16 });
  expect(Buffer.from(seen.data).equals(Buffer.from(expected.data))).toBe(true);
  policy.dispose();
});

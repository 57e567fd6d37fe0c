import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readFrames, writeVideo } from '@video-r1/video-io';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { capFrameRequest, findCheckpoints, generate, loadCheckpoint, newestCheckpoint, policyAdapter, policyFrameRequest, saveCheckpoint } from '../src/index.js';
import { PROMPTS, movingFrames, tinyPolicy } from './helpers.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'policy-frames-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('policyFrameRequest', () => {
  it('is Video-R1 training sampling at the patch grid size, the run budget capped by the model', () => {
    const vision = { height: 32, width: 48, maxFrames: 16 };
    expect(policyFrameRequest(vision)).toEqual({ preset: 'video-r1-train', maxFrames: 16, outputSize: { height: 32, width: 48 } });
    expect(policyFrameRequest(vision, { maxFrames: 64 }).maxFrames).toBe(16);
    expect(policyFrameRequest(vision, { maxFrames: 8 }).maxFrames).toBe(8);
  });
});

describe('policyAdapter.generateBatch', () => {
  it('answers a group in order as one generate call; an unreadable item fails alone', async () => {
    const policy = tinyPolicy();
    const frames = movingFrames();
    const asked: string[] = [];
    const adapter = policyAdapter({
      policy,
      maxNewTokens: 5,
      frames: {
        frames: async (file) => {
          asked.push(path.basename(file));
          if (file.endsWith('broken.mp4')) throw new Error('cannot decode broken.mp4');
          return frames;
        },
      },
    });
    const media = (name: string) => ({ kind: 'video' as const, path: `/data/${name}` });
    const outcomes = await adapter.generateBatch([
      { sample: {}, request: { prompt: PROMPTS[0]!, media: media('a.mp4'), maxFrames: 16 } },
      { sample: {}, request: { prompt: PROMPTS[1]!, media: media('broken.mp4'), maxFrames: 16 } },
      { sample: {}, request: { prompt: PROMPTS[0]!, media: null, maxFrames: 16 } },
    ]);
    const expected = generate(policy, [{ prompt: PROMPTS[0]!, frames }, { prompt: PROMPTS[0]! }], { maxNewTokens: 5, temperature: 0 });
    expect(outcomes[0]).toEqual({ output: expected.texts[0] });
    expect(outcomes[1]).toMatchObject({ error: { message: 'cannot decode broken.mp4' } });
    expect(outcomes[2]).toEqual({ output: expected.texts[1] });
    expect(asked).toEqual(['a.mp4', 'broken.mp4']);
    expect(adapter.groupSize).toBe(16);
    policy.dispose();
  });

  it('reads media with the checkpoint request, capped by the run budget', async () => {
    const policy = tinyPolicy();
    const file = path.join(dir, 'clip.mp4');
    await writeVideo(file, movingFrames(12, 8, 8), { fps: 4 });
    const trained = { preset: 'video-r1-train' as const, fps: 4, maxFrames: 6, outputSize: { height: 8, width: 8 } };
    expect(capFrameRequest(trained, 16, policy.config.vision).maxFrames).toBe(6);
    expect(capFrameRequest(trained, 4, policy.config.vision).maxFrames).toBe(4);
    const adapter = policyAdapter({ policy, maxNewTokens: 8, frameRequest: trained });
    for (const budget of [16, 4]) {
      const frames = await readFrames(file, 'video', capFrameRequest(trained, budget, policy.config.vision));
      const expected = generate(policy, [{ prompt: PROMPTS[0]!, frames }], { maxNewTokens: 8, temperature: 0 }).texts[0];
      const [outcome] = await adapter.generateBatch([{ sample: {}, request: { prompt: PROMPTS[0]!, media: { kind: 'video', path: file }, maxFrames: budget } }]);
      expect(outcome).toEqual({ output: expected });
    }
    policy.dispose();
  });
});

describe('checkpoints', () => {
  it('keep the frame request they were trained with', async () => {
    const policy = tinyPolicy();
    const request = { preset: 'video-r1-train' as const, fps: 2, minFrames: 4, maxFrames: 8, maxPixels: 100352, outputSize: { height: 16, width: 16 } };
    await saveCheckpoint(path.join(dir, 'with'), { policy, frames: request });
    await saveCheckpoint(path.join(dir, 'without'), { policy });
    const withFrames = await loadCheckpoint(path.join(dir, 'with'));
    const without = await loadCheckpoint(path.join(dir, 'without'));
    expect(withFrames.frames).toEqual(request);
    expect(without.frames).toBeUndefined();
    for (const p of [policy, withFrames.policy, without.policy]) p.dispose();
  });

  it('newest first by the manifest time, in a run directory or its checkpoints/, hidden ones skipped', async () => {
    const policy = tinyPolicy();
    const run = path.join(dir, 'run');
    for (const name of ['sft-000002', 'sft', 'rl-000002', 'rl-000004']) await saveCheckpoint(path.join(run, 'checkpoints', name), { policy });
    await mkdir(path.join(run, 'checkpoints', '.rl-000006.tmp-1-ab'), { recursive: true });
    expect(findCheckpoints(run).map((c) => c.name)).toEqual(['rl-000004', 'rl-000002', 'sft', 'sft-000002']);
    // Saving again makes it the newest, whatever its name says.
    await saveCheckpoint(path.join(run, 'checkpoints', 'sft'), { policy });
    expect(newestCheckpoint(path.join(run, 'checkpoints'))?.name).toBe('sft');
    // A checkpoint directory is its own answer.
    expect(findCheckpoints(path.join(run, 'checkpoints', 'rl-000002')).map((c) => c.name)).toEqual(['rl-000002']);
    expect(newestCheckpoint(path.join(dir, 'nothing-here'))).toBeNull();
    policy.dispose();
  });
});

import { describe, expect, it } from 'vitest';

import { generate, policyAdapter } from '../src/index.js';
import { PROMPTS, movingFrames, tinyPolicy } from './helpers.js';

describe('policyAdapter', () => {
  it('answers like generate, batching concurrent samples, with frames from its frame provider', async () => {
    const policy = tinyPolicy();
    const frames = movingFrames();
    const requested: string[] = [];
    const adapter = policyAdapter({
      policy,
      maxNewTokens: 6,
      frames: {
        frames: async (file, kind) => {
          requested.push(`${kind}:${file}`);
          return frames;
        },
      },
    });
    const media = { kind: 'video' as const, path: 'a.mp4' };
    const outputs = await Promise.all([
      adapter.generate({}, { prompt: PROMPTS[0]!, media, maxFrames: 16 }),
      adapter.generate({}, { prompt: PROMPTS[1]!, media: null, maxFrames: 16 }),
    ]);
    const expected = generate(policy, [{ prompt: PROMPTS[0]!, frames }, { prompt: PROMPTS[1]! }], { maxNewTokens: 6, temperature: 0 });
    expect(outputs.map((o) => o.output)).toEqual(expected.texts);
    expect(requested).toEqual(['video:a.mp4']);
    expect(adapter.name).toBe('video-r1-policy');
    await adapter.close();
    await expect(adapter.generate({}, { prompt: 'x', media: null, maxFrames: 16 })).rejects.toThrow(/after close/);
    policy.dispose();
  });

  it('still reads through the deprecated loadFrames option', async () => {
    const policy = tinyPolicy();
    const frames = movingFrames();
    const adapter = policyAdapter({ policy, loadFrames: async (_media, maxFrames) => ({ ...frames, frames: Math.min(frames.frames, maxFrames) }) });
    expect(await adapter.framesFor({ prompt: 'x', media: { kind: 'video', path: 'a.mp4' }, maxFrames: 4 })).toMatchObject({ frames: 4 });
    await adapter.close();
    policy.dispose();
  });
});

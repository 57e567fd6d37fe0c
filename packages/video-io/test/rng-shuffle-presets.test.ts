import { createRng as tensorCreateRng } from '@video-r1/tensor/random';
import { describe, expect, it } from 'vitest';
import { VIDEO_PRESETS, videoPreset } from '../src/presets.js';
import { createRng } from '../src/rng.js';
import { shuffleFrames } from '../src/shuffle.js';
import { smartNFrames } from '../src/sampling.js';
import { videoOutputSize } from '../src/resize.js';

describe('createRng (deprecated here)', () => {
  it("is @video-r1/tensor's generator, re-exported for one release", () => {
    expect(createRng).toBe(tensorCreateRng);
  });
});

describe('shuffleFrames', () => {
  const stack = () => {
    const frames = 6;
    const data = new Uint8Array(frames * 2 * 2 * 3);
    for (let k = 0; k < frames; k++) data.fill(k * 10, k * 12, (k + 1) * 12);
    return { data, frames, height: 2, width: 2, indices: [0, 3, 6, 9, 12, 15], timestamps: [0, 0.1, 0.2, 0.3, 0.4, 0.5] };
  };

  it('moves whole frames with their indices and timestamps, reproducibly', () => {
    const video = stack();
    const copy = Buffer.from(video.data);
    const shuffled = shuffleFrames(video, createRng(1));
    expect([...shuffled.permutation].sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(shuffled.permutation).not.toEqual([0, 1, 2, 3, 4, 5]);
    shuffled.permutation.forEach((from, to) => {
      expect(shuffled.data[to * 12]).toBe(from * 10);
      expect(shuffled.indices?.[to]).toBe(video.indices[from]);
      expect(shuffled.timestamps?.[to]).toBe(video.timestamps[from]);
    });
    expect(Buffer.from(video.data).equals(copy)).toBe(true);
    expect(shuffleFrames(stack(), createRng(1)).permutation).toEqual(shuffled.permutation);
  });

  it('draws every permutation of 3 frames about equally often', () => {
    const rng = createRng(3);
    const counts = new Map<string, number>();
    const video = { data: new Uint8Array(9), frames: 3, height: 1, width: 1 };
    for (let i = 0; i < 6000; i++) {
      const key = shuffleFrames(video, rng).permutation.join('');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect(counts.size).toBe(6);
    for (const count of counts.values()) expect(Math.abs(count - 1000)).toBeLessThan(150);
  });

  it('rejects a broken rng and malformed stacks', () => {
    expect(() => shuffleFrames(stack(), () => 1)).toThrow(/\[0, 1\)/);
    expect(() => shuffleFrames({ ...stack(), frames: 7 }, createRng(1))).toThrow(/need/);
  });
});

describe('presets', () => {
  it('has the Video-R1 training and evaluation settings and upstream qwen2.5-vl', () => {
    expect(Object.keys(VIDEO_PRESETS)).toEqual(['video-r1-train', 'video-r1-eval', 'video-r1-eval-16', 'video-r1-eval-64', 'qwen2.5-vl']);
    expect(VIDEO_PRESETS['video-r1-train']).toMatchObject({ fps: 2, minFrames: 4, maxFrames: 16, videoMaxPixels: 128 * 784 });
    expect(VIDEO_PRESETS['video-r1-eval']).toMatchObject({ maxFrames: 32, videoMaxPixels: 256 * 784 });
    expect(VIDEO_PRESETS['video-r1-eval-64'].maxFrames).toBe(64);
    expect(VIDEO_PRESETS['qwen2.5-vl']).toMatchObject({ maxFrames: 768, videoMaxPixels: 768 * 784, imageMaxPixels: 16384 * 784 });
    expect(VIDEO_PRESETS['video-r1-train'].videoTotalPixels).toBe(90316800);
  });

  it('changes frame counts and sizes the way editing vision_process.py would', () => {
    const eval32 = videoPreset('video-r1-eval');
    // 60 s at 30 fps: fps 2 wants 120 frames; training caps at 16, evaluation at 32.
    expect(smartNFrames({}, 1800, 30)).toBe(16);
    expect(smartNFrames({}, 1800, 30, eval32)).toBe(32);
    expect(smartNFrames({}, 1800, 30, videoPreset('video-r1-eval', { maxFrames: 64 }))).toBe(64);
    const source = { height: 720, width: 1280 };
    expect(videoOutputSize(source, 16, {}, videoPreset('video-r1-train')).to).toEqual({ height: 224, width: 420 });
    expect(videoOutputSize(source, 32, {}, eval32).to).toEqual({ height: 336, width: 588 });
    expect(() => videoPreset('video-r1')).toThrow(/known presets: video-r1-train/);
  });
});

describe('defaultDecodeThreads', () => {
  it('stays between 1 and min(8, 2 × CPUs), and splits the CPUs between concurrent reads', async () => {
    const { defaultDecodeThreads } = await import('../src/threads.js');
    const { availableParallelism } = await import('node:os');
    const cap = Math.min(8, 2 * availableParallelism());
    for (const share of [1, 2, 64]) {
      const threads = defaultDecodeThreads(share);
      expect(threads).toBeGreaterThanOrEqual(1);
      expect(threads).toBeLessThanOrEqual(Math.max(1, Math.floor(cap / share)));
    }
    expect(defaultDecodeThreads(1000)).toBe(1);
  });
});

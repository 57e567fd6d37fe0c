import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FrameSource, FrameSources, readFrames, readVideo, writeImage, type FrameRequest } from '../src/index.js';
import { videoPath } from './helpers/fixtures.js';

const clip = videoPath('vfr_320x240.mp4');
const request: FrameRequest = { preset: 'video-r1-train', maxFrames: 6, outputSize: { height: 16, width: 24 } };

describe('FrameSource', () => {
  it('gives what readVideo gives for the same settings, with the sampling facts', async () => {
    const direct = await readVideo(clip, { preset: 'video-r1-train', maxFrames: 6, outputSize: { height: 16, width: 24 } });
    const frames = await new FrameSource({ request, memory: false }).frames(clip, 'video');
    expect({ frames: frames.frames, height: frames.height, width: frames.width, indices: frames.indices, sampleFps: frames.sampleFps }).toEqual({
      frames: direct.frames,
      height: 16,
      width: 24,
      indices: direct.indices,
      sampleFps: direct.sampleFps,
    });
    expect(Buffer.from(frames.data).equals(Buffer.from(direct.data))).toBe(true);
  });

  it('equal requests give equal frames through the memory cache, the disk cache and no cache', async () => {
    const cacheDir = mkdtempSync(path.join(tmpdir(), 'frame-source-'));
    const cached = new FrameSource({ request, cacheDir });
    const a = await cached.frames(clip, 'video');
    expect(await cached.frames(clip, 'video')).toBe(a);
    expect(cached.stats).toMatchObject({ decoded: 1, memoryHits: 1 });
    expect(readdirSync(cacheDir)).toHaveLength(1);
    const fromDisk = new FrameSource({ request: { ...request }, cacheDir });
    const b = await fromDisk.frames(clip, 'video');
    expect(fromDisk.stats).toMatchObject({ decoded: 0, diskHits: 1 });
    const uncached = new FrameSource({ request, memory: false });
    const c = await uncached.frames(clip, 'video');
    expect(await uncached.frames(clip, 'video')).not.toBe(c);
    expect(uncached.stats.decoded).toBe(2);
    for (const other of [b, c]) expect(Buffer.from(other.data).equals(Buffer.from(a.data))).toBe(true);
  });

  it('memory: false with a disk cache reads the disk entry again instead of holding the frames', async () => {
    const cacheDir = mkdtempSync(path.join(tmpdir(), 'frame-source-'));
    const source = new FrameSource({ request, cacheDir, memory: false });
    const a = await source.frames(clip, 'video');
    const b = await source.frames(clip, 'video');
    expect(b).not.toBe(a);
    expect(source.stats).toMatchObject({ decoded: 1, diskHits: 1, memoryHits: 0 });
  });

  it('another request is another cache entry and other frames', async () => {
    const cacheDir = mkdtempSync(path.join(tmpdir(), 'frame-source-'));
    await new FrameSource({ request, cacheDir }).frames(clip, 'video');
    const fewer = await new FrameSource({ request: { ...request, maxFrames: 4 }, cacheDir }).frames(clip, 'video');
    expect(readdirSync(cacheDir)).toHaveLength(2);
    expect(fewer.frames).toBe(4);
  });

  it('reads an image as one frame at the requested size', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'frame-source-img-'));
    const file = path.join(dir, 'a.png');
    const pixels = new Uint8Array(8 * 8 * 3).map((_, i) => (i * 37) % 256);
    await writeImage(file, { data: pixels, height: 8, width: 8 });
    const image = await readFrames(file, 'image', { outputSize: { height: 8, width: 8 } });
    expect(image).toMatchObject({ frames: 1, height: 8, width: 8, indices: [0], sampleFps: null });
    expect(Array.from(image.data)).toEqual(Array.from(pixels));
  });

  it('an aborted signal stops an uncached read before it starts', async () => {
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(new FrameSource({ request, memory: false }).frames(clip, 'video', controller.signal)).rejects.toThrow('stop');
  });
});

describe('FrameSources', () => {
  it('keeps one source per distinct request, with the shared options', () => {
    const sources = new FrameSources({ memory: false });
    const a: FrameRequest = { maxFrames: 8, maxPixels: 64 * 28 * 28 };
    const first = sources.for(a);
    expect(sources.for({ ...a })).toBe(first);
    expect(first.request).toEqual(a);
    const other = sources.for({ ...a, maxFrames: 16 });
    expect(other).not.toBe(first);
    expect(other.request.maxFrames).toBe(16);
  });
});

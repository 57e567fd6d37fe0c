import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VideoIoError } from '../src/errors.js';
import { liveChildPids } from '../src/ffmpeg/process.js';
import { setVideoIoLogger } from '../src/log.js';
import { probeVideo } from '../src/probe.js';
import { readVideo } from '../src/read-video.js';
import { readVideos, readVideosSettled } from '../src/read-videos.js';
import { childProcesses } from './helpers/children.js';
import { videoPath } from './helpers/fixtures.js';
import { decodeGridStack } from './helpers/vio-grid.js';

setVideoIoLogger(null);

const HD = videoPath('h264_1280x720_30_aac.mp4');
const LONG = videoPath('h264_480x270_2997_60s.mp4');
const ROT = videoPath('h264_480x270_30_rot90.mp4');
const VFR = videoPath('vfr_320x240.mp4');

const shownIndices = (video: { data: Uint8Array; frames: number; height: number; width: number }): number[] =>
  decodeGridStack(video.data, video.frames, video.height, video.width).map((d) => d.index);

/** Turn THWC frames 90° counter-clockwise (undoing a clockwise display rotation). */
function rotateBack(video: { data: Uint8Array; frames: number; height: number; width: number }) {
  const { frames, height: h, width: w } = video;
  const out = new Uint8Array(video.data.length);
  for (let f = 0; f < frames; f++) {
    const base = f * h * w * 3;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        // transpose=clock put stored pixel (w-1-x, y) at upright (y, x).
        const storedRow = w - 1 - x;
        const storedCol = y;
        const to = base + (storedRow * h + storedCol) * 3;
        const from = base + (y * w + x) * 3;
        out[to] = video.data[from] as number;
        out[to + 1] = video.data[from + 1] as number;
        out[to + 2] = video.data[from + 2] as number;
      }
    }
  }
  return { data: out, frames, height: w, width: h };
}

describe('readVideo', () => {
  it('returns the chosen frames with replay provenance', async () => {
    const video = await readVideo(HD, { nframes: 4 });
    expect(video.indices).toEqual([0, 100, 199, 299]);
    expect(shownIndices(video)).toEqual([0, 100, 199, 299]);
    expect(video.timestamps).toEqual([0, 100 / 30, 199 / 30, 299 / 30].map((t) => expect.closeTo(t, 6)));
    const p = video.provenance;
    expect(p).toMatchObject({
      path: HD,
      preset: 'video-r1-train',
      totalFrames: 300,
      frameCountSource: 'container',
      videoFps: 30,
      fpsSource: 'avg_frame_rate',
      nframes: 4,
      nframesRule: { kind: 'nframes', requested: 4 },
      source: { width: 1280, height: 720, codec: 'h264', rotation: 0 },
      autorotated: false,
      frameNumbers: [0, 100, 199, 299],
      resize: { mode: 'smart_resize', from: { height: 720, width: 1280 }, to: { height: 224, width: 420 }, interpolation: 'bicubic' },
    });
    expect(p.decode.ffmpeg.path).toMatch(/ffmpeg/);
    expect(p.decode.ffmpeg.version).not.toBe('');
    expect(p.decode.strategy).toBe('packets'); // H.264 in MP4
    expect(p.decode.threads).toBeGreaterThanOrEqual(1);
  });

  it('gives the same frames whether it seeks or decodes from the start', async () => {
    const [seek, sequential] = await Promise.all([
      readVideo(LONG, { nframes: 8, strategy: 'seek' }),
      readVideo(LONG, { nframes: 8, strategy: 'sequential' }),
    ]);
    expect(seek.provenance.decode.strategy).toBe('seek');
    expect(sequential.provenance.decode.strategy).toBe('sequential');
    expect(seek.provenance.decode.framesDecoded).toBeLessThan(sequential.provenance.decode.framesDecoded);
    expect(shownIndices(seek)).toEqual(seek.indices);
    expect(shownIndices(sequential)).toEqual(seek.indices);
    expect(seek.timestamps).toEqual(sequential.timestamps);
  });

  it('selects hundreds of frames (expressions stay shallow enough for every ffmpeg)', async () => {
    const video = await readVideo(LONG, { fps: 8, maxFrames: 480, outputSize: { height: 56, width: 56 } });
    expect(video.frames).toBe(478); // 1798 frames at 29.97 fps, 8 fps: 479.8, floored to even
    expect(shownIndices(video)).toEqual(video.indices);
  });

  it('resizes to an exact outputSize (not the reference), keeping the frame choice', async () => {
    const video = await readVideo(HD, { nframes: 4, outputSize: { height: 64, width: 96 } });
    expect([video.height, video.width]).toEqual([64, 96]);
    expect(video.data.length).toBe(4 * 64 * 96 * 3);
    expect(shownIndices(video)).toEqual([0, 100, 199, 299]);
    expect(video.provenance.resize.mode).toBe('outputSize');
  });

  it('reads videoStart/videoEnd like torchvision read_video(pts_unit="sec")', async () => {
    const clip = await readVideo(HD, { videoStart: 2, videoEnd: 4 });
    // pts in [2 s, 4 s] inclusive: frames 60..120, 61 frames; fps 2 -> 4 frames.
    expect(clip.provenance.totalFrames).toBe(61);
    expect(clip.indices).toEqual([0, 20, 40, 60]);
    expect(clip.provenance.frameNumbers).toEqual([60, 80, 100, 120]);
    expect(shownIndices(clip)).toEqual([60, 80, 100, 120]);
    expect(clip.sampleFps).toBeCloseTo((4 / 61) * 30, 12);
    // No frame starts exactly at 2.01 s: the frame before it is kept, as the reference does.
    const shifted = await readVideo(HD, { videoStart: 2.01, videoEnd: 4 });
    expect(shifted.provenance.range).toMatchObject({ firstFrame: 60, lastFrame: 120 });
    // Past the end the reference keeps only the last frame before the start, then fails to
    // sample 2 frames from 1.
    await expect(readVideo(HD, { videoStart: 20, videoEnd: 30 })).rejects.toThrow(/nframes should in interval \[2, 1\]/);
    await expect(readVideo(HD, { videoStart: 3, videoEnd: 2 })).rejects.toThrow(/videoEnd/);
  });

  it('gives frames as stored by default and upright with autorotate', async () => {
    const stored = await readVideo(ROT, { nframes: 4 });
    expect(stored.provenance.source.rotation).toBe(90);
    expect([stored.height, stored.width]).toEqual([224, 420]);
    expect(shownIndices(stored)).toEqual(stored.indices);

    const upright = await readVideo(ROT, { nframes: 4, autorotate: true });
    expect([upright.height, upright.width]).toEqual([420, 224]);
    expect(upright.provenance.autorotated).toBe(true);
    expect(shownIndices(rotateBack(upright))).toEqual(upright.indices);
    const probe = await probeVideo(ROT);
    expect([probe.width, probe.height, probe.displayWidth, probe.displayHeight]).toEqual([480, 270, 270, 480]);
  });

  it('keeps indices increasing and in range on a variable-frame-rate video', async () => {
    for (const options of [{}, { nframes: 16 }, { fps: 4, maxFrames: 40 }, { nframes: 16, strategy: 'seek' as const }]) {
      const video = await readVideo(VFR, options);
      const shown = shownIndices(video);
      expect(shown).toEqual(video.indices);
      expect(video.indices.every((n, k) => n >= 0 && n < 100 && (k === 0 || n > (video.indices[k - 1] as number)))).toBe(true);
      expect(video.timestamps.every((t, k) => k === 0 || t > (video.timestamps[k - 1] as number))).toBe(true);
    }
  });

  describe('awkward paths', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'video-io paths '));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('reads a path with spaces, quotes and a colon, whatever the strategy', async () => {
      const path = join(dir, `it's a "clip": take 2.mp4`);
      copyFileSync(LONG, path);
      for (const strategy of ['packets', 'seek', 'sequential'] as const) {
        const video = await readVideo(path, { nframes: 4, strategy });
        expect(video.provenance.decode.strategy).toBe(strategy);
        expect(shownIndices(video)).toEqual(video.indices);
      }
    });

    it('names such a path in errors', async () => {
      const path = join(dir, `missing "one".mp4`);
      await expect(readVideo(path)).rejects.toThrow(path);
    });
  });

  it('rejects bad options before starting ffmpeg', async () => {
    await expect(readVideo(HD, { fps: 2, nframes: 4 })).rejects.toThrow(/either `fps` or `nframes`/);
    await expect(readVideo(HD, { nframes: 400 })).rejects.toThrow(/nframes should in interval \[2, 300\]/);
    await expect(readVideo(HD, { maxPixels: -1 })).rejects.toBeInstanceOf(VideoIoError);
    await expect(readVideo(HD, { outputSize: { height: 0, width: 10 } })).rejects.toThrow(/outputSize.height/);
    await expect(readVideo(HD, { preset: 'nope' as never })).rejects.toThrow(/unknown video preset "nope"/);
  });

  it('kills ffmpeg after timeoutMs and says so', async () => {
    const error = await readVideo(LONG, { nframes: 64, strategy: 'sequential', timeoutMs: 5 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VideoIoError);
    expect((error as VideoIoError).code).toBe('TIMEOUT');
    expect((error as Error).message).toContain(LONG);
    expect(childProcesses()).toEqual([]);
  });

  it('stops ffmpeg when aborted and leaves no child behind', async () => {
    const controller = new AbortController();
    const run = readVideo(LONG, { nframes: 64, strategy: 'sequential', signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    const error = await run.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VideoIoError);
    expect(['ABORTED']).toContain((error as VideoIoError).code);
    expect(liveChildPids()).toEqual([]);
    expect(childProcesses()).toEqual([]);
  });
});

describe('readVideos', () => {
  it('keeps input order and never runs more ffmpeg processes than asked', async () => {
    const paths = [HD, LONG, ROT, VFR, HD];
    let most = 0;
    const poll = setInterval(() => {
      most = Math.max(most, liveChildPids().length);
    }, 2);
    const progress: number[] = [];
    const videos = await readVideos(paths, { nframes: 4 }, { concurrency: 2, onProgress: (done) => progress.push(done) });
    clearInterval(poll);
    expect(videos.map((v) => v.provenance.path)).toEqual(paths);
    expect(most).toBeGreaterThan(0);
    expect(most).toBeLessThanOrEqual(2);
    expect(progress).toEqual([1, 2, 3, 4, 5]);
    for (const video of videos) expect(shownIndices(video)).toEqual(video.provenance.frameNumbers);
  });

  it('reports every outcome with readVideosSettled, and readVideos rejects with the failure', async () => {
    const missing = videoPath('missing.mp4');
    const settled = await readVideosSettled([HD, missing], { nframes: 2 });
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected']);
    await expect(readVideos([HD, missing], { nframes: 2 })).rejects.toThrow(missing);
    expect(childProcesses()).toEqual([]);
  });
});

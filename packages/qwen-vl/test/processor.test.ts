import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FrameStack } from '@video-r1/video-io';
import { describe, expect, it } from 'vitest';
import {
  expandPlaceholders,
  permuteFrames,
  processImages,
  processPermutedVideo,
  processQwenVl,
  processVideos,
  sampleFpsOf,
  VisualInputError,
} from '../src/processor/index.js';
import { randomFrames, referencePatches } from './helpers/reference-processor.js';
import { readCases, readFrames, readRef, worstRatio, type BinRef } from './helpers/visual-vectors.js';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
const CASES = path.join(FIXTURES, 'visual-cases.jsonl');
const tokenIds = (model: string): { imageTokenId: number; videoTokenId: number } => {
  const config = JSON.parse(readFileSync(path.join(FIXTURES, 'models', model, 'config.json'), 'utf8')) as Record<string, number>;
  return { imageTokenId: config['image_token_id'] as number, videoTokenId: config['video_token_id'] as number };
};
const PIXEL_TOL = { atol: 2e-6 };

/** All visuals' reference patches concatenated. */
function reference(visuals: FrameStack[]): Float64Array {
  const parts = visuals.map((v) => referencePatches(v).data);
  const out = new Float64Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

describe('processor: parity cases', () => {
  const cases = readCases(CASES, ['processor']);
  it('covers images, videos, odd frame counts and several visuals per batch', () => {
    expect(cases.length).toBeGreaterThanOrEqual(8);
  });
  for (const c of cases) {
    it(c.id, () => {
      const input = c.input as { input_ids: number[][]; images: BinRef[]; videos: BinRef[]; video_fps: number[] };
      const e = c.expect as Record<string, unknown>;
      const images = input.images.map((r) => readFrames(r, FIXTURES));
      const videos = input.videos.map((r) => readFrames(r, FIXTURES));
      const out = processQwenVl({ inputIds: input.input_ids, images, videos, videoFps: input.video_fps }, tokenIds(c.model));
      expect(out.imageGridThw).toEqual(e['image_grid_thw']);
      expect(out.videoGridThw).toEqual(e['video_grid_thw']);
      expect(out.numImageTokens).toEqual(e['num_image_tokens']);
      expect(out.numVideoTokens).toEqual(e['num_video_tokens']);
      expect(out.inputIds).toEqual(e['input_ids']);
      expect(worstRatio(out.secondPerGridTs, e['second_per_grid_ts'] as number[], c.tol['second_per_grid_ts']!)).toBeLessThanOrEqual(1);
      for (const [key, rows, visuals] of [
        ['pixel_values', out.pixelValues, images],
        ['pixel_values_videos', out.pixelValuesVideos, videos],
      ] as const) {
        if (visuals.length === 0) {
          expect(rows).toBeNull();
          continue;
        }
        expect(rows!.cols).toBe(1176);
        expect(worstRatio(rows!.data, reference(visuals), PIXEL_TOL)).toBeLessThanOrEqual(1);
        // The stored expectations (kept for a few cases only, see scripts/subset-visual-vectors.mjs).
        if (e[key]) expect(worstRatio(rows!.data, readRef(e[key] as BinRef, FIXTURES), c.tol[key]!)).toBeLessThanOrEqual(1);
      }
    });
  }
});

describe('processor: semantics beyond the cases', () => {
  it('pads an odd number of frames with the last frame, normalises in float32', () => {
    const video = randomFrames(3, 84, 112, 7);
    const out = processVideos([video], 1.5);
    expect(out.videoGridThw).toEqual([[2, 6, 8]]);
    expect(out.secondPerGridTs).toEqual([2 / 1.5]);
    expect(worstRatio(out.pixelValuesVideos!.data, referencePatches(video).data, PIXEL_TOL)).toBeLessThanOrEqual(1);
    // The second temporal patch is frame 2 twice: its two frame halves of every row are equal.
    const row = out.pixelValuesVideos!.data.subarray(48 * 1176, 49 * 1176);
    for (let c = 0; c < 3; c++) {
      const a = row.subarray(c * 392, c * 392 + 196);
      const b = row.subarray(c * 392 + 196, c * 392 + 392);
      expect(Array.from(a)).toEqual(Array.from(b));
    }
  });

  it('takes each video-io stack\'s sampleFps when asked', () => {
    const a = { ...randomFrames(2, 56, 56, 1), sampleFps: 0.8 };
    const b = randomFrames(2, 56, 56, 2);
    expect(sampleFpsOf([a, b])).toEqual([0.8, 2]);
    expect(processVideos([a, b], sampleFpsOf([a, b])).secondPerGridTs).toEqual([2.5, 1]);
  });

  it('an image is two identical frames; defaults fps to 2', () => {
    const image = { ...randomFrames(1, 56, 84, 3) };
    const img = processImages([image]);
    const vid = processVideos([image]);
    expect(img.imageGridThw).toEqual([[1, 4, 6]]);
    expect(Array.from(img.pixelValues!.data)).toEqual(Array.from(vid.pixelValuesVideos!.data));
    expect(vid.secondPerGridTs).toEqual([1]);
  });

  it('permuted frames are processed as the frames in that order', () => {
    const video = randomFrames(4, 56, 56, 11);
    const permutation = [2, 0, 3, 1];
    const size = 56 * 56 * 3;
    const manual = new Uint8Array(video.data.length);
    permutation.forEach((from, to) => manual.set(video.data.slice(from * size, (from + 1) * size), to * size));
    const out = processPermutedVideo(video, permutation, 2);
    expect(worstRatio(out.pixelValuesVideos!.data, referencePatches({ ...video, data: manual }).data, PIXEL_TOL)).toBeLessThanOrEqual(1);
    expect(Array.from(out.pixelValuesVideos!.data)).not.toEqual(Array.from(processVideos([video]).pixelValuesVideos!.data));
    expect(() => permuteFrames(video, [0, 0, 1, 2])).toThrow(VisualInputError);
  });

  it('expands placeholders across rows in order, each kind separately', () => {
    const ids = expandPlaceholders(
      [
        [1, 10, 21, 11],
        [10, 20, 11, 10, 21, 11],
      ],
      [[1, 2, 4]],
      [
        [2, 2, 2],
        [1, 4, 4],
      ],
      { imageTokenId: 20, videoTokenId: 21 },
      2,
    );
    expect(ids).toEqual([
      [1, 10, 21, 21, 11],
      [10, 20, 20, 11, 10, 21, 21, 21, 21, 11],
    ]);
  });

  it('refuses frames that would be resized, and placeholder / visual count mismatches', () => {
    const code = (f: () => unknown): string | undefined => {
      try {
        f();
      } catch (e) {
        return (e as VisualInputError).code;
      }
      return undefined;
    };
    expect(code(() => processImages([randomFrames(1, 50, 56, 1)]))).toBe('NEEDS_RESIZE');
    expect(code(() => processImages([randomFrames(1, 28, 28, 1)]))).toBe('NEEDS_RESIZE');
    expect(code(() => processImages([{ data: new Uint8Array(10), height: 56, width: 56 }]))).toBe('INVALID_FRAMES');
    expect(code(() => processVideos([randomFrames(2, 56, 56, 1)], [1, 2]))).toBe('INVALID_ARGUMENT');
    expect(
      code(() => processQwenVl({ inputIds: [[5, 20, 20]], images: [randomFrames(1, 56, 56, 1)] }, { imageTokenId: 20, videoTokenId: 21 })),
    ).toBe('PLACEHOLDER_MISMATCH');
    expect(code(() => processQwenVl({ inputIds: [[5]], images: [randomFrames(1, 56, 56, 1)] }, { imageTokenId: 20, videoTokenId: 21 }))).toBe(
      'PLACEHOLDER_MISMATCH',
    );
  });
});

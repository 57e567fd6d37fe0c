/**
 * The frames an annotation request carries: Video-R1's qwen-vl-utils copy with its training
 * constants (2 fps, 4–16 frames, 128·28·28 pixels per video frame, images up to 256·28·28).
 * Expected sizes are worked out by hand from qwen-vl-utils' `smart_nframes` / `smart_resize`.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import { writeVideo } from '@video-r1/video-io';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { COT_MEDIA, cotFrameLoader, videoIoFrameLoader } from '../src/index.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'eval-annotate-media-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

it('reads a video as the training preset samples it: 2 fps, upscaled to the 128·28·28 floor', { timeout: 30_000 }, async () => {
  // 4 s at 8 fps, 112×84: nframes = 32 / 8 * 2 = 8; 84×112 is under min_pixels 100352, so
  // beta = sqrt(100352 / 9408) and the sides become ceil(9.80)·28 × ceil(13.06)·28 = 280 × 392.
  const frames = 32;
  const data = new Uint8Array(frames * 84 * 112 * 3);
  for (let f = 0; f < frames; f++) data.fill((f * 7) % 256, f * 84 * 112 * 3, (f + 1) * 84 * 112 * 3);
  const file = join(dir, 'clip.mp4');
  await writeVideo(file, { data, frames, height: 84, width: 112 }, { fps: 8 });
  const read = await cotFrameLoader({ kind: 'video', path: file }, COT_MEDIA);
  expect([read.frames, read.height, read.width]).toEqual([8, 280, 392]);
});

it('keeps images under the preset image cap 256·28·28, not the video budget', async () => {
  // 640×480 = 307200 > 200704: beta = sqrt(307200 / 200704); floor(13.86)·28 × floor(18.48)·28 = 364 × 504.
  const rgba = new Uint8Array(640 * 480 * 4).fill(200);
  const file = join(dir, 'photo.jpg');
  await writeFile(file, jpeg.encode({ data: rgba, width: 640, height: 480 }, 90).data);
  const read = await cotFrameLoader({ kind: 'image', path: file }, COT_MEDIA);
  expect([read.frames, read.height, read.width]).toEqual([1, 364, 504]);
  // The evaluation loader caps images at the request's pixel budget: 252 × 364 at 128·28·28.
  const evalRead = await videoIoFrameLoader({ kind: 'image', path: file }, COT_MEDIA);
  expect([evalRead.height, evalRead.width]).toEqual([252, 364]);
});

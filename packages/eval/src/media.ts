import { extname } from 'node:path';
import type { VideoR1Record } from '@video-r1/datasets';
import { resolveMediaPath } from '@video-r1/datasets';
import { readFrames, videoPreset, type FrameRequest, type FrameStack } from '@video-r1/video-io';
import type { GenerateRequest } from './types.js';

/** Decodes one sample's media into RGB frames within a frame and pixel budget. */
export type FrameLoader = (media: NonNullable<GenerateRequest['media']>, budget: { maxFrames: number; maxPixels: number }) => Promise<FrameStack>;

/**
 * Video-R1's evaluation sampling as a video-io `FrameRequest`: its `video-r1-eval` qwen-vl-utils
 * constants (2 fps, at least 4 frames, per-frame budget 256·28·28 within the total-pixel cap)
 * with the run's frame budget as `FPS_MAX_FRAMES` and its pixel budget as `VIDEO_MAX_PIXELS` —
 * the constants Video-R1's README says to edit for 16/32/64 frames. Images: one frame under the
 * same pixel budget.
 */
export function evalFrameRequest(budget: { maxFrames: number; maxPixels: number }): FrameRequest {
  return { preset: videoPreset('video-r1-eval', { maxFrames: budget.maxFrames, videoMaxPixels: budget.maxPixels, imageMaxPixels: budget.maxPixels }) };
}

/** Reads media for endpoints with `evalFrameRequest` (no cache: benchmarks are read once). */
export const videoIoFrameLoader: FrameLoader = (media, budget) => readFrames(media.path, media.kind, evalFrameRequest(budget));

const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.webp', '.bmp', '.gif', '.tif', '.tiff']);

/**
 * Where a sample's media lives: its `path` resolved against `dataRoot` (Video-R1's `src/r1-v`;
 * its files say `./Evaluation/...`) by @video-r1/datasets, which refuses paths that leave the
 * root and fails on missing files. The kind comes from `data_type`, else from the extension.
 * `null` for a sample without media.
 */
export async function resolveMedia(sample: VideoR1Record, dataRoot: string): Promise<GenerateRequest['media']> {
  const path = sample.path;
  if (path === undefined || path === null || path === '') return null;
  if (typeof path !== 'string') throw new TypeError(`"path" must be a string, got ${JSON.stringify(path)}`);
  const absolute = await resolveMediaPath(dataRoot, path);
  const kind = sample.data_type === 'image' || sample.data_type === 'video' ? sample.data_type : IMAGE_EXTENSIONS.has(extname(path).toLowerCase()) ? 'image' : 'video';
  return { kind, path: absolute };
}

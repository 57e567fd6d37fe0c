import type { FrameStack } from '@video-r1/video-io';
import { QWEN2_VL_PROCESSOR_DEFAULTS, type PlaceholderTokenIds, type ProcessorConfig } from './config.js';
import { VisualInputError } from './errors.js';
import { flattenPatches, type GridThw, type PatchRows, type VisualFrames } from './patches.js';
import { expandPlaceholders, visualTokenCount } from './placeholders.js';

/** transformers 4.49: `fps` defaults to 2.0 when the caller passes none. */
export const DEFAULT_VIDEO_FPS = 2.0;

/**
 * The fps to pass for videos read by `@video-r1/video-io`: each one's `sampleFps` (what qwen-vl-utils'
 * `process_vision_info(..., return_video_kwargs=True)` hands the processor), 2.0 for a stack without one.
 */
export function sampleFpsOf(videos: readonly (FrameStack & { sampleFps?: number })[]): number[] {
  return videos.map((v) => (typeof v.sampleFps === 'number' && v.sampleFps > 0 ? v.sampleFps : DEFAULT_VIDEO_FPS));
}

export interface ProcessedImages {
  /** `[Σ t·h·w, 1176]` float32, or null without images. */
  pixelValues: PatchRows | null;
  imageGridThw: GridThw[];
}

export interface ProcessedVideos {
  pixelValuesVideos: PatchRows | null;
  videoGridThw: GridThw[];
  /** `temporal_patch_size / fps` per video, float64 (4.49 returns a Python list of doubles). */
  secondPerGridTs: number[];
}

/** Qwen2VLImageProcessor on images (each one frame, uint8 RGB, already at a multiple of 28). */
export function processImages(images: readonly VisualFrames[], config: ProcessorConfig = QWEN2_VL_PROCESSOR_DEFAULTS): ProcessedImages {
  if (images.length === 0) return { pixelValues: null, imageGridThw: [] };
  images.forEach((im, i) => {
    if ('frames' in im && im.frames !== 1) {
      throw new VisualInputError('INVALID_FRAMES', `images[${i}]: an image has one frame, got ${im.frames}; pass it as a video`);
    }
  });
  const pixelValues = flattenPatches(images, config, 'images');
  return { pixelValues, imageGridThw: pixelValues.gridThw };
}

/**
 * Qwen2VLImageProcessor on videos (frames already sampled and resized the qwen-vl-utils way) and the
 * Qwen2.5-VL processor's `second_per_grid_ts`. `fps`: one number for all videos or one per video.
 */
export function processVideos(
  videos: readonly FrameStack[],
  fps: number | readonly number[] = DEFAULT_VIDEO_FPS,
  config: ProcessorConfig = QWEN2_VL_PROCESSOR_DEFAULTS,
): ProcessedVideos {
  const perVideo = typeof fps === 'number' ? videos.map(() => fps) : [...fps];
  if (perVideo.length !== videos.length) {
    throw new VisualInputError('INVALID_ARGUMENT', `video_fps: ${perVideo.length} values for ${videos.length} videos; pass one per video`);
  }
  perVideo.forEach((f, i) => {
    if (!(Number.isFinite(f) && f > 0)) throw new VisualInputError('INVALID_ARGUMENT', `video_fps[${i}] must be a positive number, got ${f}`);
  });
  if (videos.length === 0) return { pixelValuesVideos: null, videoGridThw: [], secondPerGridTs: [] };
  const pixelValuesVideos = flattenPatches(videos, config, 'videos');
  return {
    pixelValuesVideos,
    videoGridThw: pixelValuesVideos.gridThw,
    secondPerGridTs: perVideo.map((f) => config.temporalPatchSize / f),
  };
}

export interface ProcessorInput {
  /** Token rows (ragged), one image / video token per visual. */
  inputIds: readonly (readonly number[])[];
  images?: readonly VisualFrames[];
  videos?: readonly FrameStack[];
  /** One fps for all videos or one per video (the sampled frame rate qwen-vl-utils returns). */
  videoFps?: number | readonly number[];
}

export interface ProcessorOutput extends ProcessedImages, ProcessedVideos {
  /** Ids with every placeholder expanded to its visual's token count (ragged, not padded). */
  inputIds: number[][];
  numImageTokens: number[];
  numVideoTokens: number[];
}

/** The Qwen2.5-VL processor (`Qwen2_5_VLProcessor.__call__`) on token ids and decoded frames. */
export function processQwenVl(
  input: ProcessorInput,
  tokenIds: PlaceholderTokenIds,
  config: ProcessorConfig = QWEN2_VL_PROCESSOR_DEFAULTS,
): ProcessorOutput {
  const images = processImages(input.images ?? [], config);
  const videos = processVideos(input.videos ?? [], input.videoFps ?? DEFAULT_VIDEO_FPS, config);
  const inputIds = expandPlaceholders(input.inputIds, images.imageGridThw, videos.videoGridThw, tokenIds, config.mergeSize);
  return {
    ...images,
    ...videos,
    inputIds,
    numImageTokens: images.imageGridThw.map((g) => visualTokenCount(g, config.mergeSize)),
    numVideoTokens: videos.videoGridThw.map((g) => visualTokenCount(g, config.mergeSize)),
  };
}

/**
 * The frames of `video` in the order `permutation` gives (`permutation[k]` = input position of output frame
 * k, as `shuffleFrames` of `@video-r1/video-io` reports it). T-GRPO shuffles the sampled frames, then
 * processes them; a permutation that is not one of 0…T−1 is refused.
 */
export function permuteFrames<T extends FrameStack>(video: T, permutation: readonly number[]): T {
  const seen = new Uint8Array(video.frames);
  if (permutation.length !== video.frames) {
    throw new VisualInputError('INVALID_ARGUMENT', `permutation: ${permutation.length} entries for ${video.frames} frames`);
  }
  for (const k of permutation) {
    if (!Number.isInteger(k) || k < 0 || k >= video.frames || seen[k]) {
      throw new VisualInputError('INVALID_ARGUMENT', `permutation must hold each of 0…${video.frames - 1} once; got ${JSON.stringify(permutation)}`);
    }
    seen[k] = 1;
  }
  const size = video.height * video.width * 3;
  const data = new Uint8Array(video.frames * size);
  permutation.forEach((from, to) => data.set(video.data.subarray(from * size, (from + 1) * size), to * size));
  return { ...video, data };
}

/** `processVideos` on the frames of one video in a permuted order (T-GRPO's shuffled branch). */
export function processPermutedVideo(
  video: FrameStack,
  permutation: readonly number[],
  fps: number = DEFAULT_VIDEO_FPS,
  config: ProcessorConfig = QWEN2_VL_PROCESSOR_DEFAULTS,
): ProcessedVideos {
  return processVideos([permuteFrames(video, permutation)], fps, config);
}

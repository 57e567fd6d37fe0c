/**
 * Media as generate_cot_vllm.py gets them: its `process_vision_info` is Video-R1's own copy of
 * qwen-vl-utils (installed from `src/qwen-vl-utils` by its setup script), whose constants are the
 * training ones: 2 fps, 4 to 16 frames, 128·28·28 pixels per video frame, images between 4·28·28
 * and 256·28·28 pixels — video-io's `video-r1-train` preset. The script's messages carry no
 * per-message `max_pixels` / `nframes`, so nothing overrides them.
 */
import { readFrames, videoPreset } from '@video-r1/video-io';
import type { FrameRequest } from '@video-r1/video-io';
import type { FrameLoader } from '../media.js';

/** Frame and pixel budget of an annotation request (the `video-r1-train` constants). */
export const COT_MEDIA = Object.freeze({ maxFrames: 16, maxPixels: 128 * 28 * 28 });

/** Sampling of generate_cot_vllm.py: `SamplingParams(temperature=1.0, top_p=0.95, max_tokens=512)`. */
export const COT_DECODING = Object.freeze({ temperature: 1.0, top_p: 0.95, max_tokens: 512 });

/**
 * The video-io request for an annotation budget: the `video-r1-train` preset with the budget's
 * frames as `FPS_MAX_FRAMES` and pixels as `VIDEO_MAX_PIXELS` (16 and 128·28·28 in an annotation
 * run, i.e. the preset unchanged); images keep the preset's own 256·28·28 cap.
 */
export function cotFrameRequest(budget: { maxFrames: number; maxPixels: number }): FrameRequest {
  return { preset: videoPreset('video-r1-train', { maxFrames: budget.maxFrames, videoMaxPixels: budget.maxPixels }) };
}

/** `FrameLoader` for `openAIAdapter({ frameLoader })`: reads media with `cotFrameRequest`. */
export const cotFrameLoader: FrameLoader = (media, budget) => readFrames(media.path, media.kind, cotFrameRequest(budget));

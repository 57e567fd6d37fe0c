/**
 * Media as generate_cot_vllm.py gets them: its `process_vision_info` is Video-R1's own copy of
 * qwen-vl-utils (installed from `src/qwen-vl-utils` by its setup script), whose constants are the
 * training ones: 2 fps, 4 to 16 frames, 128·28·28 pixels per video frame, images between 4·28·28
 * and 256·28·28 pixels — video-io's `video-r1-train` preset. The script's messages carry no
 * per-message `max_pixels` / `nframes`, so nothing overrides them.
 */
import { readImage, readVideo, videoPreset } from '@video-r1/video-io';
import type { FrameLoader } from '../media.js';

/** Frame and pixel budget of an annotation request (the `video-r1-train` constants). */
export const COT_MEDIA = Object.freeze({ maxFrames: 16, maxPixels: 128 * 28 * 28 });

/** Sampling of generate_cot_vllm.py: `SamplingParams(temperature=1.0, top_p=0.95, max_tokens=512)`. */
export const COT_DECODING = Object.freeze({ temperature: 1.0, top_p: 0.95, max_tokens: 512 });

/**
 * `FrameLoader` for `openAIAdapter({ frameLoader })`: the `video-r1-train` preset, with the
 * request's frame budget as `FPS_MAX_FRAMES` and its pixel budget as `VIDEO_MAX_PIXELS`
 * (16 and 128·28·28 in an annotation run, i.e. the preset unchanged); images keep the preset's
 * own 256·28·28 cap.
 */
export const cotFrameLoader: FrameLoader = async (media, budget) => {
  const preset = videoPreset('video-r1-train', { maxFrames: budget.maxFrames, videoMaxPixels: budget.maxPixels });
  if (media.kind === 'image') {
    const image = await readImage(media.path, { preset });
    return { data: image.data, frames: 1, height: image.height, width: image.width };
  }
  const video = await readVideo(media.path, { preset });
  return { data: video.data, frames: video.frames, height: video.height, width: video.width };
};

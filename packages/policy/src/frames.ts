// What the small policy asks video-io for. One function, so that the trainer, its test
// evaluation and the evaluator cannot drift apart on frame choice or size.
import type { FrameRequest } from '@video-r1/video-io';
import type { VisionConfig } from './config.js';

/**
 * The policy's frames: Video-R1's training sampling (`video-r1-train`: 2 fps, 4 to `maxFrames`
 * frames) resized exactly to the patch grid's size. `maxFrames` (a run's frame budget) is capped
 * by the model's `vision.maxFrames`.
 */
export function policyFrameRequest(vision: Pick<VisionConfig, 'height' | 'width' | 'maxFrames'>, options: { maxFrames?: number } = {}): FrameRequest {
  return {
    preset: 'video-r1-train',
    maxFrames: Math.max(1, Math.min(options.maxFrames ?? vision.maxFrames, vision.maxFrames)),
    outputSize: { height: vision.height, width: vision.width },
  };
}

/** `request` with its frame count capped by a run's budget and the model's `maxFrames` (never raised). */
export function capFrameRequest(request: FrameRequest, maxFrames: number, vision: Pick<VisionConfig, 'maxFrames'>): FrameRequest {
  return { ...request, maxFrames: Math.max(1, Math.min(maxFrames, request.maxFrames ?? vision.maxFrames, vision.maxFrames)) };
}

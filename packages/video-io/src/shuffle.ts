import { VideoIoError } from './errors.js';
import { assertFrameStack, frameBytes, type FrameStack } from './frames.js';
import { permutation, RandomError, type Rng } from '@video-r1/tensor/random';

/** Per-frame fields that travel with their frames when shuffled. */
interface PerFrame {
  indices?: number[];
  timestamps?: number[];
}

export type ShuffledFrames<T extends FrameStack & PerFrame> = Omit<T, 'data'> & {
  data: Uint8Array;
  /** `permutation[k]`: position in the input of output frame k. */
  permutation: number[];
};

/**
 * The same frames in a random order (`permutation` of @video-r1/tensor: Fisher–Yates driven
 * by `rng`), as T-GRPO feeds the policy a shuffled copy of the video. `indices` and `timestamps`, when present, are permuted
 * with their frames; the input is not modified.
 */
export function shuffleFrames<T extends FrameStack & PerFrame>(video: T, rng: Rng): ShuffledFrames<T> {
  assertFrameStack(video, 'shuffleFrames');
  let order: number[];
  try {
    order = permutation(video.frames, rng);
  } catch (error) {
    if (error instanceof RandomError) throw new VideoIoError('INVALID_ARGUMENT', `shuffleFrames: ${error.message}`);
    throw error;
  }
  const size = frameBytes(video.height, video.width);
  const data = new Uint8Array(video.data.length);
  order.forEach((from, to) => data.set(video.data.subarray(from * size, (from + 1) * size), to * size));
  const out = { ...video, data, permutation: order } as ShuffledFrames<T> & PerFrame;
  if (video.indices) out.indices = order.map((from) => video.indices?.[from] as number);
  if (video.timestamps) out.timestamps = order.map((from) => video.timestamps?.[from] as number);
  return out;
}

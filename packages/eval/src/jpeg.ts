import type { FrameStack } from '@video-r1/video-io';
import jpeg from 'jpeg-js';

/**
 * Frames as video-io decodes them.
 * @deprecated `FrameStack` of @video-r1/video-io (the one frame type); this alias goes in the next minor release.
 */
export type RgbFrames = FrameStack;

/** Encodes every frame as a baseline JPEG (pure JS, no ffmpeg round trip). */
export function encodeJpegFrames(video: FrameStack, quality = 90): Uint8Array[] {
  const { frames, height, width, data } = video;
  const frameBytes = height * width * 3;
  if (data.length !== frames * frameBytes) {
    throw new RangeError(`frame data holds ${data.length} bytes; ${frames} RGB frames of ${width}x${height} need ${frames * frameBytes}`);
  }
  const out: Uint8Array[] = [];
  const rgba = new Uint8Array(height * width * 4);
  for (let f = 0; f < frames; f++) {
    const offset = f * frameBytes;
    for (let p = 0, q = 0; p < frameBytes; p += 3, q += 4) {
      rgba[q] = data[offset + p]!;
      rgba[q + 1] = data[offset + p + 1]!;
      rgba[q + 2] = data[offset + p + 2]!;
      rgba[q + 3] = 255;
    }
    out.push(new Uint8Array(jpeg.encode({ data: rgba, width, height }, quality).data));
  }
  return out;
}

/** `data:image/jpeg;base64,…` for an image_url part. */
export function jpegDataUrl(bytes: Uint8Array): string {
  return `data:image/jpeg;base64,${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')}`;
}

// A prompt's frames as OpenAI chat content parts for an inference server: an image as a
// lossless PNG `image_url`, a video as vLLM's `video/jpeg` data URL (the frames as base64 JPEGs
// joined by commas, which vLLM decodes into exactly that many frames, in order, with no
// re-sampling). The frames are the ones the local model encodes, so the server and the local
// log-probabilities see the same pictures — up to the JPEG rounding of video frames.
import { deflateSync } from 'node:zlib';

import type { ModelPrompt } from '@video-r1/model-api';
import type { FrameStack } from '@video-r1/video-io';
import jpeg from 'jpeg-js';

export type OpenAIContentPart =
  | { type: 'text'; text: string }
  | { type: 'image_url'; image_url: { url: string } }
  | { type: 'video_url'; video_url: { url: string } };

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** One RGB frame (`frame` of `stack`) as an 8-bit truecolour PNG. */
export function encodePng(stack: FrameStack, frame = 0): Buffer {
  const { height, width } = stack;
  const rowBytes = width * 3;
  const raw = Buffer.alloc((rowBytes + 1) * height);
  const offset = frame * height * rowBytes;
  for (let y = 0; y < height; y++) {
    raw[y * (rowBytes + 1)] = 0; // filter: none
    raw.set(stack.data.subarray(offset + y * rowBytes, offset + (y + 1) * rowBytes), y * (rowBytes + 1) + 1);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // depth 8, colour type RGB, deflate, no filter set, no interlace
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', deflateSync(raw)), chunk('IEND', new Uint8Array())]);
}

function encodeJpeg(stack: FrameStack, frame: number, quality: number): Buffer {
  const { height, width } = stack;
  const pixels = height * width;
  const rgba = new Uint8Array(pixels * 4);
  const offset = frame * pixels * 3;
  for (let p = 0; p < pixels; p++) {
    rgba[4 * p] = stack.data[offset + 3 * p]!;
    rgba[4 * p + 1] = stack.data[offset + 3 * p + 1]!;
    rgba[4 * p + 2] = stack.data[offset + 3 * p + 2]!;
    rgba[4 * p + 3] = 255;
  }
  return Buffer.from(jpeg.encode({ data: rgba, width, height }, quality).data);
}

export interface ContentOptions {
  /** JPEG quality of video frames (default 95). */
  jpegQuality?: number;
}

/** The user turn's content as QwenVLPolicy renders it: the visual first, then the text. */
export function promptContent(prompt: ModelPrompt, options: ContentOptions = {}): OpenAIContentPart[] {
  const frames = prompt.frames;
  const text: OpenAIContentPart = { type: 'text', text: prompt.text };
  if (frames === null) return [text];
  const kind = prompt.mediaKind ?? (frames.frames > 1 ? 'video' : 'image');
  if (kind === 'image') {
    return [{ type: 'image_url', image_url: { url: `data:image/png;base64,${encodePng(frames).toString('base64')}` } }, text];
  }
  const quality = options.jpegQuality ?? 95;
  const parts = Array.from({ length: frames.frames }, (_, f) => encodeJpeg(frames, f, quality).toString('base64'));
  return [{ type: 'video_url', video_url: { url: `data:video/jpeg;base64,${parts.join(',')}` } }, text];
}

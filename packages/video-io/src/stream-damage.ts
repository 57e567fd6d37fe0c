/**
 * Corrupt data in the middle of an H.264 track. The reference (torchvision → PyAV) stops at the
 * first packet the decoder rejects and keeps the frames it output before it; ffmpeg's command
 * line logs the error and goes on. The one rejection that does not depend on decoder state is
 * ffmpeg's NAL splitter refusing a sample whose length prefixes do not walk it ("Invalid NAL
 * unit size", h2645_parse.c) — that is what truncated or overwritten bytes produce — so it can be
 * found by reading the length prefixes of every sample, without decoding.
 */
import { open } from 'node:fs/promises';
import type { FrameTable } from './frame-table.js';
import type { AvcTrack } from './mp4-index.js';

/** Where the reference stops decoding a damaged stream. */
export interface StreamDamage {
  /** Decode-order position (0-based) of the first sample the decoder rejects. */
  sample: number;
  /** Its frame number (presentation order) and byte offset in the file. */
  frame: number;
  pos: number;
  /** Frames the reference outputs before it stops (the first ones in presentation order). */
  framesBefore: number;
  /** Frames a decoder that skips the bad sample (ffmpeg's command line) would output. */
  framesInStream: number;
  /** Why the sample is rejected. */
  reason: string;
}

const READ_WINDOW_BYTES = 1 << 20;
const REORDER_LOOKBACK = 64;

/**
 * ffmpeg's splitter (`ff_h2645_packet_split` for length-prefixed input): while at least 4 bytes
 * are left, read an unsigned `nalLengthSize`-byte length; a length beyond the bytes left fails
 * the whole packet. Returns why, or undefined for a sample it accepts.
 */
export function splitterRejects(sample: Uint8Array, nalLengthSize: number): string | undefined {
  let offset = 0;
  while (sample.length - offset >= 4) {
    let length = 0;
    for (let i = 0; i < nalLengthSize; i++) length = length * 256 + (sample[offset + i] as number);
    offset += nalLengthSize;
    const left = sample.length - offset;
    if (length > left) return `NAL unit length ${length} exceeds the ${left} bytes left in the sample`;
    offset += length;
  }
  return undefined;
}

/**
 * The first sample (decode order) ffmpeg's H.264 decoder rejects, and how many frames the
 * reference outputs before it: the decoder holds back `delay` frames for reordering (the
 * stream's reorder depth: at most that many earlier-decoded frames are shown after a later
 * one), so after `k` good samples it has output the first `k - delay` frames in presentation
 * order. Returns undefined for an intact track.
 */
export async function findStreamDamage(path: string, avc: AvcTrack, table: FrameTable): Promise<StreamDamage | undefined> {
  const count = avc.decodeOrder.length;
  const file = await open(path, 'r');
  let bad: { sample: number; reason: string } | undefined;
  try {
    let window = Buffer.alloc(0);
    let windowStart = 0;
    for (let p = 0; p < count && !bad; p++) {
      const frame = avc.decodeOrder[p] as number;
      const pos = table.pos[frame] as number;
      const size = table.size[frame] as number;
      if (pos < windowStart || pos + size > windowStart + window.length) {
        window = Buffer.alloc(Math.max(size, READ_WINDOW_BYTES));
        const { bytesRead } = await file.read(window, 0, window.length, pos);
        window = window.subarray(0, bytesRead);
        windowStart = pos;
        if (bytesRead < size) {
          bad = { sample: p, reason: `the file ends inside the sample (${bytesRead} of ${size} bytes)` };
          break;
        }
      }
      const reason = splitterRejects(window.subarray(pos - windowStart, pos - windowStart + size), avc.nalLengthSize);
      if (reason) bad = { sample: p, reason };
    }
  } finally {
    await file.close();
  }
  if (!bad) return undefined;
  const delay = reorderDepth(avc, bad.sample);
  const framesBefore = Math.max(0, bad.sample - delay);
  const frame = avc.decodeOrder[bad.sample] as number;
  return {
    sample: bad.sample,
    frame,
    pos: table.pos[frame] as number,
    framesBefore,
    framesInStream: table.pts.length,
    reason: bad.reason,
  };
}

/**
 * The most frames decoded before some sample (among the first `samples`) that are shown after
 * it: the number of frames a decoder must hold back to output in presentation order.
 */
function reorderDepth(avc: AvcTrack, samples: number): number {
  let depth = 0;
  for (let p = 0; p < samples; p++) {
    const frame = avc.decodeOrder[p] as number;
    let later = 0;
    // Reordering spans a few frames (H.264 allows at most 16 held back): a bounded look-back.
    for (let q = Math.max(0, p - REORDER_LOOKBACK); q < p; q++) if ((avc.decodeOrder[q] as number) > frame) later++;
    depth = Math.max(depth, later);
  }
  return depth;
}

/**
 * Every frame shown before the stop must be decodable from samples before it; for a stream
 * whose reorder depth is the decoder's delay these are exactly the first `framesBefore` frames.
 */
export function prefixIsDecodable(avc: AvcTrack, damage: StreamDamage): boolean {
  for (let frame = 0; frame < damage.framesBefore; frame++) {
    if ((avc.positionOf[frame] as number) >= damage.sample) return false;
  }
  return true;
}

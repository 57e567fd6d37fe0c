/**
 * Packet-level decoding for H.264 in MP4/MOV: instead of letting ffmpeg demux (and decode) every
 * packet between a keyframe and a wanted frame, hand it only the packets that matter — the
 * segment's IDR frame, the reference frames after it, and the wanted frames themselves. A
 * non-reference frame (`nal_ref_idc == 0`) is, by definition, never used to predict another
 * frame, so dropping it cannot change any frame that is kept; with x264's defaults (3 B-frames,
 * B-pyramid) about half the frames of a GOP are non-reference.
 *
 * The chosen samples travel to ffmpeg over stdin in a minimal FLV stream (one AVC sequence
 * header from the file's `avcC`, then one tag per sample with the sample bytes unchanged: FLV
 * and MP4 both carry length-prefixed NAL units). Each tag's timestamps encode which frame it
 * is: decode time = the sample's position in the file, presentation time = its frame number plus
 * a constant, so `showinfo` proves every returned frame is the planned one.
 */
import { open } from 'node:fs/promises';
import type { FrameTable } from './frame-table.js';
import type { AvcTrack } from './mp4-index.js';

/** A run of samples in decode order, starting at an IDR keyframe. */
export interface PacketRun {
  /** First and last sample (positions in the file's decode order), inclusive. */
  from: number;
  to: number;
}

/** What to feed: the runs, which frames must be kept, and how to stamp them. */
export interface PacketFeed {
  path: string;
  avc: AvcTrack;
  table: FrameTable;
  runs: PacketRun[];
  /** Frame numbers kept whatever their reference flag. */
  wanted: ReadonlySet<number>;
  /** Added to a frame number to give its presentation time (keeps pts >= dts). */
  ptsOffset: number;
}

/** Counts of one feed, filled in while it streams. */
export interface FeedStats {
  fed: number;
  skipped: number;
}

export class PacketFeedError extends Error {
  override readonly name = 'PacketFeedError';
}

/** NAL unit types of coded slices (non-IDR, partition A, IDR). */
const SLICE_NON_IDR = 1;
const SLICE_PARTITION_A = 2;
const SLICE_IDR = 5;

export interface AvcSampleInfo {
  /** Some slice of the picture has `nal_ref_idc != 0`: later frames may predict from it. */
  reference: boolean;
  /** The picture is an IDR picture (decoding can start here). */
  idr: boolean;
  /** The length prefixes walk the sample exactly. */
  wellFormed: boolean;
}

/** Read the NAL headers of one length-prefixed sample. */
export function scanAvcSample(sample: Uint8Array, nalLengthSize: number): AvcSampleInfo {
  let reference = false;
  let idr = false;
  let offset = 0;
  while (offset + nalLengthSize < sample.length) {
    let length = 0;
    for (let i = 0; i < nalLengthSize; i++) length = length * 256 + (sample[offset + i] as number);
    const header = sample[offset + nalLengthSize] as number;
    const type = header & 0x1f;
    if (type === SLICE_NON_IDR || type === SLICE_PARTITION_A || type === SLICE_IDR) {
      if ((header & 0x60) !== 0) reference = true;
      if (type === SLICE_IDR) idr = true;
    }
    offset += nalLengthSize + length;
  }
  return { reference, idr, wellFormed: offset === sample.length };
}

/**
 * The smallest offset that keeps every presentation time at or after its decode time when
 * decode time = file position and presentation time = frame number + offset.
 */
export function presentationOffset(avc: AvcTrack): number {
  let offset = 0;
  avc.decodeOrder.forEach((frame, position) => {
    offset = Math.max(offset, position - frame);
  });
  return offset;
}

const FLV_HEADER = Uint8Array.from([0x46, 0x4c, 0x56, 0x01, 0x01, 0, 0, 0, 9, 0, 0, 0, 0]);
const FLV_VIDEO_TAG = 9;
const AVC_CODEC_ID = 7;
/** Batch reads of consecutive samples up to this many bytes. */
const READ_BATCH_BYTES = 1024 * 1024;

/** One FLV video tag (header, AVC video header, payload, trailing size) as a list of chunks. */
function videoTag(kind: 'config' | 'frame', payload: Uint8Array, dts: number, cts: number, keyframe: boolean): Uint8Array[] {
  const body = 5 + payload.length;
  const head = Buffer.alloc(16);
  head.writeUInt8(FLV_VIDEO_TAG, 0);
  head.writeUIntBE(body, 1, 3);
  head.writeUIntBE(dts & 0xffffff, 4, 3);
  head.writeUInt8(Math.floor(dts / 0x1000000) & 0xff, 7);
  // bytes 8..10: stream id 0
  head.writeUInt8(((keyframe ? 1 : 2) << 4) | AVC_CODEC_ID, 11);
  head.writeUInt8(kind === 'config' ? 0 : 1, 12);
  head.writeIntBE(cts, 13, 3);
  const tail = Buffer.alloc(4);
  tail.writeUInt32BE(11 + body, 0);
  return [head, payload, tail];
}

/**
 * The FLV stream of a feed, produced lazily (one batch of samples in memory at a time, so a
 * 10-minute 1080p file costs a few megabytes). Throws `PacketFeedError` when a run does not
 * start at an IDR picture: the caller must then decode another way.
 */
export async function* flvStream(feed: PacketFeed, stats: FeedStats): AsyncGenerator<Uint8Array> {
  const { avc, table } = feed;
  yield Buffer.concat([FLV_HEADER, ...videoTag('config', avc.config, 0, 0, true)]);
  const file = await open(feed.path, 'r');
  try {
    for (const run of feed.runs) {
      let position = run.from;
      while (position <= run.to) {
        // Consecutive samples stored back to back are read with one call (the first always
        // joins, however large).
        const first = position;
        const start = table.pos[avc.decodeOrder[first] as number] as number;
        let end = start;
        while (position <= run.to) {
          const frame = avc.decodeOrder[position] as number;
          const pos = table.pos[frame] as number;
          const size = table.size[frame] as number;
          if (pos !== end || (end > start && end + size - start > READ_BATCH_BYTES)) break;
          end += size;
          position++;
        }
        const batch = Buffer.alloc(end - start);
        const { bytesRead } = await file.read(batch, 0, batch.length, start);
        if (bytesRead !== batch.length) {
          throw new PacketFeedError(`the file ends before sample ${position - 1} (byte ${start + bytesRead}): truncated`);
        }
        const chunks: Uint8Array[] = [];
        for (let p = first; p < position; p++) {
          const frame = avc.decodeOrder[p] as number;
          const offset = (table.pos[frame] as number) - start;
          const sample = batch.subarray(offset, offset + (table.size[frame] as number));
          const info = scanAvcSample(sample, avc.nalLengthSize);
          if (p === run.from && !(info.idr && info.wellFormed)) {
            throw new PacketFeedError(`the keyframe at sample ${p} (frame ${frame}) is not an IDR picture`);
          }
          // A sample whose NAL units cannot be walked is kept: the decoder judges it.
          if (p === run.from || feed.wanted.has(frame) || info.reference || !info.wellFormed) {
            chunks.push(...videoTag('frame', sample, p, frame + feed.ptsOffset - p, p === run.from));
            stats.fed++;
          } else {
            stats.skipped++;
          }
        }
        if (chunks.length > 0) yield Buffer.concat(chunks);
      }
    }
  } finally {
    await file.close();
  }
}

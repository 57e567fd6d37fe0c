/**
 * VP8/VP9 packets are not frames: an alt-ref (hidden) frame is decoded to serve as a reference
 * but never shown. Encoders pack it with the next shown frame in a VP9 superframe (one packet,
 * one displayed frame) or — some muxers — store it as a packet of its own, a tick before the
 * frame it precedes; the decoder outputs nothing for such a packet, so a player and the
 * reference (torchvision) count one frame fewer per hidden packet. The frame headers say it
 * exactly: VP8's frame tag carries `show_frame`; a VP9 frame header starts with
 * `show_existing_frame` and `show_frame`, and a superframe's index lists its frames.
 *
 * AV1 needs no such pass: a temporal unit (one packet in every container) holds exactly one
 * shown frame (`show_frame` or `show_existing_frame`), hidden frames travelling inside it.
 */
import { open } from 'node:fs/promises';
import { resolve } from 'node:path';
import { VideoIoError, quotePath } from './errors.js';
import { runProcess, summarizeStderr } from './ffmpeg/process.js';
import type { ResolvedFfmpeg } from './ffmpeg/resolve.js';

export const CODECS_WITH_HIDDEN_PACKETS = new Set(['vp8', 'vp9']);

/** Frames a VP8 packet makes the decoder output (0 for an invisible frame). */
export function vp8ShownFrames(packet: Uint8Array): number {
  if (packet.length < 3) return 0;
  // Frame tag: bit 0 frame type, bits 1-3 version, bit 4 show_frame.
  return ((packet[0] as number) >> 4) & 1;
}

/** Does one VP9 frame (not a superframe) get displayed? */
function vp9FrameShown(frame: Uint8Array): boolean {
  if (frame.length === 0) return false;
  const bits = frame[0] as number;
  let bit = 7;
  const read = (): number => (bits >> bit--) & 1;
  if (((read() << 1) | read()) !== 2) return false; // frame_marker
  const profile = read() | (read() << 1);
  if (profile === 3) read(); // reserved_zero
  if (read() === 1) return true; // show_existing_frame: a reference frame displayed again
  read(); // frame_type
  return read() === 1; // show_frame
}

/**
 * Frames a VP9 packet makes the decoder output: a superframe (index at its end: marker byte
 * `0b110mmfff`, then `fff + 1` sizes of `mm + 1` bytes each, little-endian, then the marker
 * again) counts each of its frames, a plain packet is one frame.
 */
export function vp9ShownFrames(packet: Uint8Array): number {
  const marker = packet[packet.length - 1];
  if (marker !== undefined && (marker & 0xe0) === 0xc0) {
    const frames = (marker & 7) + 1;
    const magnitude = ((marker >> 3) & 3) + 1;
    const indexSize = 2 + magnitude * frames;
    const indexStart = packet.length - indexSize;
    if (indexStart >= 0 && packet[indexStart] === marker) {
      let offset = 0;
      let shown = 0;
      for (let f = 0; f < frames; f++) {
        let size = 0;
        for (let b = 0; b < magnitude; b++) size += (packet[indexStart + 1 + f * magnitude + b] as number) * 256 ** b;
        if (offset + size > indexStart) break;
        if (vp9FrameShown(packet.subarray(offset, offset + size))) shown++;
        offset += size;
      }
      return shown;
    }
  }
  return vp9FrameShown(packet) ? 1 : 0;
}

/**
 * `shown[i]`: whether the i-th packet of the stream (demux order, `sizes[i]` bytes) makes the
 * decoder output a frame. The packets come from one demuxing pass of ffmpeg (`-c copy -f data`:
 * no decoding), split by the sizes of the packet listing; `undefined` when the two disagree
 * (then the caller counts packets, as before).
 */
export async function shownPackets(
  path: string,
  ff: ResolvedFfmpeg,
  streamIndex: number,
  codec: string,
  sizes: readonly number[],
  options: { timeoutMs?: number; signal?: AbortSignal },
): Promise<boolean[] | undefined> {
  const args = ['-v', 'error', '-nostdin', '-i', `file:${resolve(path)}`, '-map', `0:${streamIndex}`, '-c', 'copy', '-f', 'data', 'pipe:1'];
  const count = codec === 'vp8' ? vp8ShownFrames : vp9ShownFrames;
  const shown: boolean[] = [];
  // Packets are parsed as they stream out (only the one being assembled is held).
  let pending: Buffer = Buffer.alloc(0);
  let overflow = false;
  const onStdout = (chunk: Buffer): void => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    let offset = 0;
    for (;;) {
      const size = sizes[shown.length];
      if (size === undefined) {
        if (pending.length > offset) overflow = true;
        break;
      }
      if (pending.length - offset < size) break;
      shown.push(count(pending.subarray(offset, offset + size)) > 0);
      offset += size;
    }
    pending = pending.subarray(offset);
  };
  const result = await runProcess(ff.ffmpeg.path, args, { file: path, timeoutMs: options.timeoutMs, signal: options.signal, onStdout });
  if (result.code !== 0) {
    throw new VideoIoError(
      'INVALID_MEDIA',
      `${quotePath(path)}: ffmpeg could not demux the ${codec} stream (${summarizeStderr(result.stderr) || `exit code ${result.code}`})`,
      { file: path },
    );
  }
  if (overflow || pending.length > 0 || shown.length !== sizes.length) return undefined;
  return shown;
}

/** A packet as the listing gives it: byte offset (`-1` unknown) and size. */
export interface ListedPacket {
  pos: number;
  size: number;
}

const READ_WINDOW_BYTES = 1 << 20;

/**
 * The same answer as `shownPackets`, read straight from the file where the listing's offsets say
 * where each packet's bytes are — MP4/MOV (the sample itself) and Matroska/WebM (a SimpleBlock or
 * Block payload: track number, 16-bit timecode and flags, then the frame, when not laced) — which
 * saves a demuxing process. `undefined` when the container, a laced block or a header that does
 * not look like the codec's says to ask ffmpeg instead.
 */
export async function shownPacketsFromFile(
  path: string,
  container: string,
  codec: string,
  packets: readonly ListedPacket[],
): Promise<boolean[] | undefined> {
  const formats = container.split(',');
  const matroska = formats.includes('matroska');
  if (!matroska && !formats.includes('mov')) return undefined;
  const count = codec === 'vp8' ? vp8ShownFrames : vp9ShownFrames;
  const file = await open(path, 'r');
  try {
    const { size: fileSize } = await file.stat();
    let window = Buffer.alloc(0);
    let windowStart = 0;
    const bytes = async (pos: number, length: number): Promise<Buffer | undefined> => {
      if (pos < 0 || pos + length > fileSize) return undefined;
      if (pos < windowStart || pos + length > windowStart + window.length) {
        window = Buffer.alloc(Math.min(fileSize - pos, Math.max(length, READ_WINDOW_BYTES)));
        const { bytesRead } = await file.read(window, 0, window.length, pos);
        window = window.subarray(0, bytesRead);
        windowStart = pos;
        if (bytesRead < length) return undefined;
      }
      return window.subarray(pos - windowStart, pos - windowStart + length);
    };
    const shown: boolean[] = [];
    for (const packet of packets) {
      let start = packet.pos;
      if (matroska) {
        const head = await bytes(packet.pos, 8);
        if (!head) return undefined;
        // Track number: an EBML variable-length integer (its length is the leading zeros + 1).
        const first = head[0] as number;
        const vintLength = first === 0 ? 9 : Math.clz32(first) - 23;
        if (vintLength > 4) return undefined;
        const flags = head[vintLength + 2] as number;
        if ((flags & 0x06) !== 0) return undefined; // laced: several frames in one block
        start = packet.pos + vintLength + 3;
      }
      const data = await bytes(start, packet.size);
      if (!data || !plausible(codec, data)) return undefined;
      shown.push(count(data) > 0);
    }
    return shown;
  } finally {
    await file.close();
  }
}

/** Does the packet start like a frame of the codec (so the offset arithmetic was right)? */
function plausible(codec: string, data: Buffer): boolean {
  if (data.length === 0) return false;
  if (codec === 'vp9') return (data[0] as number) >> 6 === 2; // frame_marker
  // VP8 keyframes carry the start code 9d 01 2a after the 3-byte frame tag.
  const key = ((data[0] as number) & 1) === 0;
  return !key || (data.length >= 6 && data[3] === 0x9d && data[4] === 0x01 && data[5] === 0x2a);
}

/**
 * Small generated videos for the real-world cases (issue 18): grid clips (every frame shows its
 * index) encoded by the resolved ffmpeg, and byte patches of MP4 boxes that give the layouts real
 * files have (an edit list that trims the last sample, a mirroring display matrix, a bogus header
 * duration, corrupt bytes in one sample).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { runProcess } from '../../src/ffmpeg/process.js';
import { resolveFfmpeg, type ResolvedFfmpeg } from '../../src/ffmpeg/resolve.js';
import { GridPainter } from './vio-grid.js';

export interface GridClip {
  frames: number;
  width: number;
  height: number;
  fps: number;
}

export async function testFfmpeg(): Promise<ResolvedFfmpeg> {
  return resolveFfmpeg({ log: false });
}

/** Raw RGB frames of a grid clip; `transpose` stores each frame transposed (rows ↔ columns). */
export function gridFrames(clip: GridClip, transpose = false): Uint8Array {
  const { frames, width, height } = clip;
  // A transposed clip is drawn upright at height × width and stored as width × height.
  const painter = transpose ? new GridPainter(height, width) : new GridPainter(width, height);
  const size = width * height * 3;
  const raw = new Uint8Array(frames * size);
  const upright = new Uint8Array(size);
  for (let i = 0; i < frames; i++) {
    const frame = raw.subarray(i * size, (i + 1) * size);
    if (!transpose) {
      painter.draw(i, frame);
      continue;
    }
    painter.draw(i, upright);
    // upright is `width` rows of `height` pixels; stored pixel (y, x) = upright (x, y).
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const from = (x * height + y) * 3;
        const to = (y * width + x) * 3;
        frame[to] = upright[from] as number;
        frame[to + 1] = upright[from + 1] as number;
        frame[to + 2] = upright[from + 2] as number;
      }
    }
  }
  return raw;
}

/** Encode a grid clip with the given output arguments (codec, container options, then the path). */
export async function encodeGrid(clip: GridClip, output: string[], options: { transpose?: boolean } = {}): Promise<void> {
  const ff = await testFfmpeg();
  const { width, height, fps } = clip;
  const input = ['-v', 'error', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${width}x${height}`, '-r', String(fps), '-i', 'pipe:0'];
  const stdin = gridFrames(clip, options.transpose === true);
  const result = await runProcess(ff.ffmpeg.path, [...input, ...output], { stdin, timeoutMs: 60_000 });
  if (result.code !== 0) throw new Error(`encoding ${output.join(' ')} failed: ${result.stderr}`);
}

/** Run the resolved ffmpeg; throws with its stderr on failure. */
export async function ffmpeg(args: string[]): Promise<Buffer> {
  const ff = await testFfmpeg();
  const result = await runProcess(ff.ffmpeg.path, ['-v', 'error', ...args], { timeoutMs: 60_000 });
  if (result.code !== 0) throw new Error(`ffmpeg ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout;
}

/** Run the resolved ffprobe; throws with its stderr on failure. */
export async function ffprobe(args: string[]): Promise<Buffer> {
  const ff = await testFfmpeg();
  const result = await runProcess(ff.ffprobe.path, ['-v', 'error', ...args], { timeoutMs: 60_000 });
  if (result.code !== 0) throw new Error(`ffprobe ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout;
}

/** Frames ffmpeg's own full decode outputs (framecrc lines): the oracle a player agrees with. */
export async function decodedFrameCount(path: string): Promise<number> {
  const out = await ffmpeg(['-i', path, '-map', '0:v:0', '-f', 'framecrc', 'pipe:1']);
  return out
    .toString('utf8')
    .split('\n')
    .filter((line) => /^\d+,/.test(line)).length;
}

export interface BoxLocation {
  /** Offset of the box header and of its payload. */
  offset: number;
  payload: number;
  end: number;
}

const CONTAINERS = new Set(['moov', 'trak', 'mdia', 'minf', 'stbl', 'edts', 'mvex', 'moof', 'traf']);

/** Every box of `type` in an MP4 buffer (searching the usual container boxes). */
export function findBoxes(buffer: Buffer, type: string, start = 0, end = buffer.length): BoxLocation[] {
  const found: BoxLocation[] = [];
  let offset = start;
  while (offset + 8 <= end) {
    let size = buffer.readUInt32BE(offset);
    const name = buffer.toString('latin1', offset + 4, offset + 8);
    let header = 8;
    if (size === 1) {
      size = Number(buffer.readBigUInt64BE(offset + 8));
      header = 16;
    } else if (size === 0) {
      size = end - offset;
    }
    if (size < header) break;
    if (name === type) found.push({ offset, payload: offset + header, end: offset + size });
    if (CONTAINERS.has(name)) found.push(...findBoxes(buffer, type, offset + header, offset + size));
    offset += size;
  }
  return found;
}

/** Read a file, let `patch` edit its bytes, write it back. */
export function patchFile(path: string, patch: (buffer: Buffer) => void): void {
  const buffer = readFileSync(path);
  patch(buffer);
  writeFileSync(path, buffer);
}

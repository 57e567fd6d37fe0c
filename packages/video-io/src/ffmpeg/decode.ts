import { resolve } from 'node:path';
import { VideoIoError, quotePath } from '../errors.js';
import { frameBytes } from '../frames.js';
import { flvStream, type FeedStats, type PacketFeed } from '../packet-feed.js';
import type { OutputSize } from '../resize.js';
import { runProcess, summarizeStderr } from './process.js';
import type { ResolvedFfmpeg } from './resolve.js';

/** Where ffmpeg reads from. */
export type DecodeInput =
  /** The file itself, decoded from its start. */
  | { kind: 'file' }
  /**
   * A concat-demuxer script on stdin listing segments of the same file; the demuxer seeks to
   * the keyframe before each segment's in-point, so whole GOPs between segments are skipped.
   */
  | { kind: 'concat'; script: string }
  /** Chosen H.264 samples of the file, streamed to stdin as FLV (see packet-feed.ts). */
  | { kind: 'packets'; feed: PacketFeed };

export interface DecodeRequest {
  ff: ResolvedFfmpeg;
  path: string;
  streamIndex: number;
  input: DecodeInput;
  /** A `select` filter expression choosing the wanted frames. */
  select: string;
  /** Frames the expression selects (the output must hold exactly this many). */
  frames: number;
  /** Clockwise degrees to turn the frames (0 keeps them as stored). */
  rotate: number;
  /** Flip left to right after turning (a mirroring display matrix). */
  mirror?: boolean;
  size: OutputSize;
  /** Composite transparent pixels over white first (PIL `to_rgb` for RGBA images). */
  alphaOverWhite?: OutputSize;
  threads: number;
  timeoutMs: number | undefined;
  signal: AbortSignal | undefined;
}

/** What ffmpeg's `showinfo` reported for one returned frame. */
export interface ShownFrame {
  /** Timestamp in stream time-base units, as seen after the demuxer (shifted for concat input). */
  pts: number | undefined;
  /** Byte offset of the frame's packet (-1 or undefined when not reported). */
  pos: number | undefined;
}

export interface DecodeResult {
  data: Uint8Array;
  /** One entry per returned frame, in order. */
  shown: ShownFrame[];
  args: string[];
  /** `packets` input: samples fed to ffmpeg and non-reference samples left out. */
  feed?: FeedStats;
  /**
   * ffmpeg's "Error while decoding stream" lines: packets the decoder rejected (the reference,
   * PyAV, stops at the first one; ffmpeg's command line skips it and goes on).
   */
  decodeErrors: string[];
}

/**
 * torchvision/PIL bicubic is Keys' cubic with a = -0.5, i.e. swscale's B = 0, C = 0.5;
 * swscale widens the kernel when downscaling, which is what `antialias=True` does.
 */
const SCALE_FLAGS = 'flags=bicubic+accurate_rnd+full_chroma_int:param0=0:param1=0.5';

const ROTATE_FILTERS: Record<number, string[]> = {
  0: [],
  90: ['transpose=clock'],
  180: ['hflip', 'vflip'],
  270: ['transpose=cclock'],
};

/** select → (rotate) → scale → rgb24 → showinfo (which reports each kept frame's pts and pos). */
export function filterChain(select: string, rotate: number, size: OutputSize, mirror = false): string {
  const rotation = ROTATE_FILTERS[rotate];
  if (!rotation) throw new VideoIoError('INVALID_ARGUMENT', `unsupported rotation ${rotate}`);
  return [
    `select='${select}'`,
    ...rotation,
    ...(mirror ? ['hflip'] : []),
    `scale=w=${size.width}:h=${size.height}:${SCALE_FLAGS}`,
    'format=rgb24',
    'showinfo',
  ].join(',');
}

/** Select, put the frame over a white canvas of the source size, then rotate and scale. */
function compositeGraph(inputLabel: string, select: string, rotate: number, size: OutputSize, canvas: OutputSize): string {
  return (
    `color=c=white:s=${canvas.width}x${canvas.height},format=rgba[bg];` +
    `${inputLabel}select='${select}',format=rgba[fg];` +
    `[bg][fg]overlay=shortest=1:format=rgb,${filterChain('1', rotate, size)}[out]`
  );
}

// `pos:` is optional: ffmpeg 7 no longer tracks packet positions on frames.
const SHOWINFO = /\[Parsed_showinfo_\d+ @ [^\]]*\]\s*n:\s*\d+\s+pts:\s*(-?\d+|NOPTS)\b(?:.*?\bpos:\s*(-?\d+))?/;

/** Run one ffmpeg process and collect exactly `frames` RGB frames from its stdout. */
export async function decodeFrames(request: DecodeRequest): Promise<DecodeResult> {
  const { ff, path, input, size, frames } = request;
  // `file:` keeps names containing ':' from being read as protocols.
  const inputArgs = {
    file: ['-nostdin', '-i', `file:${resolve(path)}`],
    concat: ['-f', 'concat', '-safe', '0', '-protocol_whitelist', 'file,pipe', '-i', 'pipe:0', '-copyts'],
    // The timestamps name the frames: -copyts keeps them as written.
    packets: ['-f', 'flv', '-i', 'pipe:0', '-copyts'],
  }[input.kind];
  // The concat demuxer mirrors the file's streams; the FLV stream holds the video alone.
  const streamSpec = input.kind === 'packets' ? '0:0' : `0:${request.streamIndex}`;
  const feed: FeedStats | undefined = input.kind === 'packets' ? { fed: 0, skipped: 0 } : undefined;
  const stdin = input.kind === 'concat' ? input.script : input.kind === 'packets' && feed ? flvStream(input.feed, feed) : undefined;
  const graph = request.alphaOverWhite
    ? ['-filter_complex', compositeGraph(`[${streamSpec}]`, request.select, request.rotate, size, request.alphaOverWhite), '-map', '[out]']
    : ['-map', streamSpec, '-vf', filterChain(request.select, request.rotate, size, request.mirror === true)];
  const args = [
    '-hide_banner',
    '-nostats',
    // info level for showinfo's per-frame line; everything else ffmpeg says at this level is
    // kept (capped) for error messages.
    '-v',
    'info',
    '-noautorotate',
    '-threads',
    String(request.threads),
    ...inputArgs,
    '-an',
    '-sn',
    '-dn',
    '-filter_threads',
    '1',
    ...graph,
    '-frames:v',
    String(frames),
    '-vsync',
    'passthrough',
    '-f',
    'rawvideo',
    '-pix_fmt',
    'rgb24',
    'pipe:1',
  ];

  const frameSize = frameBytes(size.height, size.width);
  const expected = frames * frameSize;
  const data = new Uint8Array(expected);
  const shown: ShownFrame[] = [];
  const decodeErrors: string[] = [];
  let received = 0;
  const result = await runProcess(ff.ffmpeg.path, args, {
    file: path,
    timeoutMs: request.timeoutMs,
    signal: request.signal,
    stdin,
    onStdout: (chunk) => {
      if (received + chunk.length > expected) {
        throw new VideoIoError('DECODE_FAILED', `ffmpeg returned more than the ${frames} frames requested from ${quotePath(path)}`, {
          file: path,
        });
      }
      data.set(chunk, received);
      received += chunk.length;
    },
    onStderrLine: (line) => {
      const match = SHOWINFO.exec(line);
      if (match) {
        shown.push({
          pts: match[1] === 'NOPTS' ? undefined : Number(match[1]),
          pos: match[2] === undefined ? undefined : Number(match[2]),
        });
        return true;
      }
      if (/Error while decoding stream/i.test(line)) decodeErrors.push(line.trim());
      // Informational chatter (stream listing, metadata) is not worth keeping.
      return !/error|invalid|failed|corrupt|missing|truncat|not found|unable|cannot|could not/i.test(line);
    },
  });
  if (result.code !== 0) {
    throw new VideoIoError(
      'DECODE_FAILED',
      `ffmpeg could not decode ${quotePath(path)}: ${summarizeStderr(result.stderr) || `exit code ${result.code}`}`,
      { file: path },
    );
  }
  if (received !== expected) {
    const got = Math.floor(received / frameSize);
    const detail = summarizeStderr(result.stderr);
    const why =
      decodeErrors.length > 0
        ? `${quotePath(path)} holds corrupt data: the decoder rejected a packet (${decodeErrors[0]})`
        : `the file may be truncated or corrupt${detail ? `: ${detail}` : ''}`;
    throw new VideoIoError('DECODE_FAILED', `ffmpeg decoded ${got} of the ${frames} frames requested from ${quotePath(path)} (${why})`, {
      file: path,
    });
  }
  return { data, shown, args, decodeErrors, ...(feed && { feed }) };
}

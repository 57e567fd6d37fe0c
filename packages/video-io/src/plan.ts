import { resolve } from 'node:path';
import type { DecodeInput } from './ffmpeg/decode.js';
import type { AvcTrack } from './mp4-index.js';
import { presentationOffset, type PacketRun } from './packet-feed.js';
import type { FrameTable } from './probe.js';

/**
 * `auto` chooses by the numbers; `sequential` decodes from the start; `seek` jumps over GOPs
 * (ffmpeg's concat demuxer); `packets` (H.264 in MP4/MOV) feeds ffmpeg only the keyframes,
 * reference frames and wanted frames of the GOPs that hold wanted frames.
 */
export type DecodeStrategy = 'auto' | 'sequential' | 'seek' | 'packets';

export interface DecodePlanSummary {
  strategy: 'sequential' | 'seek' | 'packets';
  /** Runs of frames decoded back to back (1 for sequential). */
  segments: number;
  /**
   * Frames the decoder has to decode (from each segment's keyframe to its last wanted frame);
   * for `packets`, after the read: the frames actually fed (non-reference frames skipped).
   */
  framesDecoded: number;
  /** What a sequential decode would cost, for comparison. */
  sequentialFrames: number;
  /** Why this strategy was taken. */
  reason: string;
}

/** What ffmpeg must return for each distinct wanted frame, used to check the output. */
export interface ExpectedFrame {
  /** Frame number in the file (pts order). */
  frame: number;
  /** Its packet's byte offset (-1 when unknown). */
  pos: number;
  /** Seek plans: the timestamps (after the concat shift) the frame may show up with. */
  pts?: [number, number];
}

export interface DecodePlan {
  input: DecodeInput;
  /** `select` filter expression keeping exactly the wanted frames. */
  select: string;
  /** Stop after this many output frames (`-frames:v`). */
  frames: number;
  /** Distinct wanted frames in output order. */
  expected: ExpectedFrame[];
  /** `order[k]`: which returned frame is the k-th requested one. */
  order: number[];
  duplicates: boolean;
  summary: DecodePlanSummary;
}

export interface PlanRequest {
  path: string;
  /** Wanted frames (numbers in the whole file, pts order). */
  frameNumbers: number[];
  table: FrameTable | undefined;
  timeBase: [number, number];
  fps: number;
  /** Stored frame size, for the cost model. */
  width: number;
  height: number;
  strategy: DecodeStrategy;
  /** H.264 sample tables (MP4/MOV): makes the `packets` strategy possible. */
  avc?: AvcTrack | undefined;
}

/**
 * Cost model (calibrated on the bench inputs with `pnpm bench`): decoding a frame costs about
 * its packet's bytes plus a fixed share per pixel (motion compensation, deblocking, output),
 * expressed in bytes; keyframes are large, so starting a segment is paid mostly through its
 * keyframe. Reopening the file, seeking and restarting the decoder adds `SEGMENT_OVERHEAD_BYTES`.
 */
export const PIXELS_PER_BYTE_OF_COST = 150;
export const SEGMENT_OVERHEAD_BYTES = 12_000;
/** Seek only when the model says it costs at most this share of a sequential decode. */
export const SEEK_MAX_SHARE = 0.9;
/**
 * Segments closer than this many frames are merged: a segment decodes a little past its last
 * wanted frame (B-frame reordering, the out-point's slack), which must not reach the next
 * segment's frames.
 */
const MIN_GAP_FRAMES = 12;

/** Decoding cost of frames [from, to] (inclusive) in the model's byte units. */
function costModel(table: FrameTable, width: number, height: number): (from: number, to: number) => number {
  const fixed = (width * height) / PIXELS_PER_BYTE_OF_COST;
  const prefix = new Float64Array(table.size.length + 1);
  table.size.forEach((size, i) => {
    prefix[i + 1] = (prefix[i] as number) + size + fixed;
  });
  return (from, to) => (to < from ? 0 : (prefix[to + 1] as number) - (prefix[from] as number));
}

interface Segment {
  /** Keyframe the segment starts at and last wanted frame (frame numbers). */
  start: number;
  end: number;
}

export function planDecode(request: PlanRequest): DecodePlan {
  const unique = [...new Set(request.frameNumbers)].sort((a, b) => a - b);
  const position = new Map(unique.map((n, i) => [n, i]));
  const order = request.frameNumbers.map((n) => position.get(n) as number);
  const { table } = request;
  const decodeIndex = (n: number): number => table?.decodeIndex[n] ?? n;
  const sequentialFrames = decodeIndex(unique[unique.length - 1] ?? 0) + 1;
  const expected = unique.map((frame) => ({ frame, pos: table?.pos[frame] ?? -1 }));
  const base = { frames: unique.length, expected, order, duplicates: unique.length !== request.frameNumbers.length };

  const sequential = (reason: string): DecodePlan => ({
    ...base,
    input: { kind: 'file' },
    select: sumExpression(unique.map((n) => `eq(n,${decodeIndex(n)})`)),
    summary: { strategy: 'sequential', segments: 1, framesDecoded: sequentialFrames, sequentialFrames, reason },
  });

  if (request.strategy === 'sequential') return sequential('strategy: sequential');
  if (!table) return sequential('short video: no frame table needed');
  let packetsDeclined = '';
  if ((request.strategy === 'auto' || request.strategy === 'packets') && request.avc) {
    const packets = packetPlan(request.path, table, request.avc, unique);
    if (typeof packets !== 'string') {
      const reason =
        `${request.strategy === 'packets' ? 'strategy: packets' : 'H.264 in MP4'}: keyframes, reference frames and wanted ` +
        `frames of ${packets.runs} GOPs (at most ${packets.framesInRuns} of ${sequentialFrames} frames from the start)`;
      return {
        ...base,
        input: packets.input,
        select: packets.select,
        expected: packets.expected,
        summary: { strategy: 'packets', segments: packets.runs, framesDecoded: packets.framesInRuns, sequentialFrames, reason },
      };
    }
    packetsDeclined = `packets declined (${packets}); `;
  } else if (request.strategy === 'packets') {
    packetsDeclined = 'packets declined (not H.264 in MP4/MOV with a readable sample table); ';
  }
  if (/[\n\r]/.test(request.path)) return sequential('the path contains a line break, which a concat script cannot hold');
  const cost = costModel(table, request.width, request.height);
  const segments = segmentsFor(unique, table, cost);
  if (!segments) return sequential(`${packetsDeclined}a wanted frame precedes the first keyframe`);
  if (pts0(table, segments) < 0) return sequential('negative timestamps');
  const framesDecoded = segments.reduce((sum, s) => sum + s.end - s.start + 1, 0);
  const seekCost = segments.reduce((sum, s) => sum + SEGMENT_OVERHEAD_BYTES + cost(s.start, s.end), 0);
  const sequentialCost = cost(0, unique[unique.length - 1] ?? 0);
  const share = seekCost / Math.max(1, sequentialCost);
  const numbers =
    `${framesDecoded} frames in ${segments.length} segments vs ${sequentialFrames} from the start, ` +
    `${Math.round(share * 100)}% of the decoding work`;
  if (request.strategy !== 'seek' && share > SEEK_MAX_SHARE) {
    return sequential(`${packetsDeclined}seeking would save too little: ${numbers}`);
  }
  const concat = concatPlan(request, table, segments, unique);
  return {
    ...base,
    ...concat,
    summary: {
      strategy: 'seek',
      segments: segments.length,
      framesDecoded,
      sequentialFrames,
      reason: request.strategy === 'seek' ? `strategy: seek (${numbers})` : `${packetsDeclined}seeking skips GOPs: ${numbers}`,
    },
  };
}

/**
 * Group wanted frames into keyframe-started runs; decode straight through a gap rather than
 * start a new segment when decoding the gap costs less than restarting (and always across
 * short gaps, so two segments never decode the same frames).
 */
function segmentsFor(wanted: number[], table: FrameTable, cost: (from: number, to: number) => number): Segment[] | undefined {
  const keyframes: number[] = [];
  table.keyframe.forEach((key, i) => {
    if (key) keyframes.push(i);
  });
  const segments: Segment[] = [];
  let k = -1;
  for (const frame of wanted) {
    while (k + 1 < keyframes.length && (keyframes[k + 1] as number) <= frame) k++;
    if (k < 0) return undefined;
    const key = keyframes[k] as number;
    const last = segments[segments.length - 1];
    const throughGap = last ? key - last.end <= MIN_GAP_FRAMES || cost(last.end + 1, key - 1) <= SEGMENT_OVERHEAD_BYTES : false;
    if (last && throughGap) last.end = frame;
    else segments.push({ start: key, end: frame });
  }
  return segments;
}

interface PacketPlan {
  input: DecodeInput;
  select: string;
  expected: ExpectedFrame[];
  runs: number;
  framesInRuns: number;
}

/**
 * One run of samples per GOP that holds wanted frames, from its keyframe to the last wanted
 * frame in decode order. Returns why not when the layout does not allow it (a wanted frame
 * before the first keyframe, or GOPs whose frames are decoded across each other: open GOPs).
 */
function packetPlan(path: string, table: FrameTable, avc: AvcTrack, wanted: number[]): PacketPlan | string {
  const { positionOf } = avc;
  const runs: PacketRun[] = [];
  let key = -1;
  let cursor = 0;
  let keyRun: PacketRun | undefined;
  for (const frame of wanted) {
    // The last keyframe at or before the frame (wanted frames ascend, so one pass suffices).
    let latest = key;
    for (; cursor <= frame; cursor++) if (table.keyframe[cursor]) latest = cursor;
    if (latest < 0) return 'a wanted frame precedes the first keyframe';
    const position = positionOf[frame] as number;
    if (latest !== key || !keyRun) {
      key = latest;
      keyRun = { from: positionOf[key] as number, to: position };
      runs.push(keyRun);
    }
    if (position < keyRun.from) return `frame ${frame} is decoded before its keyframe ${key} (open GOP)`;
    keyRun.to = Math.max(keyRun.to, position);
  }
  for (let i = 1; i < runs.length; i++) {
    if ((runs[i] as PacketRun).from <= (runs[i - 1] as PacketRun).to) return 'GOPs overlap in decode order (open GOPs)';
  }
  const ptsOffset = presentationOffset(avc);
  const expected = wanted.map((frame): ExpectedFrame => ({ frame, pos: -1, pts: [frame + ptsOffset, frame + ptsOffset] }));
  return {
    input: { kind: 'packets', feed: { path, avc, table, runs, wanted: new Set(wanted), ptsOffset } },
    select: sumExpression(wanted.map((frame) => `eq(pts,${frame + ptsOffset})`)),
    expected,
    runs: runs.length,
    framesInRuns: runs.reduce((sum, run) => sum + run.to - run.from + 1, 0),
  };
}

/**
 * A concat-demuxer script reading each segment of the same file: `inpoint` makes the demuxer
 * seek to the segment's keyframe, `outpoint` ends it shortly after the last wanted frame, and
 * `duration` (the distance to the next in-point) keeps the file's own timeline, shifted by the
 * first in-point, so frames can be selected by their original timestamps.
 */
function concatPlan(
  request: PlanRequest,
  table: FrameTable,
  segments: Segment[],
  wanted: number[],
): Pick<DecodePlan, 'input' | 'select' | 'expected'> {
  const [num, den] = request.timeBase;
  const micros = (pts: number): bigint => ceilDiv(BigInt(pts) * BigInt(num) * 1_000_000n, BigInt(den));
  const pts = (n: number): number => table.pts[n] as number;
  const frameDuration = (n: number): number => {
    const next = table.pts[n + 1];
    return next === undefined ? Math.max(1, Math.round(den / num / (request.fps || 25))) : next - pts(n);
  };
  const file = `file:${resolve(request.path)}`;
  const lines = ['ffconcat version 1.0'];
  segments.forEach((segment, i) => {
    const inpoint = micros(pts(segment.start));
    // Two frames of slack: an interleaved audio packet past the out-point must not end the
    // segment before the last wanted video packet has been read.
    const outpoint = micros(pts(segment.end) + 2 * frameDuration(segment.end));
    lines.push(`file '${file.replaceAll("'", "'\\''")}'`, `inpoint ${seconds(inpoint)}`, `outpoint ${seconds(outpoint)}`);
    const next = segments[i + 1];
    if (next) lines.push(`duration ${seconds(micros(pts(next.start)) - inpoint)}`);
  });

  // Every segment's timestamps are shifted by the first in-point (ffmpeg rescales it from
  // microseconds to the stream time base, rounding to nearest). A window of half the distance
  // to the neighbouring frames absorbs that rounding without ever taking a neighbour.
  const first = segments[0] as Segment;
  const shift = rescaleNearest(micros(pts(first.start)), BigInt(den), BigInt(num) * 1_000_000n);
  const expected = wanted.map((n): ExpectedFrame => {
    const before = n > 0 ? pts(n) - pts(n - 1) : Number.POSITIVE_INFINITY;
    const after = n + 1 < table.pts.length ? pts(n + 1) - pts(n) : Number.POSITIVE_INFINITY;
    const gap = Math.min(before, after);
    const half = gap >= 3 ? Math.floor((gap - 1) / 2) : 0;
    const centre = pts(n) - Number(shift);
    return { frame: n, pos: table.pos[n] ?? -1, pts: [centre - half, centre + half] };
  });
  const select = sumExpression(
    expected.map(({ pts: [lo, hi] = [0, 0] }) => (lo === hi ? `eq(pts,${lo})` : `between(pts,${lo},${hi})`)),
  );
  return { input: { kind: 'concat', script: `${lines.join('\n')}\n` }, select, expected };
}

/**
 * `a+b+c+…` as a balanced tree of parenthesised halves: ffmpeg ≥ 4.4 refuses expressions nested
 * more than 100 levels deep, and a flat sum of n terms nests n levels.
 */
export function sumExpression(terms: readonly string[]): string {
  if (terms.length <= 8) return terms.join('+');
  const middle = Math.ceil(terms.length / 2);
  return `(${sumExpression(terms.slice(0, middle))})+(${sumExpression(terms.slice(middle))})`;
}

function pts0(table: FrameTable, segments: Segment[]): number {
  return table.pts[(segments[0] as Segment).start] as number;
}

function ceilDiv(a: bigint, b: bigint): bigint {
  return (a + b - 1n) / b;
}

/** `av_rescale` with AV_ROUND_NEAR_INF for non-negative values: round(a * b / c). */
function rescaleNearest(a: bigint, b: bigint, c: bigint): bigint {
  return (a * b + c / 2n) / c;
}

function seconds(microseconds: bigint): string {
  const sign = microseconds < 0n ? '-' : '';
  const abs = microseconds < 0n ? -microseconds : microseconds;
  return `${sign}${abs / 1_000_000n}.${(abs % 1_000_000n).toString().padStart(6, '0')}`;
}

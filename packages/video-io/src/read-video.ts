import { availableParallelism } from 'node:os';
import { VideoIoError, quotePath } from './errors.js';
import { decodeFrames, type DecodeResult, type ShownFrame } from './ffmpeg/decode.js';
import type { ResolvedFfmpeg } from './ffmpeg/resolve.js';
import type { FrameStack } from './frames.js';
import {
  planDecode,
  type DecodePlan,
  type DecodePlanSummary,
  type DecodeStrategy,
  type ExpectedFrame,
  type PlanRequest,
} from './plan.js';
import { DEFAULT_PRESET, videoPreset, type VideoPreset, type VideoPresetName } from './presets.js';
import {
  getFfmpeg,
  probeDetails,
  type FfmpegChoice,
  type FpsSource,
  type FrameCountSource,
  type FrameTable,
  type StreamDamage,
  type VideoProbe,
} from './probe.js';
import { videoOutputSize, type OutputSize, type ResizeRecord } from './resize.js';
import { sampleIndices, smartNFrames, type NFramesOptions } from './sampling.js';
import { SPLIT_MAX_PIXELS, decodeHalves, splitAtGop, type DecodedPlan } from './split-decode.js';
import { defaultDecodeThreads } from './threads.js';

export interface ReadVideoOptions extends NFramesOptions {
  /** Constants of the vision_process.py configuration (default `video-r1-train`). */
  preset?: VideoPresetName | VideoPreset;
  /** Per-frame pixel budget, as the reference's `min_pixels` / `max_pixels` / `total_pixels`. */
  minPixels?: number;
  maxPixels?: number;
  totalPixels?: number;
  /** Both or neither: a target size that still goes through `smart_resize` (image defaults). */
  resizedHeight?: number;
  resizedWidth?: number;
  /** Seconds: read only this part of the video (torchvision `start_pts`/`end_pts`, inclusive). */
  videoStart?: number;
  videoEnd?: number;
  /**
   * Not the reference: resize every frame to exactly this size (no `smart_resize`), for tiny
   * models. Frame choice is unchanged.
   */
  outputSize?: OutputSize;
  /**
   * Turn frames upright using the file's display rotation. Default `false`: frames come as
   * stored, as torchvision and decord hand them to Video-R1's model.
   */
  autorotate?: boolean;
  /**
   * `auto` (default): `packets` for H.264 in MP4/MOV, else `seek` or `sequential` by the numbers;
   * `sequential` decodes from the start; `seek` jumps GOPs; `packets` feeds ffmpeg only the frames
   * needed (see the README).
   */
  strategy?: DecodeStrategy;
  /**
   * ffmpeg decoding threads (default: twice the CPUs free right now, 1 to 8, see `defaultDecodeThreads`;
   * sampled when the read starts and again before decoding, the larger count wins).
   */
  threads?: number;
  /**
   * ffmpeg processes decoding at once, each on its own GOPs (1 or 2). Default: 2 for frames up to
   * 640×480 whose wanted frames span several GOPs, on a machine with 2 or more CPUs (frame
   * threading does little on small frames); else 1. Each process gets half of `threads`.
   */
  decoders?: number;
  ffmpeg?: FfmpegChoice;
  /** Kill ffmpeg/ffprobe and reject after this long. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** Everything needed to say which pixels a model saw, and to reproduce them. */
export interface VideoProvenance {
  path: string;
  preset: string;
  /** Frames in the (possibly trimmed) clip and how that number was obtained. */
  totalFrames: number;
  frameCountSource: FrameCountSource;
  videoFps: number;
  fpsSource: FpsSource;
  /** How `nframes` was decided: a fixed `nframes`, or `fps` with its bounds. */
  nframes: number;
  nframesRule:
    | { kind: 'nframes'; requested: number }
    /** The values `smart_nframes` used (defaults filled in), before its rounding to multiples of 2. */
    | { kind: 'fps'; fps: number; minFrames: number; maxFrames: number };
  /** Source stream. */
  source: {
    width: number;
    height: number;
    codec: string;
    container: string;
    rotation: number;
    mirrored: boolean;
    durationSec: number;
  };
  /**
   * Corrupt data mid-stream (see `VideoProbe.damage`): the frames were counted and sampled as
   * the reference does, from the frames before the first rejected sample.
   */
  damage: StreamDamage | undefined;
  autorotated: boolean;
  /** Present when `videoStart`/`videoEnd` trimmed the clip: frame numbers in the whole file. */
  range: { start: number | undefined; end: number | undefined; firstFrame: number; lastFrame: number } | undefined;
  /** Absolute frame numbers in the file of the returned frames. */
  frameNumbers: number[];
  resize: ResizeRecord;
  decode: DecodePlanSummary & {
    /** ffmpeg decoding threads used (per process). */
    threads: number;
    /** ffmpeg processes that decoded at once (2: the GOPs were split between them). */
    decoders: number;
    ffmpeg: { path: string; version: string; source: string };
    ffprobe: { path: string; version: string; source: string };
  };
}

export interface ReadVideoResult extends FrameStack {
  /** Indices of the returned frames within the clip, as the reference's `idx`. */
  indices: number[];
  /** `nframes / totalFrames * videoFps`, as the reference returns with `return_video_sample_fps`. */
  sampleFps: number;
  /** Presentation time (seconds, the file's own timeline) of each returned frame. */
  timestamps: number[];
  provenance: VideoProvenance;
}


/**
 * Sample frames from a video exactly as Video-R1's `fetch_video` chooses them (frame count,
 * indices, output size, sample fps), decoded by ffmpeg (one process, two for small frames) streaming raw RGB.
 */
export async function readVideo(path: string, options: ReadVideoOptions = {}): Promise<ReadVideoResult> {
  validateOptions(options);
  // The free CPUs are sampled now and again just before decoding (after the probe): a thread that
  // was runnable at only one of the two instants is a blip (a kernel thread, a process exiting),
  // not load that frame threading would fight with.
  const threadsAtStart = options.threads ?? defaultDecodeThreads();
  const preset = resolvePreset(options.preset);
  const ff = await getFfmpeg(options.ffmpeg);
  const common = { timeoutMs: options.timeoutMs, signal: options.signal };

  // The frame table (every frame's timestamp, keyframe flag and packet) gives the exact frame
  // count, the clip range and the seek plan: from the MP4/MOV sample tables, else ffprobe.
  const { probe, frames, avc } = await probeDetails(path, ff, { listPackets: true, ...common });
  if (!frames) throw new Error('probeDetails returned no frame table');
  const table = frames;
  const ranged = options.videoStart !== undefined || options.videoEnd !== undefined;

  const clip = clipRange(probe, table, options);
  const totalFrames = clip.count;
  const nframes = nframesFor(path, options, totalFrames, probe.fps, preset);
  const indices = sampleIndices(totalFrames, nframes);
  const frameNumbers = indices.map((index) => clip.first + index);

  const autorotate = options.autorotate === true;
  const rotate = autorotate ? probe.rotation : 0;
  const mirror = autorotate && probe.mirrored;
  const sourceSize = autorotate ? { height: probe.displayHeight, width: probe.displayWidth } : { height: probe.height, width: probe.width };
  const resize = videoOutputSize(sourceSize, nframes, options, preset);

  const allThreads = options.threads ?? Math.max(threadsAtStart, defaultDecodeThreads());
  const request: PlanRequest = {
    path,
    frameNumbers,
    table,
    timeBase: probe.timeBase,
    fps: probe.fps,
    width: probe.width,
    height: probe.height,
    strategy: options.strategy ?? 'auto',
    avc,
  };
  const decodeWith =
    (threads: number, signal: AbortSignal | undefined) =>
    (plan: DecodePlan): Promise<DecodeResult> =>
      decodeFrames({
        ff,
        path,
        streamIndex: probe.streamIndex,
        input: plan.input,
        select: plan.select,
        frames: plan.frames,
        rotate,
        mirror,
        size: resize.to,
        threads,
        timeoutMs: options.timeoutMs,
        signal,
      });
  const halves = wantsTwoDecoders(options, probe, request, allThreads) ? splitAtGop([...new Set(frameNumbers)].sort((a, b) => a - b), table) : undefined;
  const decoders = halves ? 2 : 1;
  const threads = halves ? Math.max(1, Math.round(allThreads / 2)) : allThreads;
  const { plan, decoded }: DecodedPlan = halves
    ? await decodeHalves(request, halves, (half, signal) => decodeWithFallback(half, decodeWith(threads, signal)), options.signal)
    : await decodeWithFallback(request, decodeWith(threads, options.signal));

  if (decoded.decodeErrors.length > 0 && !probe.damage) {
    // The reference stops at the first rejected packet, so its frame count (hence sampling)
    // differs from the one planned here; returning these frames would be silently different.
    throw new VideoIoError(
      'DECODE_FAILED',
      `${quotePath(path)} holds corrupt data that video-io cannot locate without decoding the whole ${probe.codec} stream ` +
        `(ffmpeg: ${decoded.decodeErrors[0]}); torchvision/PyAV stop at it, so no frame count here would match theirs. ` +
        'Re-encode the file (ffmpeg -i in -c:v libx264 out.mp4) or leave it out.',
      { file: path },
    );
  }
  const [num, den] = probe.timeBase;
  const timestamps = frameNumbers.map((n) => ((table.pts[n] as number) * num) / den);
  const data = decoded.data;
  return {
    data: plan.duplicates ? expandDuplicates(data, plan.order, resize.to) : data,
    frames: nframes,
    height: resize.to.height,
    width: resize.to.width,
    indices,
    sampleFps: (nframes / Math.max(totalFrames, 1e-6)) * probe.fps,
    timestamps,
    provenance: {
      path,
      preset: preset.name,
      totalFrames,
      frameCountSource: probe.frameCountSource,
      videoFps: probe.fps,
      fpsSource: probe.fpsSource,
      nframes,
      nframesRule:
        options.nframes !== undefined
          ? { kind: 'nframes', requested: options.nframes }
          : {
              kind: 'fps',
              fps: options.fps ?? preset.fps,
              minFrames: options.minFrames ?? preset.minFrames,
              maxFrames: options.maxFrames ?? Math.min(preset.maxFrames, totalFrames),
            },
      source: {
        width: probe.width,
        height: probe.height,
        codec: probe.codec,
        container: probe.container,
        rotation: probe.rotation,
        mirrored: probe.mirrored,
        durationSec: probe.durationSec,
      },
      damage: probe.damage,
      autorotated: autorotate && (probe.rotation !== 0 || probe.mirrored),
      range: ranged
        ? { start: options.videoStart, end: options.videoEnd, firstFrame: clip.first, lastFrame: clip.first + clip.count - 1 }
        : undefined,
      frameNumbers,
      resize,
      decode: { ...plan.summary, threads, decoders, ffmpeg: binaryRecord(ff, 'ffmpeg'), ffprobe: binaryRecord(ff, 'ffprobe') },
    },
  };
}

function binaryRecord(ff: ResolvedFfmpeg, tool: 'ffmpeg' | 'ffprobe'): { path: string; version: string; source: string } {
  const { path, version, source } = ff[tool];
  return { path, version, source };
}

export function resolvePreset(preset: VideoPresetName | VideoPreset | undefined): VideoPreset {
  if (preset === undefined) return DEFAULT_PRESET;
  return typeof preset === 'string' ? videoPreset(preset) : preset;
}

interface Clip {
  /** First frame (pts order) of the clip in the whole file. */
  first: number;
  count: number;
}

/**
 * torchvision `read_video(path, start, end, pts_unit="sec")`: frames with
 * `floor(start / time_base) <= pts <= ceil(end / time_base)`, plus the last frame before the
 * start when no frame starts exactly there.
 */
function clipRange(probe: VideoProbe, table: FrameTable | undefined, options: ReadVideoOptions): Clip {
  const { videoStart, videoEnd } = options;
  if ((videoStart === undefined && videoEnd === undefined) || !table) return { first: 0, count: probe.totalFrames };
  const [num, den] = probe.timeBase;
  const perSecond = den / num;
  const startPts = Math.floor((videoStart ?? 0) * perSecond);
  const endPts = videoEnd === undefined ? Number.POSITIVE_INFINITY : Math.ceil(videoEnd * perSecond);
  let first = table.pts.findIndex((pts) => pts >= startPts);
  if (first === -1 || first >= probe.totalFrames) first = Math.min(table.pts.length, probe.totalFrames);
  let last = first - 1;
  // A damaged stream ends where the reference stops decoding.
  const frameCount = Math.min(table.pts.length, probe.totalFrames);
  while (last + 1 < frameCount && (table.pts[last + 1] as number) <= endPts) last++;
  if (startPts > 0 && table.pts[first] !== startPts && first > 0) first--;
  const count = Math.max(0, last - first + 1);
  if (count === 0) {
    throw new VideoIoError(
      'INVALID_ARGUMENT',
      `no frames of ${quotePath(probe.path)} lie between videoStart=${videoStart ?? 0} s and videoEnd=${videoEnd ?? 'end'} s ` +
        `(the video lasts ${probe.durationSec.toFixed(3)} s)`,
      { file: probe.path },
    );
  }
  return { first, count };
}

/** Two processes only where they pay: small frames, an explicit choice, or never for sequential reads. */
function wantsTwoDecoders(options: ReadVideoOptions, probe: VideoProbe, request: PlanRequest, threads: number): boolean {
  if (options.decoders !== undefined) return options.decoders >= 2 && request.strategy !== 'sequential';
  // `threads` is twice the free CPUs: below 2, a second process would only fight for a busy CPU.
  return request.strategy === 'auto' && probe.width * probe.height <= SPLIT_MAX_PIXELS && availableParallelism() >= 2 && threads >= 2;
}

/** `smart_nframes`, its errors naming the file and its frame count (a 1-frame video cannot give 2). */
function nframesFor(path: string, options: ReadVideoOptions, totalFrames: number, fps: number, preset: VideoPreset): number {
  try {
    return smartNFrames(options, totalFrames, fps, preset);
  } catch (error) {
    if (!(error instanceof VideoIoError)) throw error;
    throw new VideoIoError(
      error.code,
      `${error.message} (${quotePath(path)} has ${totalFrames} frame${totalFrames === 1 ? '' : 's'}` +
        `${totalFrames < 2 ? '; Video-R1 needs at least 2' : ''})`,
      { file: path, cause: error },
    );
  }
}

function validateOptions(options: ReadVideoOptions): void {
  const positive = ['fps', 'minPixels', 'maxPixels', 'totalPixels', 'resizedHeight', 'resizedWidth', 'threads', 'timeoutMs'] as const;
  for (const key of positive) {
    const value = options[key];
    if (value !== undefined && !(typeof value === 'number' && value > 0 && Number.isFinite(value))) {
      throw new VideoIoError('INVALID_ARGUMENT', `readVideo: ${key} must be a positive number, got ${String(value)}`);
    }
  }
  for (const key of ['nframes', 'minFrames', 'maxFrames', 'videoStart', 'videoEnd'] as const) {
    const value = options[key];
    if (value !== undefined && !(typeof value === 'number' && Number.isFinite(value))) {
      throw new VideoIoError('INVALID_ARGUMENT', `readVideo: ${key} must be a finite number, got ${String(value)}`);
    }
  }
  if (options.decoders !== undefined && options.decoders !== 1 && options.decoders !== 2) {
    throw new VideoIoError('INVALID_ARGUMENT', `readVideo: decoders must be 1 or 2, got ${String(options.decoders)}`);
  }
  const { videoStart, videoEnd } = options;
  if (videoStart !== undefined && videoEnd !== undefined && videoEnd < videoStart) {
    throw new VideoIoError('INVALID_ARGUMENT', `readVideo: videoEnd (${videoEnd}) must not be before videoStart (${videoStart})`);
  }
}

/**
 * Decode by the plan. Under `auto`, a plan whose read fails or whose output does not check out
 * (an ffmpeg whose demuxer handles timestamps differently, a stream the packet feed declines)
 * is retried the next safer way — packets → concat seek (or sequential) → sequential — and the
 * provenance says so. An explicitly requested strategy is never silently replaced.
 */
async function decodeWithFallback(
  request: PlanRequest,
  decode: (plan: DecodePlan) => Promise<DecodeResult>,
): Promise<{ plan: DecodePlan; decoded: DecodeResult }> {
  let plan = planDecode(request);
  const problems: string[] = [];
  for (;;) {
    let problem: string;
    try {
      const decoded = await decode(plan);
      const mismatch = checkDecoded(plan, decoded.shown);
      if (mismatch === undefined) return { plan: withFeedCounts(plan, decoded), decoded };
      problem = mismatch;
    } catch (error) {
      const stopped = error instanceof VideoIoError && (error.code === 'ABORTED' || error.code === 'TIMEOUT');
      if (plan.summary.strategy === 'sequential' || request.strategy !== 'auto' || stopped) throw error;
      problem = error instanceof Error ? error.message : String(error);
    }
    problems.push(`${plan.summary.strategy} path rejected (${problem})`);
    if (plan.summary.strategy === 'sequential' || request.strategy !== 'auto') break;
    const next =
      plan.summary.strategy === 'packets'
        ? planDecode({ ...request, avc: undefined })
        : planDecode({ ...request, strategy: 'sequential' });
    plan = { ...next, summary: { ...next.summary, reason: `${problems.join('; ')}; ${next.summary.reason}` } };
  }
  throw new VideoIoError(
    'DECODE_FAILED',
    `ffmpeg did not return the planned frames of ${quotePath(request.path)}: ${problems.join('; ')}`,
    { file: request.path },
  );
}

/** A packet plan's summary counts the frames actually fed, known only after the read. */
function withFeedCounts(plan: DecodePlan, decoded: DecodeResult): DecodePlan {
  if (!decoded.feed) return plan;
  const { fed, skipped } = decoded.feed;
  return {
    ...plan,
    summary: {
      ...plan.summary,
      framesDecoded: fed,
      reason: `${plan.summary.reason}; fed ${fed} frames, left out ${skipped} non-reference frames`,
    },
  };
}

/**
 * Compare what showinfo reported with the plan: one line per frame, and where both sides know
 * the packet position, the very packets planned. Returns a description of the first mismatch.
 */
function checkDecoded(plan: DecodePlan, shown: ShownFrame[]): string | undefined {
  if (shown.length === 0) {
    // An ffmpeg whose showinfo lines we cannot parse: the byte count already proved the frame
    // count, and a sequential decode selects by frame number, which needs no timestamps.
    return plan.summary.strategy !== 'sequential' ? 'no showinfo lines to check the frames against' : undefined;
  }
  if (shown.length !== plan.expected.length) {
    return `expected ${plan.expected.length} frames, ffmpeg reported ${shown.length}`;
  }
  for (let k = 0; k < shown.length; k++) {
    const want = plan.expected[k] as ExpectedFrame;
    const got = shown[k] as ShownFrame;
    if (want.pos >= 0 && got.pos !== undefined && got.pos >= 0 && got.pos !== want.pos) {
      return `frame ${want.frame} should come from the packet at byte ${want.pos}, got byte ${got.pos}`;
    }
    if (want.pts && (got.pts === undefined || got.pts < want.pts[0] || got.pts > want.pts[1])) {
      return `frame ${want.frame} should have pts in [${want.pts[0]}, ${want.pts[1]}], got ${got.pts}`;
    }
  }
  return undefined;
}

/** Copy decoded unique frames into the requested order (repeated indices share one decode). */
function expandDuplicates(unique: Uint8Array, order: number[], size: OutputSize): Uint8Array {
  const frameSize = size.height * size.width * 3;
  const out = new Uint8Array(order.length * frameSize);
  order.forEach((source, k) => out.set(unique.subarray(source * frameSize, (source + 1) * frameSize), k * frameSize));
  return out;
}

export type { DecodeStrategy };

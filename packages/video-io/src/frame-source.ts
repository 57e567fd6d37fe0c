// The one way media becomes model input: a `FrameRequest` (preset + per-call settings) read by
// `readVideo` / `readImage`, optionally through a `FrameCache`. The trainer, the evaluator and the
// model adapters all read frames here, so one request gives the same pixels everywhere.
import { FrameCache, type CachedFrames, type FrameCacheStats, type MediaKind } from './frame-cache.js';
import { readImage } from './image.js';
import type { VideoPreset, VideoPresetName } from './presets.js';
import type { FfmpegChoice } from './probe.js';
import { readVideo } from './read-video.js';
import type { OutputSize } from './resize.js';

/**
 * What frames, at what size, a model asks for: the vision_process.py constants of `preset`
 * (default `video-r1-train`) changed by the per-message keys of the reference (`fps`,
 * `min_frames`, `max_frames`, `max_pixels`), or an exact `outputSize` for tiny models.
 * Plain data (JSON-serialisable when `preset` is a name), so it can be recorded with a checkpoint.
 */
export interface FrameRequest {
  preset?: VideoPresetName | VideoPreset;
  fps?: number;
  minFrames?: number;
  maxFrames?: number;
  /** Per-frame pixel budget of videos (`readVideo`'s `maxPixels`). Ignored with `outputSize`. */
  maxPixels?: number;
  /** Pixel budget of images (`readImage`'s `maxPixels`). Ignored with `outputSize`. */
  imageMaxPixels?: number;
  /** Not the reference: every frame resized to exactly this size (frame choice unchanged). */
  outputSize?: OutputSize;
}

/** How to run the decoder; never changes which pixels come out. */
export interface FrameReadOptions {
  ffmpeg?: FfmpegChoice;
  threads?: number;
  timeoutMs?: number;
  signal?: AbortSignal;
}

const defined = <T extends object>(value: T): Partial<T> =>
  Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;

/**
 * Reads one file as `request` asks: a video's sampled frames, or an image as one frame. Returns
 * the frames with the sampling facts (`indices`, `sampleFps`) that training and reports use.
 */
export async function readFrames(file: string, kind: MediaKind, request: FrameRequest, options: FrameReadOptions = {}): Promise<CachedFrames> {
  const run = defined({ ffmpeg: options.ffmpeg, timeoutMs: options.timeoutMs, signal: options.signal });
  const common = defined({ preset: request.preset, outputSize: request.outputSize });
  if (kind === 'image') {
    const image = await readImage(file, { ...common, ...defined({ maxPixels: request.imageMaxPixels }), ...run });
    return { data: image.data, frames: 1, height: image.height, width: image.width, indices: [0], sampleFps: null };
  }
  const clip = await readVideo(file, {
    ...common,
    ...defined({ fps: request.fps, minFrames: request.minFrames, maxFrames: request.maxFrames, maxPixels: request.maxPixels, threads: options.threads }),
    ...run,
  });
  return { data: clip.data, frames: clip.frames, height: clip.height, width: clip.width, indices: clip.indices, sampleFps: clip.sampleFps };
}

export interface FrameSourceOptions {
  request: FrameRequest;
  /** On-disk cache shared by processes (`FrameCache`); `null` (default) for none. */
  cacheDir?: string | null;
  /**
   * Keep decoded frames in memory for the life of the source (default true): right for a training
   * set read every epoch, wrong for a benchmark of thousands of videos read once.
   */
  memory?: boolean;
  /** Decoder settings (ffmpeg, threads, timeout); they never change the pixels. */
  read?: Omit<FrameReadOptions, 'signal'>;
}

/**
 * Frames by file for one `FrameRequest`: the trainer's data, its test evaluation and the
 * evaluator's model adapters read through a source, so equal requests give equal frames.
 */
export class FrameSource {
  readonly request: FrameRequest;
  private readonly cache: FrameCache | null;
  private readonly read: Omit<FrameReadOptions, 'signal'>;
  private readonly direct: FrameCacheStats = { decoded: 0, diskHits: 0, memoryHits: 0, failures: 0 };

  constructor(options: FrameSourceOptions) {
    this.request = options.request;
    this.read = options.read ?? {};
    const memory = options.memory ?? true;
    const dir = options.cacheDir ?? null;
    this.cache =
      memory || dir !== null
        ? new FrameCache({ dir, memory, settings: frameRequestKey(options.request), decode: (file, kind) => readFrames(file, kind, this.request, this.read) })
        : null;
  }

  /**
   * Frames of `file`. `signal` cancels an uncached read; a cached decode is shared by every
   * caller, so there the signal is only checked before asking.
   */
  async frames(file: string, kind: MediaKind, signal?: AbortSignal): Promise<CachedFrames> {
    signal?.throwIfAborted();
    if (this.cache) return this.cache.get(file, kind);
    try {
      const frames = await readFrames(file, kind, this.request, { ...this.read, ...(signal ? { signal } : {}) });
      this.direct.decoded += 1;
      return frames;
    } catch (error) {
      this.direct.failures += 1;
      throw error;
    }
  }

  get stats(): FrameCacheStats {
    return this.cache ? this.cache.stats : this.direct;
  }
}

/**
 * One `FrameSource` per request, made on first use: for readers whose budget changes per call (an
 * evaluator asks for 16, 32 or 64 frames per benchmark), so each budget's media are read through
 * one source.
 */
export class FrameSources {
  private readonly sources = new Map<string, FrameSource>();

  constructor(private readonly options: Omit<FrameSourceOptions, 'request'> = {}) {}

  /** The source of `request` (equal requests share one). */
  for(request: FrameRequest): FrameSource {
    const key = JSON.stringify(frameRequestKey(request));
    let source = this.sources.get(key);
    if (!source) {
      source = new FrameSource({ ...this.options, request });
      this.sources.set(key, source);
    }
    return source;
  }
}

/** The part of a request that decides the pixels, as a stable cache key (presets by their constants). */
export function frameRequestKey(request: FrameRequest): unknown {
  return { ...request, preset: request.preset ?? 'video-r1-train' };
}

// Decoded frames, cached in memory for the process and on disk across processes: a training run,
// its resumption, the ablation's seeds and the evaluator decode each video once, not at every
// step or every run.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomicSync } from '@video-r1/cli-kit';
import type { FrameStack } from './frames.js';

/** THWC RGB frames plus the sampling facts that training and reports use. */
export interface CachedFrames extends FrameStack {
  /** Source frame indices that were sampled (videos); `[0]` for images. */
  indices: number[];
  /** Sampling rate of the returned frames (`readVideo`'s `sampleFps`); `null` for images. */
  sampleFps: number | null;
}

export type MediaKind = 'image' | 'video';

/** Turns a file into frames; the cache calls it at most once per file and settings. */
export type FrameDecoder = (file: string, kind: MediaKind) => Promise<CachedFrames>;

export interface FrameCacheOptions {
  decode: FrameDecoder;
  /** Directory of the on-disk cache; `null` keeps frames in memory only. */
  dir: string | null;
  /**
   * Everything that changes the decoded frames (preset, frame budget, output size): part of the
   * key, so other settings never read these entries.
   */
  settings: unknown;
  /**
   * Keep finished frames in memory (default true). `false` still shares a decode between
   * concurrent requests but forgets it once it settles (disk entries are kept).
   */
  memory?: boolean;
}

export interface FrameCacheStats {
  decoded: number;
  diskHits: number;
  memoryHits: number;
  failures: number;
}

const MAGIC = 'VR1FRAMES1';
const HEADER_BYTES = MAGIC.length + 8;

function encodeEntry(frames: CachedFrames): Buffer {
  const { frames: count, height, width, indices, sampleFps } = frames;
  const meta = Buffer.from(JSON.stringify({ frames: count, height, width, indices, sampleFps }));
  const header = Buffer.alloc(HEADER_BYTES);
  header.write(MAGIC, 0, 'latin1');
  header.writeUInt32LE(meta.length, MAGIC.length);
  header.writeUInt32LE(frames.data.length, MAGIC.length + 4);
  return Buffer.concat([header, meta, frames.data]);
}

/** The entry, or `null` for anything that is not a complete entry of this format. */
function decodeEntry(bytes: Buffer): CachedFrames | null {
  if (bytes.length < HEADER_BYTES || bytes.toString('latin1', 0, MAGIC.length) !== MAGIC) return null;
  const metaLength = bytes.readUInt32LE(MAGIC.length);
  const dataLength = bytes.readUInt32LE(MAGIC.length + 4);
  if (bytes.length !== HEADER_BYTES + metaLength + dataLength) return null;
  let meta: Omit<CachedFrames, 'data'>;
  try {
    meta = JSON.parse(bytes.toString('utf8', HEADER_BYTES, HEADER_BYTES + metaLength)) as Omit<CachedFrames, 'data'>;
  } catch {
    return null;
  }
  if (meta.frames * meta.height * meta.width * 3 !== dataLength) return null;
  return { ...meta, data: new Uint8Array(bytes.buffer, bytes.byteOffset + HEADER_BYTES + metaLength, dataLength) };
}

/**
 * Frames by file, decoded at most once per process (concurrent requests share one decode) and,
 * with a directory, once across processes. Disk entries are keyed by the absolute path, size,
 * modification time and the settings, written atomically (temporary file, then rename), and a
 * damaged entry is decoded again rather than trusted.
 */
export class FrameCache {
  private readonly memory = new Map<string, Promise<CachedFrames>>();
  readonly stats: FrameCacheStats = { decoded: 0, diskHits: 0, memoryHits: 0, failures: 0 };

  constructor(private readonly options: FrameCacheOptions) {
    if (options.dir) mkdirSync(options.dir, { recursive: true });
  }

  /** Frames of `file`; a failure is remembered too (and rethrown to every caller). */
  get(file: string, kind: MediaKind): Promise<CachedFrames> {
    const key = `${kind}:${path.resolve(file)}`;
    const cached = this.memory.get(key);
    if (cached) {
      this.stats.memoryHits += 1;
      return cached;
    }
    const pending = this.load(file, kind);
    const forget = (): void => {
      if (this.options.memory === false) this.memory.delete(key);
    };
    pending.then(forget, () => {
      this.stats.failures += 1;
      forget();
    });
    this.memory.set(key, pending);
    return pending;
  }

  private entryPath(file: string, kind: MediaKind): string | null {
    if (!this.options.dir) return null;
    const stat = statSync(file);
    const key = JSON.stringify({ file: path.resolve(file), kind, size: stat.size, mtime: stat.mtimeMs, settings: this.options.settings });
    return path.join(this.options.dir, `${createHash('sha256').update(key).digest('hex').slice(0, 32)}.bin`);
  }

  private async load(file: string, kind: MediaKind): Promise<CachedFrames> {
    let entry: string | null = null;
    try {
      entry = this.entryPath(file, kind);
    } catch {
      // A missing file: the decoder reports it with its own message.
    }
    if (entry) {
      try {
        const frames = decodeEntry(readFileSync(entry));
        if (frames) {
          this.stats.diskHits += 1;
          return frames;
        }
      } catch {
        // Not cached yet (or unreadable): decode.
      }
    }
    const frames = await this.options.decode(file, kind);
    this.stats.decoded += 1;
    if (entry) {
      try {
        writeFileAtomicSync(entry, encodeEntry(frames));
      } catch {
        // A full or read-only disk costs a decode next time, never this result.
      }
    }
    return frames;
  }
}

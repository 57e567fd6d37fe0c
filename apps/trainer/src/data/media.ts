import path from 'node:path';
import { resolveMediaPath } from '@video-r1/datasets';
import { FrameCache, readImage, readVideo, type CachedFrames } from '@video-r1/video-io';
import type { VideoConfig } from '../config/types.js';
import type { Sample } from './dataset.js';

/**
 * The frames the policy sees for a sample, decoded once (memory + disk cache). Unreadable media
 * (missing, corrupt, escaping the data root) give `null` with one warning per file, and are counted:
 * the caller skips the sample, the run goes on.
 */
export class MediaSource {
  private readonly cache: FrameCache;
  private readonly warned = new Set<string>();
  /** Distinct samples whose media could not be read. */
  readonly failed = new Set<string>();

  constructor(
    private readonly dataRoot: string,
    video: VideoConfig,
    cacheDir: string | null,
    private readonly warn: (line: string) => void,
  ) {
    const outputSize = video.outputSize ?? undefined;
    this.cache = new FrameCache({
      dir: cacheDir,
      settings: { preset: 'video-r1-train', video },
      decode: async (file, kind) => {
        if (kind === 'image') {
          const image = await readImage(file, { preset: 'video-r1-train', ...(outputSize && { outputSize }) });
          return { data: image.data, frames: 1, height: image.height, width: image.width, indices: [0], sampleFps: null };
        }
        const clip = await readVideo(file, {
          preset: 'video-r1-train',
          fps: video.fps,
          minFrames: video.minFrames,
          maxFrames: video.frames,
          maxPixels: video.maxPixels,
          ...(outputSize && { outputSize }),
        });
        return { data: clip.data, frames: clip.frames, height: clip.height, width: clip.width, indices: clip.indices, sampleFps: clip.sampleFps };
      },
    });
  }

  get stats() {
    return this.cache.stats;
  }

  async frames(sample: Sample): Promise<CachedFrames | null> {
    const mediaPath = sample.record.path;
    try {
      const file = await resolveMediaPath(this.dataRoot, mediaPath);
      return await this.cache.get(file, sample.dataType);
    } catch (error) {
      this.failed.add(sample.id);
      if (!this.warned.has(mediaPath)) {
        this.warned.add(mediaPath);
        const reason = (error as Error).message.split('\n')[0];
        this.warn(`warning: skipping ${sample.id}: cannot read ${sample.dataType} ${path.join(this.dataRoot, mediaPath)}: ${reason}`);
      }
      return null;
    }
  }

  /** Decodes every sample's media ahead of training (`concurrency` at once), reporting progress. */
  async preload(samples: readonly Sample[], concurrency: number, onProgress: (done: number) => void): Promise<void> {
    let next = 0;
    let done = 0;
    const worker = async () => {
      while (next < samples.length) {
        const sample = samples[next++]!;
        await this.frames(sample);
        onProgress(++done);
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  }
}

import path from 'node:path';
import { resolveMediaPath } from '@video-r1/datasets';
import { FrameSource, type CachedFrames, type FrameRequest } from '@video-r1/video-io';
import type { VideoConfig } from '../config/types.js';
import type { Sample } from './dataset.js';

/** The trainer's `video` settings as the video-io request every stage reads frames with. */
export function trainerFrameRequest(video: VideoConfig): FrameRequest {
  return {
    preset: 'video-r1-train',
    fps: video.fps,
    minFrames: video.minFrames,
    maxFrames: video.frames,
    maxPixels: video.maxPixels,
    ...(video.outputSize && { outputSize: video.outputSize }),
  };
}

/**
 * The frames the policy sees for a sample, decoded once (memory + disk cache) by one video-io
 * `FrameSource`: SFT, RL, validation and the test evaluation read the same pixels, and the
 * checkpoints record the request so the evaluator reads them too. Unreadable media (missing,
 * corrupt, escaping the data root) give `null` with one warning per file, and are counted: the
 * caller skips the sample, the run goes on.
 */
export class MediaSource {
  readonly source: FrameSource;
  private readonly warned = new Set<string>();
  /** Distinct samples whose media could not be read. */
  readonly failed = new Set<string>();

  constructor(
    readonly dataRoot: string,
    video: VideoConfig,
    cacheDir: string | null,
    private readonly warn: (line: string) => void,
  ) {
    this.source = new FrameSource({ request: trainerFrameRequest(video), cacheDir });
  }

  get request(): FrameRequest {
    return this.source.request;
  }

  get stats() {
    return this.source.stats;
  }

  async frames(sample: Sample): Promise<CachedFrames | null> {
    const mediaPath = sample.record.path;
    try {
      const file = await resolveMediaPath(this.dataRoot, mediaPath);
      return await this.source.frames(file, sample.dataType);
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

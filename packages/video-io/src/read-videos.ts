import pLimit from 'p-limit';
import { readVideo, type ReadVideoOptions, type ReadVideoResult } from './read-video.js';
import { defaultDecodeThreads } from './threads.js';

export interface ReadVideosOptions {
  /**
   * ffmpeg processes at once (default 2). Unless `threads` is given, each gets an equal share
   * of the CPUs, so the pool does not oversubscribe the machine.
   */
  concurrency?: number;
  /** Called after each video finishes, successfully or not (in completion order). */
  onProgress?: (done: number, total: number, path: string) => void;
}

/**
 * `readVideo` over many files with a bounded pool of ffmpeg processes; results keep the input
 * order. The first failure aborts the reads still running or waiting and rejects once they
 * have stopped (no process is orphaned). `readVideosSettled` returns every outcome instead.
 */
export async function readVideos(
  paths: readonly string[],
  options: ReadVideoOptions = {},
  pool: ReadVideosOptions = {},
): Promise<ReadVideoResult[]> {
  const controller = new AbortController();
  const external = options.signal;
  const forward = (): void => controller.abort(external?.reason);
  if (external?.aborted) forward();
  external?.addEventListener('abort', forward, { once: true });
  let failure: { error: unknown } | undefined;
  try {
    const settled = await runPool(paths, { ...options, signal: controller.signal }, pool, (error) => {
      if (!failure) {
        failure = { error };
        controller.abort(error);
      }
    });
    if (failure) throw failure.error;
    return settled.map((outcome) => (outcome as PromiseFulfilledResult<ReadVideoResult>).value);
  } finally {
    external?.removeEventListener('abort', forward);
  }
}

/** Like `readVideos` but never rejects: one `PromiseSettledResult` per path, in input order. */
export function readVideosSettled(
  paths: readonly string[],
  options: ReadVideoOptions = {},
  pool: ReadVideosOptions = {},
): Promise<Array<PromiseSettledResult<ReadVideoResult>>> {
  return runPool(paths, options, pool, () => undefined);
}

function runPool(
  paths: readonly string[],
  options: ReadVideoOptions,
  pool: ReadVideosOptions,
  onFailure: (error: unknown) => void,
): Promise<Array<PromiseSettledResult<ReadVideoResult>>> {
  const concurrency = pool.concurrency ?? 2;
  if (!(Number.isInteger(concurrency) && concurrency >= 1)) {
    return Promise.reject(new RangeError(`readVideos: concurrency must be a positive integer, got ${concurrency}`));
  }
  const limit = pLimit(concurrency);
  // The pool already keeps `concurrency` processes busy: one decoder per read.
  const perRead = {
    ...options,
    threads: options.threads ?? defaultDecodeThreads(concurrency),
    decoders: options.decoders ?? (concurrency > 1 ? 1 : undefined),
  };
  let done = 0;
  return Promise.allSettled(
    paths.map((path) =>
      limit(async () => {
        try {
          return await readVideo(path, perRead);
        } catch (error) {
          onFailure(error);
          throw error;
        } finally {
          done++;
          pool.onProgress?.(done, paths.length, path);
        }
      }),
    ),
  );
}

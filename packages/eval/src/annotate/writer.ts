/**
 * Rewrites the output files now and then: at most once per `minIntervalMs`, and spending at most a
 * quarter of the wall time on it (a rewrite of Video-R1-260k's annotations takes seconds, and the
 * journal already keeps every finished sample). Requests made while a write runs coalesce.
 */
export interface ThrottledWriter {
  /** A new record exists: write soon. */
  request(): void;
  /** Write now (after a running write) and wait; rethrows the first failed write. */
  flush(): Promise<void>;
}

export function throttledWriter(write: () => Promise<void>, minIntervalMs: number): ThrottledWriter {
  let running: Promise<void> | null = null;
  let dirty = false;
  let lastStart = -Infinity;
  let lastDuration = 0;
  let timer: NodeJS.Timeout | null = null;
  let failure: unknown = null;

  const run = (): Promise<void> => {
    running ??= (async () => {
      dirty = false;
      lastStart = Date.now();
      try {
        await write();
      } catch (error) {
        failure ??= error;
      }
      lastDuration = Date.now() - lastStart;
      running = null;
      if (dirty) schedule();
    })();
    return running;
  };

  const cancelTimer = (): void => {
    if (timer) clearTimeout(timer);
    timer = null;
  };

  function schedule(): void {
    if (running || timer) return;
    const wait = lastStart + Math.max(minIntervalMs, 3 * lastDuration) - Date.now();
    if (wait <= 0) {
      void run();
      return;
    }
    timer = setTimeout(() => {
      timer = null;
      if (dirty) void run();
    }, wait);
    timer.unref();
  }

  return {
    request() {
      dirty = true;
      schedule();
    },
    async flush() {
      cancelTimer();
      while (running) await running;
      cancelTimer();
      dirty = true;
      await run();
      cancelTimer();
      if (failure) {
        const error = failure;
        failure = null;
        throw error;
      }
    },
  };
}

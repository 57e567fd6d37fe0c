/**
 * Per-request deadlines that fire whatever the garbage collector does.
 *
 * `AbortSignal.any([signal, AbortSignal.timeout(ms)])` is not enough on Node 20: nothing keeps the
 * timeout signal alive once only the combined signal refers to it, so a forced or ordinary GC can
 * collect it before it fires and the request then waits forever on a server that never answers.
 * Here the timer is ours, referenced by this call until the work settles, and cleared then.
 */

/** The reason a deadline aborts its work with (`name` is `TimeoutError`, as `AbortSignal.timeout`'s). */
export class DeadlineExceededError extends Error {
  override readonly name = 'TimeoutError';
  readonly timeoutMs: number;

  constructor(timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms`);
    this.timeoutMs = timeoutMs;
  }
}

/**
 * Runs `work` with a signal that aborts after `timeoutMs` or when `outer` aborts, and settles by
 * then even when `work` ignores its signal: with the outer signal's reason, or with a
 * `DeadlineExceededError`.
 */
export async function withDeadline<T>(timeoutMs: number, outer: AbortSignal | undefined, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  outer?.throwIfAborted();
  const controller = new AbortController();
  const aborted = new Promise<never>((_, reject) => {
    controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
  });
  // Without a handler the race's loser would be reported as unhandled when the deadline fires late.
  aborted.catch(() => undefined);
  const timer = setTimeout(() => controller.abort(new DeadlineExceededError(timeoutMs)), timeoutMs);
  const onOuterAbort = (): void => controller.abort(outer?.reason);
  outer?.addEventListener('abort', onOuterAbort, { once: true });
  try {
    return await Promise.race([work(controller.signal), aborted]);
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener('abort', onOuterAbort);
  }
}

/**
 * A long command's run with Ctrl-C / SIGTERM turned into an abort of its signal rather than the
 * process's end: the run saves what it finished on the way out (it writes as it goes), the user
 * is told how to continue, and the exit code is 130.
 */
export interface InterruptibleOptions {
  log: (line: string) => void;
  /** Logged on SIGINT / SIGTERM (how to continue). */
  note: string;
  /** Called on the signal and once more when the run ends (stops the progress display). */
  stop: () => void;
  /** Called last, whatever happened (closes the model). */
  close: () => Promise<void> | void;
}

/** `work`'s result, or `undefined` when a signal aborted it (then `process.exitCode` is 130). */
export async function runInterruptible<T>(options: InterruptibleOptions, work: (signal: AbortSignal) => Promise<T>): Promise<T | undefined> {
  const abort = new AbortController();
  const onSignal = (): void => {
    options.stop();
    options.log(options.note);
    abort.abort(new Error('interrupted'));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    return await work(abort.signal);
  } catch (error) {
    if (!abort.signal.aborted) throw error;
    process.exitCode = 130;
    return undefined;
  } finally {
    options.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await options.close();
  }
}

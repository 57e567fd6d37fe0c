/** What went wrong with a run directory; the trainer prints the message alone and exits 2. */
export type RunDirErrorCode = 'run-in-use' | 'run-not-found' | 'not-a-run' | 'run-exists';

export class RunDirError extends Error {
  override readonly name = 'RunDirError';
  constructor(
    readonly code: RunDirErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** A parity case the runner cannot answer; `code` says whether the case or the runner is at fault. */
export class CaseError extends Error {
  override readonly name = 'CaseError';
  constructor(
    readonly code: 'BAD_INPUT' | 'UNKNOWN_KIND',
    message: string,
  ) {
    super(message);
  }
}

/** Why an annotation run refused to start; `code` says which case, the message what to do. */
export type AnnotationErrorCode =
  /** The output directory already holds annotations and `resume` was not asked for. */
  | 'OUTPUT_EXISTS'
  /** The files in the output directory belong to another data file, model or `--samples`. */
  | 'RESUME_MISMATCH'
  /** An option is out of range. */
  | 'INVALID_OPTION';

export class AnnotationError extends Error {
  override readonly name = 'AnnotationError';
  constructor(
    readonly code: AnnotationErrorCode,
    message: string,
  ) {
    super(message);
  }
}

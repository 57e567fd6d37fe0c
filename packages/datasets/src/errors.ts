/** Why a record was rejected. */
export type IssueKind = 'syntax' | 'schema' | 'path' | 'size';

/** One rejected record: where it is and what to fix. */
export interface RecordIssue {
  file: string;
  /** 0-based position of the record in the file (array element or non-blank line). */
  index: number;
  /** 1-based line where the record starts, when known. */
  line?: number;
  /** JSON pointer of the offending field (`/problem_type`, `/options/2`), `''` for the whole record. */
  field: string;
  kind: IssueKind;
  message: string;
}

export function formatIssue(issue: RecordIssue): string {
  const where = issue.line !== undefined ? `record ${issue.index} (line ${issue.line})` : `record ${issue.index}`;
  const field = issue.field === '' ? '' : ` field ${issue.field}:`;
  return `${issue.file}: ${where}:${field} ${issue.message}`;
}

/** A record failed validation and `strict` mode was on. */
export class RecordError extends Error {
  override readonly name = 'RecordError';
  constructor(readonly issue: RecordIssue) {
    super(formatIssue(issue));
  }
}

/**
 * The file as a whole cannot be read as a dataset (not JSON, truncated, UTF-16, …).
 * Records already yielded were valid; how many follow is unknown, so this is never skipped.
 */
export class DatasetFormatError extends Error {
  override readonly name: string = 'DatasetFormatError';
  constructor(
    readonly file: string,
    message: string,
    readonly details: { byteOffset?: number; index?: number; line?: number } = {},
  ) {
    super(`${file}: ${message}`);
  }
}

/** Why a data file could not be opened: switch on `code`. */
export type DatasetFileErrorCode = 'not-found' | 'is-directory' | 'permission-denied' | 'unreadable';

/**
 * The data file cannot be opened at all (missing, a directory, no permission). A kind of
 * {@link DatasetFormatError} — the file as a whole is unusable — with a `code` to switch on.
 */
export class DatasetFileError extends DatasetFormatError {
  override readonly name: string = 'DatasetFileError';
  constructor(
    file: string,
    readonly code: DatasetFileErrorCode,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(file, message);
    if (options.cause !== undefined) this.cause = options.cause;
  }
}

/** A media path that resolves outside its data root, or is absolute. Never read. */
export class PathEscapeError extends Error {
  override readonly name = 'PathEscapeError';
  constructor(
    readonly path: string,
    readonly dataRoot: string,
    reason: string,
  ) {
    super(`path '${path}' ${reason} (data root ${dataRoot}); media paths must be relative to the data root, like './videos/clip.mp4'`);
  }
}

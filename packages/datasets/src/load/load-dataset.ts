import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { DatasetFileError, DatasetFormatError, RecordError, formatIssue, type IssueKind, type RecordIssue } from '../errors.js';
import { pathSyntaxProblem } from '../paths.js';
import { validateRecord } from '../schema.js';
import type { FileFormat, FileKind, VideoR1Record } from '../types.js';
import { JsonArraySplitter, JsonLinesSplitter, type RawRecord, type RecordSplitter } from './split.js';

export interface LoadProgress {
  bytesRead: number;
  totalBytes: number;
  records: number;
}

export interface LoadOptions {
  /** Which schema records must satisfy; `any` (default) is the minimum every consumer needs. */
  kind?: FileKind;
  /** Throw a {@link RecordError} on the first bad record instead of skipping it. */
  strict?: boolean;
  /** A single record larger than this is rejected (kind `size`) without being held in memory. Default 64 MiB. */
  maxRecordBytes?: number;
  /** How many issues the report keeps in full (all are counted). Default 1000. */
  maxIssues?: number;
  /** Called for every rejected record, as it happens. */
  onIssue?: (issue: RecordIssue) => void;
  /** Called after every chunk read (about every MiB). */
  onProgress?: (progress: LoadProgress) => void;
  /**
   * Where the summary line goes when records were skipped. Default: `console.warn`;
   * `false` to stay silent (the report still has every count).
   */
  log?: ((line: string) => void) | false;
  signal?: AbortSignal;
}

/** What a load found; complete once iteration has finished. */
export interface LoadReport {
  file: string;
  format: FileFormat | undefined;
  /** The file started with a UTF-8 byte-order mark (stripped). */
  bom: boolean;
  /** Records seen (valid + skipped). */
  total: number;
  valid: number;
  /** Records rejected and not yielded. Always reported, `0` included. */
  skipped: number;
  issues: RecordIssue[];
  /** Issues counted but not kept in `issues` (beyond `maxIssues`). */
  issuesOmitted: number;
  issueCounts: Record<IssueKind, number>;
  bytes: number;
  done: boolean;
}

/** An async iterable of validated records that also carries its {@link LoadReport}. */
export interface DatasetStream<T extends VideoR1Record = VideoR1Record> extends AsyncIterable<T> {
  readonly report: LoadReport;
  /**
   * 0-based position in the file (array element or non-blank line, skipped records counted) of
   * the record yielded last; -1 before the first. The numbering of every {@link RecordIssue}.
   */
  readonly position: number;
}

const UTF8_BOM = [0xef, 0xbb, 0xbf];

function sniff(file: string, head: Buffer): { format: FileFormat; bom: boolean; skip: number } | undefined {
  if (head.length >= 2 && ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff))) {
    throw new DatasetFormatError(file, 'the file is UTF-16 encoded; Video-R1 files are UTF-8 — convert it (e.g. `iconv -f UTF-16 -t UTF-8`)');
  }
  const bom = head.length >= 3 && head[0] === UTF8_BOM[0] && head[1] === UTF8_BOM[1] && head[2] === UTF8_BOM[2];
  let i = bom ? 3 : 0;
  while (i < head.length && (head[i] === 0x20 || head[i] === 0x0a || head[i] === 0x0d || head[i] === 0x09)) i++;
  if (i === head.length) return undefined;
  const b = head[i]!;
  if (b === 0x5b) return { format: 'json-array', bom, skip: bom ? 3 : 0 };
  if (b === 0x7b) return { format: 'jsonl', bom, skip: bom ? 3 : 0 };
  const shown = b >= 0x20 && b < 0x7f ? `'${String.fromCharCode(b)}'` : `byte 0x${b.toString(16)}`;
  throw new DatasetFormatError(file, `not a JSON array or JSON lines file: it starts with ${shown}; expected '[' or '{'`, { byteOffset: i });
}

function emptyReport(file: string): LoadReport {
  return {
    file,
    format: undefined,
    bom: false,
    total: 0,
    valid: 0,
    skipped: 0,
    issues: [],
    issuesOmitted: 0,
    issueCounts: { syntax: 0, schema: 0, path: 0, size: 0 },
    bytes: 0,
    done: false,
  };
}

/** One-line summary of a report, e.g. for logs. */
export function summarizeReport(r: LoadReport): string {
  const kinds = (Object.entries(r.issueCounts) as [IssueKind, number][])
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${n} ${k}`)
    .join(', ');
  return `${r.file}: ${r.valid} valid records, ${r.skipped} skipped${kinds === '' ? '' : ` (issues: ${kinds})`}${r.format === undefined ? '' : ` [${r.format}${r.bom ? ', BOM' : ''}]`}`;
}

/**
 * Stream the records of a Video-R1 data file (JSON array or JSON lines, picked from the
 * content; a UTF-8 BOM and CRLF line ends are accepted). Records are validated against the
 * schema of `opts.kind`; bad ones are skipped and reported (or thrown, with `strict`).
 * Memory stays bounded by the largest record, not the file.
 */
export function loadDataset<T extends VideoR1Record = VideoR1Record>(file: string, opts: LoadOptions = {}): DatasetStream<T> {
  const report = emptyReport(file);
  const cursor = { position: -1 };
  let started = false;
  return {
    report,
    get position() {
      return cursor.position;
    },
    [Symbol.asyncIterator](): AsyncIterator<T> {
      if (started) throw new Error(`loadDataset(${file}): a dataset stream can be iterated only once; call loadDataset again`);
      started = true;
      return iterate<T>(file, opts, report, cursor)[Symbol.asyncIterator]();
    },
  };
}

/** The size of `file`, or a {@link DatasetFileError} saying why it cannot be read. */
async function dataFileSize(file: string): Promise<number> {
  let info;
  try {
    info = await stat(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new DatasetFileError(file, 'not-found', 'no such file; check the path', { cause: error });
    if (code === 'EACCES' || code === 'EPERM') throw new DatasetFileError(file, 'permission-denied', 'permission denied; the data file must be readable', { cause: error });
    throw new DatasetFileError(file, 'unreadable', `cannot be read: ${(error as Error).message}`, { cause: error });
  }
  if (info.isDirectory()) throw new DatasetFileError(file, 'is-directory', 'is a directory; pass the JSON or JSON-lines file inside it');
  return info.size;
}

async function* iterate<T extends VideoR1Record>(file: string, opts: LoadOptions, report: LoadReport, cursor: { position: number }): AsyncGenerator<T> {
  const kind = opts.kind ?? 'any';
  const maxRecordBytes = opts.maxRecordBytes ?? 64 * 1024 * 1024;
  const maxIssues = opts.maxIssues ?? 1000;
  const totalBytes = await dataFileSize(file);

  const reject = (raw: RawRecord, field: string, issueKind: IssueKind, message: string): void => {
    const issue: RecordIssue = { file, index: raw.index, line: raw.line, field, kind: issueKind, message };
    if (opts.strict) throw new RecordError(issue);
    report.issueCounts[issueKind]++;
    if (report.issues.length < maxIssues) report.issues.push(issue);
    else report.issuesOmitted++;
    opts.onIssue?.(issue);
  };

  const accept = (raw: RawRecord): T | undefined => {
    report.total++;
    if (raw.text === undefined) {
      reject(raw, '', 'size', `the record is ${raw.byteLength} bytes, more than maxRecordBytes (${maxRecordBytes}); raise maxRecordBytes if it is genuine`);
      report.skipped++;
      return undefined;
    }
    let value: unknown;
    try {
      value = JSON.parse(raw.text);
    } catch (err) {
      // The last line, with no line end, cut inside a value: the file ends early, like a truncated array.
      if (raw.unterminated && endsInsideValue(raw.text)) {
        throw new DatasetFormatError(
          file,
          `truncated JSON lines: the file ends inside record ${raw.index} (line ${raw.line}, byte ${raw.byteOffset}) after ${raw.index} complete records; the file is probably an incomplete download — fetch it again`,
          { byteOffset: raw.byteOffset, index: raw.index, line: raw.line },
        );
      }
      const hint = report.format === 'jsonl' && raw.index === 0 && !raw.text.trimEnd().endsWith('}')
        ? ' (a pretty-printed JSON object spread over lines is not JSON lines: write one record per line, or a JSON array)'
        : '';
      reject(raw, '', 'syntax', `invalid JSON: ${(err as Error).message}${hint}`);
      report.skipped++;
      return undefined;
    }
    const problems = validateRecord(value, kind);
    if (problems.length === 0) {
      const pathProblem = pathSyntaxProblem((value as VideoR1Record).path);
      if (pathProblem === undefined) {
        report.valid++;
        return value as T;
      }
      reject(raw, '/path', 'path', `'${(value as VideoR1Record).path}' ${pathProblem}; it will never be read — media paths must be relative to the data root, like './videos/clip.mp4'`);
    } else {
      for (const p of problems) reject(raw, p.field, 'schema', p.message);
    }
    report.skipped++;
    return undefined;
  };

  const stream = createReadStream(file, { highWaterMark: 1 << 20, signal: opts.signal });
  let splitter: RecordSplitter | undefined;
  let head: Buffer | undefined;
  const batch: RawRecord[] = [];
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      report.bytes += chunk.length;
      let data = chunk;
      if (splitter === undefined) {
        head = head === undefined ? chunk : Buffer.concat([head, chunk]);
        const sniffed = sniff(file, head);
        if (sniffed === undefined) continue; // only whitespace so far
        report.format = sniffed.format;
        report.bom = sniffed.bom;
        splitter = sniffed.format === 'json-array'
          ? new JsonArraySplitter(file, maxRecordBytes, sniffed.skip)
          : new JsonLinesSplitter(maxRecordBytes, sniffed.skip);
        data = head.subarray(sniffed.skip);
        head = undefined;
      }
      splitter.push(data, batch);
      for (const raw of batch) {
        const rec = accept(raw);
        if (rec !== undefined) {
          cursor.position = raw.index;
          yield rec;
        }
      }
      batch.length = 0;
      opts.onProgress?.({ bytesRead: report.bytes, totalBytes, records: report.total });
    }
    if (splitter === undefined) throw new DatasetFormatError(file, 'the file is empty; expected a JSON array or JSON lines');
    splitter.end(batch);
    for (const raw of batch) {
      const rec = accept(raw);
      if (rec !== undefined) {
        cursor.position = raw.index;
        yield rec;
      }
    }
    batch.length = 0;
    report.done = true;
    const log = opts.log === undefined ? (line: string) => console.warn(line) : opts.log;
    if (report.skipped > 0 && log !== false) {
      const first = report.issues[0];
      log(`${summarizeReport(report)}${first === undefined ? '' : `; first: ${formatIssue(first)}`}`);
    }
  } finally {
    stream.destroy();
  }
}

/** Whether JSON text stops inside a string, object or array (strings and escapes respected). */
function endsInsideValue(text: string): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) depth++;
    else if (c === 0x7d || c === 0x5d) depth--;
  }
  return inString || depth > 0;
}

/** Read a whole file into memory (for small files and tests): records plus the report. */
export async function readDataset<T extends VideoR1Record = VideoR1Record>(
  file: string,
  opts: LoadOptions = {},
): Promise<{ records: T[]; report: LoadReport }> {
  const stream = loadDataset<T>(file, opts);
  const records: T[] = [];
  for await (const r of stream) records.push(r);
  return { records, report: stream.report };
}

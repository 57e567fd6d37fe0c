/**
 * The files of an annotation directory. `cot_results.json` is generate_cot_vllm.py's output
 * (`{"results": [...]}`; the `annotation` key next to it is ours, and Python readers that take
 * `["results"]` ignore it); `cot_sft.json` the SFT set in Video-R1-COT format (a JSON array);
 * `cot_summary.json` the summary. All three are replaced atomically.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { writeJsonAtomic } from '@video-r1/cli-kit';
import { readJsonFile } from '../json-file.js';
import type { AnnotatedRecord } from './record.js';
import { isSftRecord, sftRecord } from './record.js';
import { writeJsonArrayAtomic } from './stream-json.js';
import type { AnnotationSummary } from './summary.js';

export const COT_RESULTS_FILE = 'cot_results.json';
export const COT_SFT_FILE = 'cot_sft.json';
export const COT_SUMMARY_FILE = 'cot_summary.json';
/** Hidden: only resume reads it, and it is deleted once the files above hold everything. */
export const COT_JOURNAL_FILE = '.cot_journal.jsonl';

/** What produced a results file; compared on resume. */
export interface AnnotationInfo {
  tool: string;
  /** Name of the model (the served model, or the checkpoint). */
  model: string;
  /** Chains drawn per sample (`--samples`). */
  samples_per_question: number;
  prompt_template: 'cot';
  select_threshold: number;
  /** Samples in the data file. */
  samples: number;
  /** Every sample has an annotation and none failed. */
  complete: boolean;
  started_at: string;
  updated_at: string;
  [extra: string]: unknown;
}

export interface AnnotationPaths {
  results: string;
  sft: string;
  summary: string;
  journal: string;
}

export function annotationPaths(outDir: string): AnnotationPaths {
  return { results: join(outDir, COT_RESULTS_FILE), sft: join(outDir, COT_SFT_FILE), summary: join(outDir, COT_SUMMARY_FILE), journal: join(outDir, COT_JOURNAL_FILE) };
}

/** Above this size a results file is read record by record (V8 strings stop near 512 MiB). */
export const STREAMED_READ_BYTES = 128 * 1024 * 1024;

/**
 * Reads `cot_results.json` (ours, or the script's own `{"results": [...]}`); names the file in
 * every error. Large files are read line by line: both writers indent by two spaces, so each
 * record spans the lines from `    {` to `    }` (JSON escapes every newline inside strings).
 */
export async function readAnnotationFile(path: string, options: { streamAboveBytes?: number } = {}): Promise<{ results: AnnotatedRecord[]; annotation?: AnnotationInfo }> {
  const size = (await stat(path)).size;
  const body = size > (options.streamAboveBytes ?? STREAMED_READ_BYTES) ? await readIndentedResults(path) : await readJsonFile(path);
  const results = (body as { results?: unknown } | null)?.results;
  if (!Array.isArray(results)) throw new Error(`${path} has no "results" array; it is not an annotation file (move it away or use another --out)`);
  results.forEach((r, i) => {
    if (r === null || typeof r !== 'object' || Array.isArray(r)) throw new Error(`${path}: results[${i}] is not an object; fix or move the file away`);
  });
  const annotation = (body as { annotation?: AnnotationInfo }).annotation;
  return annotation && typeof annotation === 'object' ? { results: results as AnnotatedRecord[], annotation } : { results: results as AnnotatedRecord[] };
}

async function readIndentedResults(path: string): Promise<{ results: unknown[]; annotation?: unknown }> {
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  const results: unknown[] = [];
  let record: string[] | null = null;
  let section: 'before' | 'results' | 'after' = 'before';
  const after: string[] = [];
  let lineNo = 0;
  for await (const line of lines) {
    lineNo++;
    if (section === 'before') {
      if (line === '  "results": [' || line === '  "results": []' || line === '  "results": [],') section = line.endsWith('[') ? 'results' : 'after';
      else if (line !== '{') throw new Error(`${path}: line ${lineNo}: expected "results" as the first key of an indented file; rewrite it with indent=2 or move it away`);
      continue;
    }
    if (section === 'results') {
      if (record === null) {
        if (line === '    {') record = [line];
        else if (line === '  ]' || line === '  ],') section = 'after';
        else if (line === '    {}' || line === '    {},') results.push({});
        else throw new Error(`${path}: line ${lineNo}: expected a record to start with "    {"; the file is not indented as written`);
      } else {
        record.push(line);
        if (line === '    }' || line === '    },') {
          const text = record.join('\n').replace(/,$/, '');
          try {
            results.push(JSON.parse(text));
          } catch (error) {
            throw new Error(`${path}: the record ending at line ${lineNo} is not JSON (${(error as Error).message}); fix or move the file away`);
          }
          record = null;
        }
      }
      continue;
    }
    after.push(line);
  }
  if (section !== 'after') throw new Error(`${path}: the file ends inside "results" (line ${lineNo}); it is truncated — move it away`);
  // What follows the array ("annotation": {...}) is small: parse it as the rest of an object.
  const tail = after.join('\n').trim().replace(/^,/, '');
  const rest = tail === '}' || tail === '' ? {} : (JSON.parse(`{${tail}`) as Record<string, unknown>);
  return { ...rest, results };
}

/** Writes the three files; the SFT file first, so that a results file never lists selections the SFT file lacks. */
export async function writeAnnotationFiles(paths: AnnotationPaths, records: readonly AnnotatedRecord[], info: AnnotationInfo, summary: AnnotationSummary): Promise<void> {
  await writeJsonArrayAtomic(paths.sft, sftRecords(records));
  await writeJsonAtomic(paths.summary, { annotation: info, summary });
  await writeJsonArrayAtomic(paths.results, records, 'results', { annotation: info });
}

function* sftRecords(records: readonly AnnotatedRecord[]): Generator<unknown> {
  for (const r of records) if (isSftRecord(r)) yield sftRecord(r);
}

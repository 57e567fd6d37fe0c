/**
 * The `video-r1-rewards` command: score saved model outputs offline, one JSON line in, one
 * JSON line out (see USAGE). Kept apart from the bin entry so tests can run it in-process.
 */
import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { explainAccuracy, scoreAccuracy } from '../accuracy.js';
import { formatRewardUnchecked } from '../format.js';
import { packageVersion } from './version.js';

const USAGE = `Usage: video-r1-rewards score [options] [input.jsonl]

Scores JSON lines (stdin when no file is given) with Video-R1's accuracy and format rewards
and writes one JSON object per input line to stdout.

Input fields, per line (a JSON object):
  problemType | problem_type   one of: multiple choice, numerical, OCR, free-form, regression
  completion  | output         the model's output (answer inside <answer>...</answer>)
  solution                     the ground truth, wrapped in <answer>...</answer>
  id                           optional; copied to the output

Output fields: line, id, problemType, accuracy, format[, explanation] — or line, error.

Options:
  --explain    add the extracted answers, parsed numbers and the rule that applied
  -h, --help   show this help
  --version    print the version of @video-r1/rewards

Exit status: 0 when every line was scored, 1 when some lines had errors, 2 on usage errors.
`;

export interface CliIo {
  readonly stdin: Readable;
  readonly stdout: Writable;
  readonly stderr: Writable;
}

/** Runs the CLI with `argv` (without node and script); resolves to the exit status. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        explain: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
        version: { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    io.stderr.write(`video-r1-rewards: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout.write(USAGE);
    return 0;
  }
  if (values.version) {
    io.stdout.write(`${packageVersion()}\n`);
    return 0;
  }
  const [command, file, ...extra] = positionals;
  if (command !== 'score' || extra.length > 0) {
    io.stderr.write(
      `video-r1-rewards: ${command === undefined ? 'missing command' : command !== 'score' ? `unknown command "${command}"` : `unexpected argument "${extra[0] ?? ''}"`}\n\n${USAGE}`,
    );
    return 2;
  }
  if (file !== undefined) {
    try {
      await access(file);
    } catch (error) {
      io.stderr.write(`video-r1-rewards: cannot read ${file}: ${(error as Error).message}\n`);
      return 2;
    }
  }
  const input = file === undefined ? io.stdin : createReadStream(file);
  const summary = await scoreStream(input, io.stdout, { explain: values.explain === true });
  io.stderr.write(
    `video-r1-rewards: scored ${summary.scored} line(s)${summary.failed > 0 ? `, ${summary.failed} with errors` : ''}${file === undefined ? '' : ` from ${file}`}\n`,
  );
  return summary.failed > 0 ? 1 : 0;
}

export interface ScoreSummary {
  readonly scored: number;
  readonly failed: number;
}

/** Scores every JSON line of `input` into `output`; a bad line yields an error record. */
export async function scoreStream(
  input: Readable,
  output: Writable,
  options: { explain: boolean },
): Promise<ScoreSummary> {
  let scored = 0;
  let failed = 0;
  let lineNumber = 0;
  const lines = createInterface({ input, crlfDelay: Infinity });
  try {
    for await (const line of lines) {
      lineNumber++;
      if (line.trim() === '') continue;
      const record = scoreLine(line, lineNumber, options.explain);
      if ('error' in record) failed++;
      else scored++;
      if (!output.write(`${JSON.stringify(record)}\n`)) {
        await new Promise<void>((resolve) => output.once('drain', () => resolve()));
      }
    }
  } catch (error) {
    // Unreadable input (missing file, I/O error): report it as a record and stop.
    failed++;
    output.write(`${JSON.stringify({ line: lineNumber, error: `cannot read input: ${(error as Error).message}` })}\n`);
  }
  return { scored, failed };
}

type OutputRecord =
  | { line: number; id?: unknown; problemType: string; accuracy: number; format: number; explanation?: unknown }
  | { line: number; id?: unknown; error: string };

function scoreLine(line: string, lineNumber: number, explain: boolean): OutputRecord {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    return { line: lineNumber, error: `invalid JSON: ${(error as Error).message}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { line: lineNumber, error: 'expected a JSON object' };
  }
  const record = value as Record<string, unknown>;
  const id = record.id;
  const withId = id === undefined ? {} : { id };
  const fields = pickFields(record);
  if (typeof fields === 'string') return { line: lineNumber, ...withId, error: fields };
  const { problemType, completion, solution } = fields;
  const accuracy = scoreAccuracy(problemType, completion, solution);
  const format = formatRewardUnchecked(completion);
  return {
    line: lineNumber,
    ...withId,
    problemType,
    accuracy,
    format,
    ...(explain ? { explanation: explainAccuracy({ problemType, completion, solution }) } : {}),
  };
}

function pickFields(record: Record<string, unknown>): { problemType: string; completion: string; solution: string } | string {
  const problemType = record.problemType ?? record.problem_type;
  const completion = record.completion ?? record.output;
  const solution = record.solution;
  const problems: string[] = [];
  if (typeof problemType !== 'string') problems.push(describeField('problemType (or problem_type)', problemType));
  if (typeof completion !== 'string') problems.push(describeField('completion (or output)', completion));
  if (typeof solution !== 'string') problems.push(describeField('solution', solution));
  if (problems.length > 0) return problems.join('; ');
  return { problemType: problemType as string, completion: completion as string, solution: solution as string };
}

function describeField(name: string, value: unknown): string {
  return value === undefined ? `missing string field ${name}` : `field ${name} must be a string, got ${value === null ? 'null' : typeof value}`;
}

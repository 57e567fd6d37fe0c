import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/run.js';

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

async function run(argv: string[], input: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  stdin.end(input);
  const code = await runCli(argv, { stdin, stdout, stderr });
  return { code, stdout: out, stderr: err };
}

const lines = [
  { id: 'a', problemType: 'multiple choice', completion: '<think>x</think><answer>B</answer>', solution: '<answer>B</answer>' },
  { id: 'b', problem_type: 'numerical', output: '<answer>3.14</answer>', solution: '<answer>3.14159</answer>' },
  'not json',
  { problemType: 'OCR', completion: 7, solution: '<answer>x</answer>' },
  '',
  { id: 'e', problemType: 'free-form', completion: '<answer>the dogs run</answer>', solution: '<answer>the dog runs</answer>' },
];
const input = lines.map((line) => (typeof line === 'string' ? line : JSON.stringify(line))).join('\n');

describe('video-r1-rewards score', () => {
  it('scores every line, keeps going past bad lines, and exits 1 when some failed', async () => {
    const { code, stdout, stderr } = await run(['score'], input);
    expect(code).toBe(1);
    const records = stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records).toEqual([
      { line: 1, id: 'a', problemType: 'multiple choice', accuracy: 1, format: 1 },
      { line: 2, id: 'b', problemType: 'numerical', accuracy: 1, format: 0 },
      { line: 3, error: expect.stringContaining('invalid JSON') },
      { line: 4, error: 'field completion (or output) must be a string, got number' },
      { line: 6, id: 'e', problemType: 'free-form', accuracy: 1, format: 0 },
    ]);
    expect(stderr).toContain('scored 3 line(s), 2 with errors');
  });

  it('--version prints the version of the package.json beside the sources', async () => {
    const { code, stdout } = await run(['--version'], '');
    expect(code).toBe(0);
    const manifest = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string };
    expect(stdout).toBe(`${manifest.version}\n`);
  });

  it('--explain adds the explanation; a clean file exits 0', async () => {
    const { code, stdout } = await run(['score', '--explain'], JSON.stringify(lines[0]));
    expect(code).toBe(0);
    const record = JSON.parse(stdout) as { explanation: { rule: string; outputAnswer: string } };
    expect(record.explanation).toMatchObject({ rule: 'multiple-choice-exact', outputAnswer: 'B' });
  });

  it('reads a file argument and reports usage errors with status 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rewards-cli-'));
    const file = join(dir, 'in.jsonl');
    writeFileSync(file, `${JSON.stringify(lines[0])}\n`);
    expect((await run(['score', file], '')).code).toBe(0);
    expect((await run(['score', join(dir, 'missing.jsonl')], '')).code).toBe(2);
    expect((await run(['rank'], '')).code).toBe(2);
    expect((await run([], '')).stderr).toContain('Usage: video-r1-rewards score');
    expect((await run(['--help'], '')).stdout).toContain('Usage: video-r1-rewards score');
  });

  it('runs as a process through the bin entry', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', join(packageRoot, 'src/cli.ts'), 'score'], {
      cwd: packageRoot,
      input: `${JSON.stringify(lines[0])}\n`,
      encoding: 'utf8',
    });
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ line: 1, id: 'a', problemType: 'multiple choice', accuracy: 1, format: 1 });
  });
});

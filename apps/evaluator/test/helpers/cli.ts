/**
 * What the command-line tests share: the evaluator run as a real child process (from its app
 * directory, with INIT_CWD where the user "typed" the command), and a tiny multiple-choice
 * benchmark file whose media an endpoint receives undecoded (`--media video_url`).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const APP_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Starts `tsx src/main.ts <args>` with INIT_CWD `cwd` and `env` added to this process's environment. */
export function startCli(args: readonly string[], cwd: string, env: Record<string, string> = {}): { child: ChildProcess; done: Promise<CliResult> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], { cwd: APP_DIR, env: { ...process.env, INIT_CWD: cwd, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const done = new Promise<CliResult>((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
  return { child, done };
}

export function runCli(args: readonly string[], cwd: string, env: Record<string, string> = {}): Promise<CliResult> {
  return startCli(args, cwd, env).done;
}

/** `eval_mvbench.json` (six multiple-choice questions, answer B) and the stand-in `clip.mp4` they all name, in `dir`. */
export async function writeMcqBenchmark(dir: string): Promise<void> {
  const samples = Array.from({ length: 6 }, (_, i) => ({
    problem_id: i,
    problem: `Q${i}: which one?`,
    data_type: 'video',
    problem_type: 'multiple choice',
    options: ['A. x', 'B. y', 'C. z', 'D. w'],
    solution: '<answer>B</answer>',
    path: './clip.mp4',
  }));
  await writeFile(join(dir, 'eval_mvbench.json'), JSON.stringify(samples));
  await writeFile(join(dir, 'clip.mp4'), 'stand-in bytes: --media video_url sends the file without decoding it');
}

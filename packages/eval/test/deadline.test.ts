import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DeadlineExceededError, withDeadline } from '../src/deadline.js';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');

function runChild(env: Record<string, string>): Promise<{ code: number | null; line: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', 'test/helpers/never-answering-child.ts'], { cwd: packageDir, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('exit', (code) => resolve({ code, line: stdout.trim().split('\n').at(-1) ?? '', stderr }));
  });
}

describe('request deadlines', () => {
  it('end every request to a server that never answers by its deadline, under forced garbage collection', { timeout: 30_000 }, async () => {
    // 4 samples, 2 at a time, 2 attempts each of 200 ms: about 800 ms when every deadline fires.
    const { code, line, stderr } = await runChild({ EVAL_TIMEOUT_MS: '200', EVAL_WATCHDOG_MS: '10000' });
    expect(code, `${line}\n${stderr}`).toBe(0);
    const outcome = JSON.parse(line) as { hung: boolean; elapsedMs: number; accepted: number; errors: (string | null)[]; attempts: (number | null)[] };
    expect(outcome.hung).toBe(false);
    expect(outcome.errors).toEqual(['timeout', 'timeout', 'timeout', 'timeout']);
    expect(outcome.attempts).toEqual([2, 2, 2, 2]);
    // The server saw the requests (how many of the last ones it parsed before the end depends on load).
    expect(outcome.accepted).toBeGreaterThanOrEqual(4);
    expect(outcome.elapsedMs).toBeGreaterThanOrEqual(800);
    expect(outcome.elapsedMs).toBeLessThan(5000);
  });

  it('settle work that ignores its signal, and pass the caller’s abort reason through', async () => {
    const never = (): Promise<never> => new Promise<never>(() => undefined);
    const t0 = Date.now();
    await expect(withDeadline(30, undefined, never)).rejects.toBeInstanceOf(DeadlineExceededError);
    expect(Date.now() - t0).toBeLessThan(1000);

    const caller = new AbortController();
    const pending = withDeadline(60_000, caller.signal, never);
    caller.abort(new Error('interrupted'));
    await expect(pending).rejects.toThrow('interrupted');

    await expect(withDeadline(1000, undefined, async (signal) => (signal.aborted ? 'aborted' : 'done'))).resolves.toBe('done');
  });
});

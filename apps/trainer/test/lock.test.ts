// The run lock and what a killed process leaves behind: liveness checked properly (a zombie pid,
// a recycled pid, another host), refusals as one line with exit status 2, half-written
// checkpoints cleaned (or restored) when a run starts or resumes.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { presetConfig } from '../src/config/presets.js';
import { RunDirError } from '../src/run/errors.js';
import { currentOwner, holderLiveness, lockRun, readLockOwner } from '../src/run/lock.js';
import { resolveRunToResume } from '../src/run/resume.js';
import { runPaths, type RunPaths } from '../src/run/run-dir.js';
import { cleanStaleTemporaries } from '../src/run/stale-temps.js';
import { startTrainer, tempDir, waitFor } from './helpers.js';

function runDir(name: string): RunPaths {
  const out = tempDir('lock');
  const paths = runPaths(path.join(out, name));
  mkdirSync(paths.checkpoints, { recursive: true });
  writeFileSync(paths.config, JSON.stringify({ ...presetConfig('smoke'), out, runId: name }, null, 2));
  return paths;
}

function startTicks(pid: number): number {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(text.slice(text.lastIndexOf(')') + 2).split(' ')[19]);
}

/**
 * A process that is dead but not reaped: `sh` starts `sleep 1` in the background and replaces
 * itself with `sleep 30`, which never waits for children — so the finished `sleep 1` stays a
 * zombie for as long as the parent lives. The child must outlive the `exec`: one that ends
 * while `sh` still runs can be reaped by the shell (it was, on a loaded machine, with `sleep 0`).
 */
async function zombie(): Promise<{ pid: number; parent: { kill(): void } }> {
  const parent = spawn('sh', ['-c', 'sleep 1 & echo $!; exec sleep 30'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const pid = await new Promise<number>((resolve) => parent.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))));
  await waitFor(() => {
    try {
      return readFileSync(`/proc/${pid}/stat`, 'utf8').slice(readFileSync(`/proc/${pid}/stat`, 'utf8').lastIndexOf(')') + 2).startsWith('Z');
    } catch {
      return false;
    }
  }, 20_000, 'the zombie');
  return { pid, parent: { kill: () => parent.kill('SIGKILL') } };
}

const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((c) => c()));

describe('run lock', () => {
  it('takes over the lock of a killed process whose pid is not reaped yet (zombie)', async () => {
    const { pid, parent } = await zombie();
    cleanups.push(parent.kill);
    // kill(pid, 0) still succeeds on a zombie: the check the old lock relied on.
    expect(() => process.kill(pid, 0)).not.toThrow();
    const paths = runDir('zombie');
    writeFileSync(paths.lock, JSON.stringify({ pid, host: hostname(), startTicks: startTicks(pid), since: '2025-01-01T00:00:00.000Z' }));
    const log: string[] = [];
    const release = lockRun(paths, (line) => log.push(line));
    expect(readLockOwner(paths.lock)).toMatchObject({ pid: process.pid, host: hostname(), startTicks: currentOwner().startTicks });
    expect(log).toEqual([`taking over the lock of process ${pid} on ${hostname()} (since 2025-01-01T00:00:00.000Z), which is no longer running`]);
    release();
    expect(existsSync(paths.lock)).toBe(false);
  });

  it('refuses a live holder, naming it; takes over a recycled pid and a pid-only lock of a dead process', () => {
    const paths = runDir('live');
    const live = { pid: process.ppid, host: hostname(), startTicks: startTicks(process.ppid), since: '2025-01-01T00:00:00.000Z' };
    writeFileSync(paths.lock, JSON.stringify(live));
    let refusal: unknown;
    try {
      lockRun(paths);
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(RunDirError);
    expect((refusal as RunDirError).code).toBe('run-in-use');
    expect((refusal as RunDirError).message).toBe(
      `run ${paths.root} is in use by process ${process.ppid} on ${hostname()} (since 2025-01-01T00:00:00.000Z); wait for it to finish or stop it (kill ${process.ppid}), then resume`,
    );

    expect(holderLiveness({ ...live, startTicks: live.startTicks + 1 })).toBe('dead'); // same pid, another process
    writeFileSync(paths.lock, JSON.stringify({ ...live, startTicks: live.startTicks + 1 }));
    lockRun(paths)();
    writeFileSync(paths.lock, '999999999\n'); // written by an older trainer
    lockRun(paths)();
    writeFileSync(paths.lock, JSON.stringify({ ...live, host: 'elsewhere' }));
    expect(() => lockRun(paths)).toThrow(`locked by process ${process.ppid} on elsewhere (since 2025-01-01T00:00:00.000Z), which this host cannot check`);
  });
});

describe('leftovers of an interrupted write', () => {
  it('removes half-written checkpoints and files, and restores a checkpoint moved aside for replacement', () => {
    const paths = runDir('leftovers');
    const dir = (name: string): string => path.join(paths.checkpoints, name);
    mkdirSync(dir('rl-000004'));
    writeFileSync(path.join(dir('rl-000004'), 'manifest.json'), '{}');
    mkdirSync(dir('.rl-000006.tmp-4242-0a1b2c3d')); // killed while writing rl-000006
    writeFileSync(path.join(dir('.rl-000006.tmp-4242-0a1b2c3d'), 'weights.bin'), 'partial');
    mkdirSync(dir('.final.old-4242-99aa88bb')); // killed between moving final aside and moving the new one in
    writeFileSync(path.join(dir('.final.old-4242-99aa88bb'), 'manifest.json'), '{"previous":true}');
    mkdirSync(dir('.rl-000004.old-4242-11223344')); // its replacement is in place: the old copy is garbage
    writeFileSync(path.join(paths.root, '.eval.json.tmp-4242-deadbeef'), 'partial');

    const done = cleanStaleTemporaries(paths);
    expect(done.sort()).toEqual(
      [
        'removed .eval.json.tmp-4242-deadbeef, left by an interrupted write',
        'removed checkpoints/.rl-000006.tmp-4242-0a1b2c3d, left by an interrupted write',
        'removed checkpoints/.rl-000004.old-4242-11223344, left by an interrupted write',
        'restored checkpoints/final from an interrupted replacement',
      ].sort(),
    );
    expect(readdirSync(paths.checkpoints).sort()).toEqual(['final', 'rl-000004']);
    expect(readFileSync(path.join(dir('final'), 'manifest.json'), 'utf8')).toBe('{"previous":true}');
    expect(readdirSync(paths.root).filter((n) => n.startsWith('.'))).toEqual([]);
  });
});

describe('the command line', () => {
  it('--resume of a missing directory: one line, exit 2', async () => {
    const missing = path.join(tempDir('missing'), 'no-such-run');
    expect(() => resolveRunToResume(missing, path.dirname(missing))).toThrow(RunDirError);
    const { code, stderr } = await startTrainer(['--resume', missing]).done;
    expect(code).toBe(2);
    expect(stderr).toBe(`trainer: --resume ${missing}: ${missing} does not exist; pass a run directory (runs/<id>) or latest\n`);
  }, 60_000);

  it('a run in use by a live process: one line naming it, exit 2', async () => {
    const paths = runDir('busy');
    writeFileSync(paths.lock, JSON.stringify({ pid: process.pid, host: hostname(), startTicks: startTicks(process.pid), since: '2025-01-01T00:00:00.000Z' }));
    const { code, stderr } = await startTrainer(['--resume', paths.root]).done;
    expect(code).toBe(2);
    expect(stderr).toBe(`trainer: run ${paths.root} is in use by process ${process.pid} on ${hostname()} (since 2025-01-01T00:00:00.000Z); wait for it to finish or stop it (kill ${process.pid}), then resume\n`);
  }, 60_000);
});

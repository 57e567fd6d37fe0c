/**
 * One trainer process per run directory. The lock file records who holds it — pid, the process's
 * start time (so a recycled pid is not mistaken for the holder) and the host — and a lock whose
 * holder is gone is taken over. "Gone" is checked properly: `kill(pid, 0)` failing with ESRCH, a
 * zombie (killed but not yet reaped by its parent: `/proc/<pid>/stat` state Z), or a live process
 * that started at another time than the holder did.
 */
import { readFileSync, renameSync, rmSync, writeFileSync, linkSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { RunDirError } from './errors.js';
import type { RunPaths } from './run-dir.js';

export interface LockOwner {
  pid: number;
  host: string;
  /** Field 22 of `/proc/<pid>/stat` (clock ticks after boot); null where there is no /proc. */
  startTicks: number | null;
  /** When the lock was taken (ISO time). */
  since: string;
}

interface ProcStat {
  state: string;
  startTicks: number;
}

/** State and start time of a process from `/proc/<pid>/stat`, or null (no such process, or no /proc). */
function procStat(pid: number): ProcStat | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // "pid (comm) state ppid …": comm may hold spaces and parentheses, so split after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const startTicks = Number(fields[19]);
  return { state: fields[0] ?? '', startTicks: Number.isFinite(startTicks) ? startTicks : NaN };
}

export function currentOwner(): LockOwner {
  return { pid: process.pid, host: hostname(), startTicks: procStat(process.pid)?.startTicks ?? null, since: new Date().toISOString() };
}

/** Reads a lock file: JSON as written here, or the bare pid older trainers wrote. */
export function readLockOwner(file: string): LockOwner | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch {
    return null;
  }
  if (/^\d+$/.test(text)) return { pid: Number(text), host: hostname(), startTicks: null, since: '' };
  try {
    const value = JSON.parse(text) as Partial<LockOwner>;
    if (typeof value.pid === 'number' && Number.isInteger(value.pid) && value.pid > 0) {
      return { pid: value.pid, host: typeof value.host === 'string' ? value.host : hostname(), startTicks: typeof value.startTicks === 'number' ? value.startTicks : null, since: typeof value.since === 'string' ? value.since : '' };
    }
  } catch {
    // unreadable: nobody can be holding it in a way we could respect
  }
  return null;
}

export type Liveness = 'alive' | 'dead' | 'unknown';

/** Whether the lock's holder still runs, as far as this machine can tell. */
export function holderLiveness(owner: LockOwner): Liveness {
  if (owner.host !== hostname()) return 'unknown';
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    // EPERM: it exists and belongs to someone else.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return 'dead';
  }
  const stat = procStat(owner.pid);
  if (stat === null) return 'alive'; // kill() found it; without /proc there is nothing more to ask
  if (stat.state === 'Z' || stat.state === 'X') return 'dead';
  if (owner.startTicks !== null && stat.startTicks !== owner.startTicks) return 'dead'; // the pid was reused
  return 'alive';
}

function describeOwner(owner: LockOwner): string {
  return `process ${owner.pid} on ${owner.host}${owner.since ? ` (since ${owner.since})` : ''}`;
}

/**
 * Takes the run's lock or throws `RunDirError('run-in-use')` naming its holder. A stale lock is
 * taken over and reported through `log`. Returns the release function.
 */
export function lockRun(paths: RunPaths, log: (line: string) => void = () => undefined): () => void {
  const me = currentOwner();
  // Not named like a leftover of an interrupted write: cleanStaleTemporaries must never take it.
  const temp = path.join(path.dirname(paths.lock), `.${path.basename(paths.lock)}.${process.pid}.acquiring`);
  writeFileSync(temp, `${JSON.stringify(me)}\n`);
  try {
    try {
      linkSync(temp, paths.lock); // atomic: fails if a lock exists
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = readLockOwner(paths.lock);
      if (owner !== null && owner.pid !== process.pid) {
        const liveness = holderLiveness(owner);
        if (liveness === 'alive') throw new RunDirError('run-in-use', `run ${paths.root} is in use by ${describeOwner(owner)}; wait for it to finish or stop it (kill ${owner.pid}), then resume`);
        if (liveness === 'unknown') {
          throw new RunDirError('run-in-use', `run ${paths.root} is locked by ${describeOwner(owner)}, which this host cannot check; if that process is gone, delete ${paths.lock} and resume`);
        }
        log(`taking over the lock of ${describeOwner(owner)}, which is no longer running`);
      }
      renameSync(temp, paths.lock);
      // Two processes taking over the same stale lock: the last rename wins, the other backs off.
      const holder = readLockOwner(paths.lock);
      if (holder?.pid !== process.pid) throw new RunDirError('run-in-use', `run ${paths.root} was taken over by ${holder ? describeOwner(holder) : 'another process'} at the same moment`);
    }
  } finally {
    rmSync(temp, { force: true });
  }
  return () => {
    // Only our own lock: a process that took over a lock it judged stale must keep it.
    if (readLockOwner(paths.lock)?.pid === process.pid) rmSync(paths.lock, { force: true });
  };
}

import { readFileSync, readdirSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';

/**
 * Decoding threads for one ffmpeg process: the CPUs free right now, at least 1 and at most 4.
 * ffmpeg's H.264 frame threading nearly doubles speed when a second CPU is idle but costs
 * 20-40 % when it is busy (measured with `pnpm bench` on a shared 2-CPU machine), so a busy
 * machine gets a single decoding thread. `share` splits the free CPUs between concurrent reads.
 */
export function defaultDecodeThreads(share = 1): number {
  const cpus = availableParallelism();
  const free = cpus - busyCpus();
  return Math.max(1, Math.min(4, cpus, Math.floor(free / share)));
}

/**
 * Threads other processes keep busy now: on Linux the instantaneous count of runnable threads
 * (`/proc/loadavg`) minus this process's own running threads (the caller, and V8's garbage
 * collector or compiler threads that may be finishing up after the previous read), which, unlike
 * the load average, does not remember our own previous reads; elsewhere the one-minute load
 * average (0 where the OS does not report one).
 */
function busyCpus(): number {
  try {
    const match = /^\S+ \S+ \S+ (\d+)\//.exec(readFileSync('/proc/loadavg', 'utf8'));
    if (match) return Math.max(0, Number(match[1]) - Math.max(1, ownRunningThreads()));
  } catch {
    // not Linux
  }
  return loadavg()[0] ?? 0;
}

/** Threads of this process in state R (running or runnable), from /proc/self/task. */
function ownRunningThreads(): number {
  let running = 0;
  for (const task of readdirSync('/proc/self/task')) {
    try {
      const stat = readFileSync(`/proc/self/task/${task}/stat`, 'latin1');
      // "tid (comm) state …": comm may hold spaces and parentheses; the state follows the last ')'.
      if (stat.charAt(stat.lastIndexOf(')') + 2) === 'R') running++;
    } catch {
      // the thread ended while we looked
    }
  }
  return running;
}

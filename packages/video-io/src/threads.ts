import { readFileSync, readdirSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';

/**
 * Decoding threads for one ffmpeg process: twice the CPUs free right now (its share of them when
 * `share` reads run at once), at least 1 and at most 8. H.264 frame threading keeps a thread per
 * frame in flight, and a thread often waits for rows of its reference frame, so more threads than
 * CPUs keep the CPUs busier: on 2 idle CPUs a packet-fed decode took 3.4 s with 2 threads, 2.7-2.8 s
 * with 3 and 2.6 s with 4 (6 or 8: no better); with one CPU taken by another process, 2-4 threads
 * were still no slower than 1 (4.0, 3.9, 3.9 s against 4.2 s).
 */
export function defaultDecodeThreads(share = 1): number {
  const cpus = availableParallelism();
  const free = cpus - busyCpus();
  return Math.max(1, Math.min(MAX_DECODE_THREADS, Math.floor((2 * free) / share)));
}

const MAX_DECODE_THREADS = 8;

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

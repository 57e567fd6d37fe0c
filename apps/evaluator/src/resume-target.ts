/**
 * Which run `--resume` without `--out` continues. `results/latest` is pointed at a run when it
 * starts, so after a crash it names the crashed run; runs started before that rule (or by an older
 * evaluator) are found by looking: the newest run started after `latest` that did not finish, else
 * `latest`.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

export interface ResumeTarget {
  dir: string;
  /** One clause for the log: why this run. */
  reason: string;
}

interface RunState {
  finished: boolean;
  /** Why it is not finished (absent when it is). */
  unfinished?: string;
}

/** A run finished when its `summary.json` exists and no benchmark in it has failed answers. */
export function runState(dir: string): RunState {
  const summaryPath = path.join(dir, 'summary.json');
  if (!existsSync(summaryPath)) return { finished: false, unfinished: 'it stopped before writing summary.json' };
  let runs: { summary?: { total?: { errors?: number } } }[];
  try {
    runs = (JSON.parse(readFileSync(summaryPath, 'utf8')) as { runs?: typeof runs }).runs ?? [];
  } catch {
    return { finished: false, unfinished: 'its summary.json is unreadable' };
  }
  const failed = runs.reduce((sum, run) => sum + (run.summary?.total?.errors ?? 0), 0);
  return failed > 0 ? { finished: false, unfinished: `${failed} answer(s) failed` } : { finished: true };
}

/** Run directories under `resultsDir`, newest first: names start with the start time (`20250101-120000`), mtime breaks ties. */
function runDirs(resultsDir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(resultsDir);
  } catch {
    return [];
  }
  return names
    .filter((name) => name !== 'latest' && !name.startsWith('.'))
    .map((name) => path.join(resultsDir, name))
    .filter((dir) => {
      try {
        return statSync(dir).isDirectory();
      } catch {
        return false;
      }
    })
    .map((dir) => ({ dir, started: path.basename(dir).slice(0, 15), mtime: statSync(dir).mtimeMs }))
    .sort((a, b) => (a.started === b.started ? b.mtime - a.mtime : a.started < b.started ? 1 : -1))
    .map((entry) => entry.dir);
}

/** `latest` is the run `results/latest` points at, if any. */
export function chooseResumeTarget(resultsDir: string, latest: string | null): ResumeTarget | null {
  const relative = (dir: string): string => path.relative(path.dirname(resultsDir), dir);
  if (latest && existsSync(latest)) {
    const state = runState(latest);
    if (!state.finished) return { dir: latest, reason: `results/latest points at it and ${state.unfinished}` };
  }
  // Only runs started after `latest`: an older unfinished run was given up on by starting a newer one.
  for (const dir of runDirs(resultsDir)) {
    if (latest && path.resolve(dir) === path.resolve(latest)) break;
    const state = runState(dir);
    if (!state.finished) {
      const note = latest && existsSync(latest) ? `; results/latest (${relative(latest)}) is finished` : '';
      return { dir, reason: `the newest unfinished run: ${state.unfinished}${note}` };
    }
  }
  if (latest && existsSync(latest)) return { dir: latest, reason: 'results/latest points at it; every run there finished, so only samples missing from it are asked' };
  return null;
}

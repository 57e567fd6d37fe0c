import { existsSync } from 'node:fs';
import path from 'node:path';
import { formatTimestamp, linkLatest as pointLatestAt, readLatestLink } from '@video-r1/cli-kit';
import { fileURLToPath } from 'node:url';

/** apps/evaluator, wherever the command was started from. */
export const APP_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Where `pnpm --filter evaluator start` puts results unless --out says otherwise
 * (`EVALUATOR_RESULTS_DIR` moves it, e.g. for tests that must not touch a user's results).
 */
export const DEFAULT_RESULTS_DIR = process.env.EVALUATOR_RESULTS_DIR ? path.resolve(process.env.EVALUATOR_RESULTS_DIR) : path.join(APP_DIR, 'results');

/** The trainer's runs; `latest` points at the newest run. */
export const TRAINER_RUNS_DIR = path.resolve(APP_DIR, '..', 'trainer', 'runs');

/**
 * Paths on the command line are relative to where the user typed the command: pnpm runs the
 * script inside apps/evaluator but keeps the original directory in INIT_CWD.
 */
export function userPath(p: string): string {
  return path.resolve(process.env.INIT_CWD ?? process.cwd(), p);
}

/** `results/20250101-120000-<model>`: a fresh directory name for a run. */
export function newResultsDir(modelLabel: string, now = new Date()): string {
  const slug = modelLabel.replace(/^https?:\/\//, '').replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'model';
  let dir = path.join(DEFAULT_RESULTS_DIR, `${formatTimestamp(now)}-${slug}`);
  for (let n = 2; existsSync(dir); n++) dir = path.join(DEFAULT_RESULTS_DIR, `${formatTimestamp(now)}-${slug}-${n}`);
  return dir;
}

/** `results/latest` → the run's directory, for runs in the default results directory only (cli-kit's `linkLatest`). */
export function linkLatest(dir: string): void {
  if (path.dirname(dir) !== DEFAULT_RESULTS_DIR) return;
  pointLatestAt(dir);
}

/** The directory `results/latest` points at, if any. */
export function latestResultsDir(): string | null {
  return readLatestLink(DEFAULT_RESULTS_DIR);
}

// Which checkpoint is the newest: one rule for the trainer (resume, pruning) and the evaluator
// (a run directory given with --model, or the trainer's latest run).
import { readFileSync, readdirSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { CHECKPOINT_FORMAT } from './checkpoint.js';

export interface FoundCheckpoint {
  /** The checkpoint directory, with links resolved (`runs/latest/…` names the run). */
  dir: string;
  /** Its directory name (`rl-000010`, `final`, …). */
  name: string;
  /** `createdAt` of its manifest (ISO time). */
  createdAt: string;
}

function checkpointAt(dir: string): (FoundCheckpoint & { written: bigint }) | null {
  try {
    const manifestPath = path.join(dir, 'manifest.json');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { format?: unknown; createdAt?: unknown };
    if (manifest.format !== CHECKPOINT_FORMAT) return null;
    const real = realpathSync(dir);
    return {
      dir: real,
      name: path.basename(real),
      createdAt: typeof manifest.createdAt === 'string' ? manifest.createdAt : '',
      written: statSync(manifestPath, { bigint: true }).mtimeNs,
    };
  } catch {
    return null;
  }
}

/**
 * The complete checkpoints (a manifest of this package's format) that `dir` is or holds —
 * `dir` itself, else its subdirectories and those of `dir/checkpoints`, so a trainer run directory
 * works too — newest first: by the manifest's `createdAt`, then by when the manifest was written.
 * Hidden directories (a checkpoint being written) are skipped. Whether a listed checkpoint's
 * files are intact is for `loadCheckpoint` to say.
 */
export function findCheckpoints(dir: string): FoundCheckpoint[] {
  const direct = checkpointAt(dir);
  if (direct) return [{ dir: direct.dir, name: direct.name, createdAt: direct.createdAt }];
  const found: Array<FoundCheckpoint & { written: bigint }> = [];
  for (const parent of [dir, path.join(dir, 'checkpoints')]) {
    let names: string[];
    try {
      names = readdirSync(parent);
    } catch {
      continue;
    }
    for (const name of names) {
      if (name.startsWith('.')) continue;
      const checkpoint = checkpointAt(path.join(parent, name));
      if (checkpoint) found.push(checkpoint);
    }
  }
  found.sort((a, b) => (a.createdAt !== b.createdAt ? (a.createdAt < b.createdAt ? 1 : -1) : a.written !== b.written ? (a.written < b.written ? 1 : -1) : a.dir < b.dir ? 1 : -1));
  return found.map(({ dir: d, name, createdAt }) => ({ dir: d, name, createdAt }));
}

/** The newest checkpoint `dir` is or holds (see `findCheckpoints`), or `null`. */
export function newestCheckpoint(dir: string): FoundCheckpoint | null {
  return findCheckpoints(dir)[0] ?? null;
}

// Which checkpoint is the newest: one rule for the trainer (resume, pruning) and the evaluator
// (a run directory given with --model, or the trainer's latest run).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { type CheckpointMarker, findCheckpointDirs, type FoundCheckpointDir } from '@video-r1/cli-kit';
import { CHECKPOINT_FORMAT } from './checkpoint.js';

/** A checkpoint directory found, with its manifest's `createdAt` (ISO time). */
export type FoundCheckpoint = FoundCheckpointDir;

/** A directory holding a complete checkpoint of this package's format: its manifest. */
function policyCheckpointMarker(dir: string): CheckpointMarker | null {
  const file = path.join(dir, 'manifest.json');
  try {
    const manifest = JSON.parse(readFileSync(file, 'utf8')) as { format?: unknown; createdAt?: unknown };
    if (manifest.format !== CHECKPOINT_FORMAT) return null;
    return { file, createdAt: typeof manifest.createdAt === 'string' ? manifest.createdAt : '' };
  } catch {
    return null;
  }
}

/**
 * The complete checkpoints (a manifest of this package's format) that `dir` is or holds —
 * `dir` itself, else its subdirectories and those of `dir/checkpoints`, so a trainer run directory
 * works too — newest first by cli-kit's one rule (`findCheckpointDirs`): by the manifest's
 * `createdAt`, then by when the manifest was written. Hidden directories (a checkpoint being
 * written) are skipped. Whether a listed checkpoint's files are intact is for `loadCheckpoint` to say.
 */
export function findCheckpoints(dir: string): FoundCheckpoint[] {
  return findCheckpointDirs(dir, policyCheckpointMarker);
}

/** The newest checkpoint `dir` is or holds (see `findCheckpoints`), or `null`. */
export function newestCheckpoint(dir: string): FoundCheckpoint | null {
  return findCheckpoints(dir)[0] ?? null;
}

// Which checkpoint directory is the newest: one rule for every checkpoint format of the project
// (the small policy's manifests, the trainer's Qwen2.5-VL runs), used for resume, pruning and the
// evaluator's choice of a run's model.
import { realpathSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/** What a format's probe says about a directory that is one of its checkpoints. */
export interface CheckpointMarker {
  /** The file whose presence makes the directory a complete checkpoint (its write time breaks ties). */
  file: string;
  /** When the checkpoint was made (ISO time; '' when the format does not record it). */
  createdAt: string;
}

/** A format's test: the marker of `dir` when it is a complete checkpoint of that format, else null. */
export type CheckpointProbe = (dir: string) => CheckpointMarker | null;

export interface FoundCheckpointDir {
  /** The checkpoint directory, with links resolved (`runs/latest/…` names the run). */
  dir: string;
  /** Its directory name (`rl-000010`, `final`, …). */
  name: string;
  /** `createdAt` of its marker. */
  createdAt: string;
}

function probeAt(dir: string, probe: CheckpointProbe): (FoundCheckpointDir & { written: bigint }) | null {
  try {
    const marker = probe(dir);
    if (marker === null) return null;
    const real = realpathSync(dir);
    return { dir: real, name: path.basename(real), createdAt: marker.createdAt, written: statSync(marker.file, { bigint: true }).mtimeNs };
  } catch {
    return null;
  }
}

/**
 * The checkpoints that `dir` is or holds — `dir` itself, else its subdirectories and those of
 * `dir/checkpoints`, so a run directory works too — newest first: by `createdAt`, then by when the
 * marker was written, then by path. Hidden directories (a checkpoint being written) are skipped.
 */
export function findCheckpointDirs(dir: string, probe: CheckpointProbe): FoundCheckpointDir[] {
  const direct = probeAt(dir, probe);
  if (direct) return [{ dir: direct.dir, name: direct.name, createdAt: direct.createdAt }];
  const found: Array<FoundCheckpointDir & { written: bigint }> = [];
  for (const parent of [dir, path.join(dir, 'checkpoints')]) {
    let names: string[];
    try {
      names = readdirSync(parent);
    } catch {
      continue;
    }
    for (const name of names) {
      if (name.startsWith('.')) continue;
      const checkpoint = probeAt(path.join(parent, name), probe);
      if (checkpoint) found.push(checkpoint);
    }
  }
  found.sort((a, b) => (a.createdAt !== b.createdAt ? (a.createdAt < b.createdAt ? 1 : -1) : a.written !== b.written ? (a.written < b.written ? 1 : -1) : a.dir < b.dir ? 1 : -1));
  return found.map(({ dir: d, name, createdAt }) => ({ dir: d, name, createdAt }));
}

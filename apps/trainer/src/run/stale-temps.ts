/**
 * What a process killed in the middle of a write leaves behind: hidden `.<name>.tmp-<pid>-<hex>`
 * siblings (atomic files of @video-r1/cli-kit, checkpoint directories of @video-r1/policy being
 * written) and `.<name>.old-<pid>-<hex>` (a checkpoint moved aside to be replaced). Cleaned when
 * a run starts or resumes, under its lock, so no writer of this run can still own them.
 */
import { existsSync, readdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { RunPaths } from './run-dir.js';

const LEFTOVER = /^\.(.+)\.(tmp|old)-\d+(-[0-9a-f]+)?$/;

/** Removes leftovers in the run and checkpoint directories; returns one line per thing done. */
export function cleanStaleTemporaries(paths: RunPaths): string[] {
  const done: string[] = [];
  for (const dir of [paths.root, paths.checkpoints]) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names) {
      const match = LEFTOVER.exec(name);
      if (!match) continue;
      const leftover = path.join(dir, name);
      const target = path.join(dir, match[1]!);
      // Killed between moving a checkpoint aside and moving its replacement in: the old one is
      // the only complete copy, so it goes back.
      if (match[2] === 'old' && !existsSync(target)) {
        renameSync(leftover, target);
        done.push(`restored ${path.relative(paths.root, target)} from an interrupted replacement`);
        continue;
      }
      rmSync(leftover, { recursive: true, force: true });
      done.push(`removed ${path.relative(paths.root, leftover)}, left by an interrupted write`);
    }
  }
  return done;
}

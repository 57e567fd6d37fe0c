// `<parent>/latest` → the newest run directory: a relative symlink, swapped in with a rename so
// that a reader never finds it missing or half made.
import { readlinkSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';

/** Points `<dirname(dir)>/latest` at `dir` (relative link, replaced atomically). Returns the link. */
export function linkLatest(dir: string): string {
  const parent = path.dirname(path.resolve(dir));
  const link = path.join(parent, 'latest');
  const tmp = path.join(parent, `.latest-${process.pid}`);
  rmSync(tmp, { force: true });
  symlinkSync(path.basename(path.resolve(dir)), tmp, 'dir');
  renameSync(tmp, link);
  return link;
}

/** The directory `<parent>/latest` points at (absolute), or `null` when there is no such link. */
export function readLatestLink(parent: string): string | null {
  try {
    return path.resolve(parent, readlinkSync(path.join(parent, 'latest')));
  } catch {
    return null;
  }
}

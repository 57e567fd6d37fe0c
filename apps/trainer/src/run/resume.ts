import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { readLatestLink } from '@video-r1/cli-kit';
import { RunDirError } from './errors.js';
import { runPaths, type RunPaths } from './run-dir.js';

/** `--resume latest` or `--resume <dir>` → the run directory, checked to hold a config; `RunDirError` otherwise. */
export function resolveRunToResume(spec: string, out: string): RunPaths {
  let root: string;
  if (spec === '' || spec === 'latest') {
    const link = path.join(out, 'latest');
    const latest = readLatestLink(out);
    if (latest === null || !existsSync(latest)) {
      throw new RunDirError('run-not-found', `--resume latest: there is no run to resume in ${out} (no ${link}); start one without --resume, or pass --out where your runs are`);
    }
    root = latest;
  } else {
    root = path.resolve(spec);
    if (!existsSync(root)) throw new RunDirError('run-not-found', `--resume ${spec}: ${root} does not exist; pass a run directory (runs/<id>) or latest`);
    if (!statSync(root).isDirectory()) throw new RunDirError('not-a-run', `--resume ${spec}: ${root} is a file, not a run directory`);
  }
  const paths = runPaths(root);
  if (!existsSync(paths.config)) throw new RunDirError('not-a-run', `--resume ${spec}: ${root} is not a run directory (it has no config.json)`);
  return paths;
}

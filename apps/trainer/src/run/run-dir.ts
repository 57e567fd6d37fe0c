import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { formatTimestamp, writeFileAtomicSync } from '@video-r1/cli-kit';
import type { TrainerConfig } from '../config/types.js';
import { RunDirError } from './errors.js';

/** Where everything of one run lives: `<out>/<id>/`. */
export interface RunPaths {
  id: string;
  root: string;
  config: string;
  metrics: string;
  eval: string;
  report: string;
  charts: string;
  checkpoints: string;
  lock: string;
}

export function runPaths(root: string): RunPaths {
  return {
    id: path.basename(root),
    root,
    config: path.join(root, 'config.json'),
    metrics: path.join(root, 'metrics.jsonl'),
    eval: path.join(root, 'eval.json'),
    report: path.join(root, 'report.html'),
    charts: path.join(root, 'charts'),
    checkpoints: path.join(root, 'checkpoints'),
    lock: path.join(root, 'run.lock'),
  };
}

export function defaultRunId(config: TrainerConfig, now = new Date()): string {
  const algo = config.rl.enabled ? config.rl.algo : 'sft';
  return `${formatTimestamp(now)}-${algo}-s${config.seed}`;
}

/** Creates a fresh run directory; refuses to reuse one (that is what --resume is for). */
export function createRunDir(config: TrainerConfig, now = new Date()): RunPaths {
  const id = config.runId ?? defaultRunId(config, now);
  let root = path.join(config.out, id);
  // Two runs started in the same second with the same settings get distinct directories.
  for (let n = 2; config.runId === null && existsSync(root); n++) root = path.join(config.out, `${id}-${n}`);
  if (existsSync(root)) {
    throw new RunDirError('run-exists', `run directory ${root} already exists: pass --resume ${root} to continue it, or another --run-id`);
  }
  mkdirSync(path.join(root, 'checkpoints'), { recursive: true });
  const paths = runPaths(root);
  writeFileAtomicSync(paths.config, `${JSON.stringify(config, null, 2)}\n`);
  return paths;
}

export function readRunConfig(paths: RunPaths): unknown {
  try {
    return JSON.parse(readFileSync(paths.config, 'utf8'));
  } catch (error) {
    throw new Error(`cannot read ${paths.config}: ${(error as Error).message}`);
  }
}

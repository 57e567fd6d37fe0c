// `pnpm --filter trainer ablate`: the paper's claim at small scale. One SFT run (which also measures
// the untrained policy), then GRPO and T-GRPO from that same SFT checkpoint for the same number of
// steps, over several seeds; a table of test accuracy per problem type and on the temporal kinds.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { TEMPORAL_TASKS } from '@video-r1/datasets';
import { parseArgs } from 'citty';
import { APP_DIR, callerCwd, frameCacheDir } from './cli.js';
import { flagsToConfig } from './config/flags.js';
import { preflight } from './config/preflight.js';
import { ConfigError, mergeConfig, resolveConfig } from './config/resolve.js';
import type { Algo, PartialConfig, TrainerConfig } from './config/types.js';
import { ablationMarkdown, type AblationRow, ablationRows, type ModelResults } from './evaluation/ablation.js';
import type { EvalFile } from './evaluation/types.js';
import { formatDuration, Progress, writeFileAtomicSync } from '@video-r1/cli-kit';
import { runPipeline } from './pipeline.js';
import { RunDirError } from './run/errors.js';
import { lockRun } from './run/lock.js';
import { createRunDir, defaultRunId, runPaths } from './run/run-dir.js';
import { cleanStaleTemporaries } from './run/stale-temps.js';
import { StopRequest, StoppedBySignal } from './run/signals.js';

const ablateArgs = {
  config: { type: 'string', description: 'JSON config merged over the preset (as for start)' },
  preset: { type: 'string', description: 'default | video-r1 | smoke (default: default)' },
  seeds: { type: 'string', description: 'comma-separated RL seeds (default 1,2,3)' },
  steps: { type: 'string', description: 'RL steps of every run (default: the preset\'s)' },
  backend: { type: 'string', description: 'auto | cpu | wasm | tensorflow | tensorflow-gpu' },
  out: { type: 'string', description: 'directory of run directories (default apps/trainer/runs)' },
  'run-id': { type: 'string', description: 'ablation directory name; an existing one is continued' },
} as const;

const ALGOS: readonly Algo[] = ['grpo', 'tgrpo'];

function parseSeeds(raw: string | undefined): number[] {
  if (raw === undefined) return [1, 2, 3];
  const seeds = raw.split(',').map((s) => Number(s.trim()));
  if (seeds.length === 0 || seeds.some((s) => !Number.isInteger(s) || s < 0)) {
    throw new ConfigError(`--seeds: expected comma-separated non-negative integers, got ${JSON.stringify(raw)}`, ['--seeds']);
  }
  return seeds;
}

async function main(argv: string[]): Promise<number> {
  const args = parseArgs<typeof ablateArgs>(argv, ablateArgs);
  const cwd = callerCwd();
  let base: TrainerConfig;
  let seeds: number[];
  try {
    seeds = parseSeeds(args.seeds);
    const flags = flagsToConfig({ preset: args.preset, steps: args.steps, backend: args.backend, out: args.out });
    base = resolveConfig({ file: args.config, flags, cwd, appDir: APP_DIR });
    preflight(base);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`ablate: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const id = args['run-id'] ?? `ablation-${defaultRunId(base).replace(/-(tgrpo|grpo|sft)-s\d+$/, '')}`;
  const root = path.join(base.out, id);
  mkdirSync(root, { recursive: true });
  const progress = new Progress();
  const stop = new StopRequest((signal) => progress.log(`${signal}: stopping after the current step (rerun with --run-id ${id} to continue)`)).install();
  const started = performance.now();

  /** One pipeline run inside the ablation directory; a finished one (eval.json present) is reused. */
  const run = async (name: string, overrides: PartialConfig): Promise<EvalFile> => {
    const config = mergeConfig(base, { ...overrides, out: root, runId: name }) as TrainerConfig;
    const existing = runPaths(path.join(root, name));
    if (existsSync(existing.eval)) return JSON.parse(readFileSync(existing.eval, 'utf8')) as EvalFile;
    const resumed = existsSync(existing.config);
    const paths = resumed ? existing : createRunDir(config);
    const release = lockRun(paths, (line) => progress.log(line));
    for (const line of cleanStaleTemporaries(paths)) progress.log(line);
    progress.log(`— ${name} —`);
    try {
      const result = await runPipeline({ config, paths, resumed, progress, stop, frameCacheDir: frameCacheDir() });
      return result.evaluation!;
    } finally {
      release();
    }
  };

  try {
    const sft = await run('sft', { rl: { enabled: false }, eval: { baseline: true, sft: false } });
    const sftCheckpoint = path.join(root, 'sft', 'checkpoints', 'sft');
    const rl: Record<Algo, EvalFile[]> = { grpo: [], tgrpo: [] };
    for (const seed of seeds) {
      for (const algo of ALGOS) {
        rl[algo].push(await run(`${algo}-s${seed}`, { seed, rl: { enabled: true, algo }, sft: { init: sftCheckpoint }, eval: { baseline: false, sft: false } }));
      }
    }
    const models: ModelResults[] = [
      { name: 'untrained', results: [sft.baseline!] },
      { name: 'SFT', results: [sft] },
      { name: 'SFT+GRPO', results: rl.grpo },
      { name: 'SFT+T-GRPO', results: rl.tgrpo },
    ];
    const rows: AblationRow[] = ablationRows(models, new Set(TEMPORAL_TASKS));
    const seconds = (performance.now() - started) / 1000;
    const meta = { preset: base.preset, seeds, rlSteps: base.rl.steps, backend: base.backend, testQuestions: sft.count, wallSeconds: seconds };
    writeFileAtomicSync(path.join(root, 'ablation.json'), `${JSON.stringify({ ...meta, models, rows }, null, 2)}\n`);
    const markdown = ablationMarkdown(rows, models, meta);
    writeFileAtomicSync(path.join(root, 'ablation.md'), markdown);
    progress.close();
    process.stderr.write(`\n${markdown}\nablation done in ${formatDuration(seconds)}\n`);
    process.stdout.write(`${root}\n`);
    return 0;
  } catch (error) {
    progress.close();
    if (error instanceof StoppedBySignal) {
      process.stderr.write(`\nstopped by ${error.signal}; continue with: pnpm --filter trainer ablate --run-id ${id} (same flags)\n`);
      return error.exitCode;
    }
    throw error;
  } finally {
    stop.uninstall();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof RunDirError) {
      process.stderr.write(`ablate: ${error.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`ablate: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);

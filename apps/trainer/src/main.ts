// `pnpm --filter trainer start [flags]`: Video-R1's recipe (SFT cold start, then GRPO/T-GRPO) on
// the embedded synthetic set or a Video-R1 data root, resumable, with metrics, evaluation and a report.
import { frameCacheDir, prepareInvocation, usage } from './cli.js';
import { ConfigError } from './config/resolve.js';
import { formatDuration, formatPercent, linkLatest, Progress } from '@video-r1/cli-kit';
import { runPipeline } from './pipeline.js';
import { runQwenPipeline } from './qwen/pipeline.js';
import { RunDirError } from './run/errors.js';
import { lockRun } from './run/lock.js';
import { cleanStaleTemporaries } from './run/stale-temps.js';
import { StopRequest, StoppedBySignal } from './run/signals.js';

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${await usage()}\n`);
    return 0;
  }
  let invocation;
  try {
    invocation = prepareInvocation(argv);
  } catch (error) {
    if (error instanceof ConfigError || error instanceof RunDirError) {
      process.stderr.write(`trainer: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const { config, paths, resumed } = invocation;
  let release: () => void;
  try {
    release = lockRun(paths, (line) => process.stderr.write(`trainer: ${line}\n`));
  } catch (error) {
    if (!(error instanceof RunDirError)) throw error;
    process.stderr.write(`trainer: ${error.message}\n`);
    return 2;
  }
  // Under the lock, whatever a killed writer left half-written is nobody's any more.
  for (const line of cleanStaleTemporaries(paths)) process.stderr.write(`trainer: ${line}\n`);
  linkLatest(paths.root);
  const progress = new Progress();
  const stop = new StopRequest((signal) => progress.log(`${signal}: finishing the current step, then saving a checkpoint (send again to quit at once)`)).install();
  progress.log(`${resumed ? 'resuming' : 'run'} ${paths.root} (preset ${config.preset}, ${config.rl.enabled ? config.rl.algo : 'sft only'}, seed ${config.seed})`);
  try {
    const run = config.model.family === 'qwen2.5-vl' ? runQwenPipeline : runPipeline;
    const result = await run({
      config,
      paths,
      resumed,
      progress,
      stop,
      frameCacheDir: frameCacheDir(),
    });
    progress.close();
    const e = result.evaluation;
    process.stderr.write(
      `\ndone in ${formatDuration(result.wallSeconds)} on ${result.backend}: test accuracy ${formatPercent(e?.baseline?.overall, { sign: true })} untrained → ${formatPercent(e?.sft?.overall, { sign: true })} SFT → ${formatPercent(e?.overall, { sign: true })} final\n`,
    );
    process.stdout.write(`${paths.root}\n`);
    return 0;
  } catch (error) {
    progress.close();
    if (error instanceof StoppedBySignal) {
      process.stderr.write(`\n${error.message}: pnpm --filter trainer start --resume ${paths.root}\n`);
      return error.exitCode;
    }
    throw error;
  } finally {
    stop.uninstall();
    release();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`trainer: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);

import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { overviewTable, runSuite, runTables } from '@video-r1/eval';
import { defineCommand } from 'citty';
import { configFromFlags, readConfigFile, resolveConfig } from './config.js';
import type { RawFlags } from './config.js';
import { resolveBenchmarks } from './data.js';
import { failedRunMessage } from './failed-run.js';
import { runInterruptible } from './interruptible.js';
import { resolveModel } from './model.js';
import { DEFAULT_RESULTS_DIR, latestResultsDir, linkLatest, newResultsDir, userPath } from './paths.js';
import { chooseResumeTarget } from './resume-target.js';
import { ProgressView } from './progress.js';

export const runCommand = defineCommand({
  meta: { name: 'run', description: 'Evaluate a model on the synthetic test set or Video-R1 benchmarks (the default command).' },
  args: {
    config: { type: 'string', description: 'JSON config file (fields as the flags, camelCase); flags override it', valueHint: 'file' },
    model: { type: 'string', description: 'endpoint URL (http://host:8000/v1) or checkpoint directory; default: trainer runs/latest, else untrained', valueHint: 'url|dir' },
    modelName: { type: 'string', description: 'model name sent to an endpoint (default: the first it lists)' },
    adapter: { type: 'string', description: 'PEFT LoRA adapter directory for a Qwen2.5-VL --model directory', valueHint: 'dir' },
    benchmarks: { type: 'string', description: 'comma-separated: synthetic, vsibench, videommmu, mmvu, mvbench, tempcompass, videomme, or JSON file paths', valueHint: 'list' },
    dataRoot: { type: 'string', description: "Video-R1's src/r1-v: holds Evaluation/eval_<benchmark>.json and the media", valueHint: 'dir' },
    frames: { type: 'string', description: 'frame budgets, each evaluated (default 16)', valueHint: '16,32,64' },
    maxPixels: { type: 'string', description: 'pixel budget per frame (default 200704 = 256*28*28)' },
    limit: { type: 'string', description: 'first N samples of each benchmark' },
    concurrency: { type: 'string', description: 'samples (and requests) in flight at once (default 4)' },
    batchSize: { type: 'string', description: 'answers between two writes of the output file' },
    out: { type: 'string', description: 'output directory (default results/<time>-<model>)', valueHint: 'dir' },
    resume: { type: 'boolean', description: 'continue --out (default: the newest unfinished run, results/latest) where it stopped' },
    maxFailedRatio: { type: 'string', description: 'exit 1 when more than this share of answers failed (default 0.1); always when none was answered' },
    profile: { type: 'string', description: 'scoring profile: video-r1 (eval_bench.py, default) or lmms-eval' },
    temperature: { type: 'string', description: 'sampling temperature (default 0.01)' },
    topP: { type: 'string', description: 'top-p (default 0.001)' },
    maxTokens: { type: 'string', description: 'max new tokens (default 1024)' },
    media: { type: 'string', description: 'endpoints: frames (base64 JPEG parts, default) or video_url' },
    timeoutMs: { type: 'string', description: 'per-request timeout for endpoints (default 300000)' },
    maxRetries: { type: 'string', description: 'retries on 429/5xx/timeouts (default 5)' },
    apiKeyEnv: { type: 'string', description: 'environment variable holding the API key (default OPENAI_API_KEY)' },
    backend: { type: 'string', description: 'TensorFlow.js backend for checkpoints: auto, tensorflow-gpu, tensorflow, wasm, cpu' },
    seed: { type: 'string', description: 'sampling seed for checkpoints (default 0)' },
  },
  async run({ args }) {
    await evaluate(args as RawFlags);
  },
});

async function evaluate(flags: RawFlags): Promise<void> {
  const fromFile = flags.config ? readConfigFile(userPath(flags.config)) : {};
  const config = resolveConfig(fromFile, configFromFlags(flags));
  const log = (line: string): void => console.error(line);

  const { benchmarks, files } = await resolveBenchmarks({ benchmarks: config.benchmarks, dataRoot: config.dataRoot, limit: config.limit, log });
  const model = await resolveModel(config, log, benchmarks.flatMap((b) => b.samples));

  let outDir: string;
  let resumeReason = 'the run --out names';
  if (config.out) outDir = userPath(config.out);
  else if (config.resume) {
    const target = chooseResumeTarget(DEFAULT_RESULTS_DIR, latestResultsDir());
    if (!target) throw new Error(`--resume without --out: there is no run in ${DEFAULT_RESULTS_DIR} to resume`);
    outDir = target.dir;
    resumeReason = target.reason;
  } else outDir = newResultsDir(model.adapter.name);
  log(`model: ${model.description}`);
  log(config.resume ? `output: ${outDir} (resuming: ${resumeReason})` : `output: ${outDir}`);
  // Pointed at the run as it starts, so that after a crash `--resume` finds this run, not an older one.
  mkdirSync(outDir, { recursive: true });
  linkLatest(outDir);

  const progress = new ProgressView();
  let firstError: string | undefined;
  const suite = await runInterruptible(
    {
      log,
      note: 'interrupted: saving finished answers (run again with --resume to continue)',
      stop: () => progress.stop(),
      close: () => model.adapter.close?.(),
    },
    (signal) =>
      runSuite({
        benchmarks,
        frames: config.frames,
        adapter: model.adapter,
        outDir,
        profile: config.profile,
        maxPixels: config.maxPixels,
        concurrency: config.concurrency,
        ...(config.batchSize !== undefined ? { batchSize: config.batchSize } : {}),
        resume: config.resume,
        signal,
        settings: { ...model.settings, data_files: files, limit: config.limit ?? null, profile: config.profile },
        onProgress: (p) => progress.update(p),
        onResult: (result) => {
          if (result.error) firstError ??= result.error.message;
        },
      }),
  );
  if (suite === undefined) return;
  console.log('');
  for (const run of suite.runs) console.log(`${runTables(run)}\n`);
  console.log(overviewTable(suite));
  console.log(`\nreport: ${path.join(outDir, 'report.html')} (and report.md, summary.json, one eval_*.json per benchmark and frame budget)`);
  const failed = failedRunMessage(suite, config.maxFailedRatio, firstError);
  if (failed) {
    log(`evaluator: ${failed}`);
    process.exitCode = 1;
  }
}

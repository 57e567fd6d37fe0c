/**
 * A whole evaluation: several benchmarks, each at several frame budgets (the paper's frames table),
 * one results file per pair, then `summary.json` and the Markdown/HTML reports.
 */
import { join } from 'node:path';
import type { VideoR1Record } from '@video-r1/datasets';
import { benchmarkDisplayName, benchmarkId } from './benchmarks.js';
import { writeFileAtomic, writeJsonAtomic } from '@video-r1/cli-kit';
import { suiteHtml, suiteMarkdown } from './report.js';
import { runEvaluation } from './runner.js';
import type { RunEvaluationOptions, RunProgress } from './runner.js';
import type { SuiteRun, SuiteSummary } from './suite-types.js';
import type { ModelAdapter, ScoringProfile } from './types.js';

export type { SuiteRun, SuiteSummary } from './suite-types.js';

export interface SuiteBenchmark {
  /** Benchmark name (`vsibench`, `VSI-Bench`, `synthetic`, …). */
  name: string;
  samples: readonly VideoR1Record[];
  /** Directory relative media paths of this benchmark resolve against. */
  dataRoot: string;
  categoryField?: string | null;
}

export interface RunSuiteOptions
  extends Pick<RunEvaluationOptions, 'maxPixels' | 'concurrency' | 'batchSize' | 'resume' | 'retryErrors' | 'prompt' | 'signal' | 'onResult'> {
  benchmarks: readonly SuiteBenchmark[];
  /** Frame budgets; every benchmark is evaluated at each (default [16]). */
  frames?: readonly number[];
  adapter: ModelAdapter;
  /** Directory for the results files, `summary.json`, `report.md` and `report.html`. */
  outDir: string;
  profile?: ScoringProfile;
  /** Recorded in every file and in the report (decoding settings, data files, …). */
  settings?: Record<string, unknown>;
  onProgress?: (progress: RunProgress & { job: number; jobs: number }) => void;
}

/** `eval_vsibench_32frames_greedy_output.json`: Video-R1's naming, with the frame budget as its "file_name". */
export function resultsFileName(benchmark: string, maxFrames: number): string {
  return `eval_${benchmarkId(benchmark) || 'benchmark'}_${maxFrames}frames_greedy_output.json`;
}

export async function runSuite(options: RunSuiteOptions): Promise<SuiteSummary> {
  const frames = [...(options.frames ?? [16])];
  const profile = options.profile ?? 'video-r1';
  const jobs = options.benchmarks.length * frames.length;
  const runs: SuiteRun[] = [];
  let job = 0;
  for (const bench of options.benchmarks) {
    for (const maxFrames of frames) {
      job++;
      const outputPath = join(options.outDir, resultsFileName(bench.name, maxFrames));
      const runOptions: RunEvaluationOptions = {
        benchmark: bench.name,
        samples: bench.samples,
        adapter: options.adapter,
        outputPath,
        dataRoot: bench.dataRoot,
        maxFrames,
        profile,
        metadata: { settings: options.settings ?? {} },
        onProgress: (p) => options.onProgress?.({ ...p, job, jobs }),
      };
      for (const key of ['maxPixels', 'concurrency', 'batchSize', 'resume', 'retryErrors', 'prompt', 'signal', 'onResult'] as const) {
        if (options[key] !== undefined) (runOptions as unknown as Record<string, unknown>)[key] = options[key];
      }
      if (bench.categoryField !== undefined) runOptions.categoryField = bench.categoryField;
      const run = await runEvaluation(runOptions);
      runs.push({ benchmark: benchmarkDisplayName(bench.name), maxFrames, outputPath, summary: run.summary, resumed: run.resumed, evaluated: run.evaluated, errors: run.errors });
    }
  }
  const suite: SuiteSummary = {
    tool: '@video-r1/eval',
    profile,
    model: options.adapter.name,
    max_pixels: options.maxPixels ?? 256 * 28 * 28,
    frames,
    created_at: new Date().toISOString(),
    settings: options.settings ?? {},
    runs,
  };
  await writeSuiteReports(options.outDir, suite);
  return suite;
}

/** Writes `summary.json`, `report.md` and `report.html` into `outDir` (atomically). */
export async function writeSuiteReports(outDir: string, suite: SuiteSummary): Promise<{ summary: string; markdown: string; html: string }> {
  const paths = { summary: join(outDir, 'summary.json'), markdown: join(outDir, 'report.md'), html: join(outDir, 'report.html') };
  await writeJsonAtomic(paths.summary, suite);
  await writeFileAtomic(paths.markdown, suiteMarkdown(suite));
  await writeFileAtomic(paths.html, suiteHtml(suite));
  return paths;
}

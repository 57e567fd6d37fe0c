/**
 * Which samples to evaluate: the embedded synthetic test set by default, else Video-R1's
 * benchmark files under the data root (`Evaluation/eval_<benchmark>.json`, as Video-R1 lays them
 * out), or JSON files given by path.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ensureSyntheticSet, readDataset, summarizeReport } from '@video-r1/datasets';
import { VIDEO_R1_BENCHMARKS, benchmarkFromFileName, benchmarkId } from '@video-r1/eval';
import type { SuiteBenchmark } from '@video-r1/eval';
import { userPath } from './paths.js';

export interface DataRequest {
  benchmarks?: string[];
  dataRoot?: string;
  limit?: number;
  log: (line: string) => void;
}

function isFileSpec(spec: string): boolean {
  return /\.jsonl?$/i.test(spec) || spec.includes('/') || spec.includes(path.sep);
}

/** `Evaluation/eval_<id>.json` under the root (Video-R1's layout), else `eval_<id>.json` in it. */
function benchmarkFile(dataRoot: string, name: string): string {
  const id = benchmarkId(name);
  const candidates = [path.join(dataRoot, 'Evaluation', `eval_${id}.json`), path.join(dataRoot, `eval_${id}.json`), path.join(dataRoot, 'Evaluation', `eval_${id}.jsonl`)];
  const found = candidates.find((c) => existsSync(c));
  if (!found) {
    throw new Error(`no data file for benchmark "${name}" under ${dataRoot} (looked for ${candidates.map((c) => path.relative(dataRoot, c)).join(', ')}); download Video-R1-eval's JSON files into <data-root>/Evaluation`);
  }
  return found;
}

async function loadBenchmark(name: string, file: string, dataRoot: string, limit: number | undefined, log: (line: string) => void): Promise<SuiteBenchmark> {
  const { records, report } = await readDataset(file, { kind: 'eval', log: false });
  if (report.skipped > 0) log(summarizeReport(report));
  if (records.length === 0) throw new Error(`${file}: no valid samples (${summarizeReport(report)})`);
  const samples = limit === undefined ? records : records.slice(0, limit);
  return { name, samples, dataRoot };
}

export async function resolveBenchmarks(request: DataRequest): Promise<{ benchmarks: SuiteBenchmark[]; files: Record<string, string> }> {
  const specs = request.benchmarks ?? (request.dataRoot ? [...VIDEO_R1_BENCHMARKS] : ['synthetic']);
  const benchmarks: SuiteBenchmark[] = [];
  const files: Record<string, string> = {};
  for (const spec of specs) {
    if (benchmarkId(spec) === 'synthetic') {
      const set = await ensureSyntheticSet({ log: request.log });
      benchmarks.push(await loadBenchmark('synthetic', set.test, set.root, request.limit, request.log));
      files.synthetic = set.test;
      continue;
    }
    if (isFileSpec(spec)) {
      const file = userPath(spec);
      if (!existsSync(file)) throw new Error(`--benchmarks: file ${file} does not exist`);
      // Video-R1's files name media relative to src/r1-v, the parent of their Evaluation folder.
      const root = request.dataRoot ? userPath(request.dataRoot) : path.basename(path.dirname(file)) === 'Evaluation' ? path.dirname(path.dirname(file)) : path.dirname(file);
      const name = benchmarkFromFileName(file);
      benchmarks.push(await loadBenchmark(name, file, root, request.limit, request.log));
      files[name] = file;
      continue;
    }
    if (!request.dataRoot) throw new Error(`benchmark "${spec}" needs --data-root (Video-R1's src/r1-v, holding Evaluation/eval_${benchmarkId(spec)}.json)`);
    const root = userPath(request.dataRoot);
    const file = benchmarkFile(root, spec);
    benchmarks.push(await loadBenchmark(benchmarkId(spec), file, root, request.limit, request.log));
    files[benchmarkId(spec)] = file;
  }
  return { benchmarks, files };
}

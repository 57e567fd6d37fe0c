#!/usr/bin/env node
import { stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { defineCommand, renderUsage, runMain } from 'citty';
import { Progress, colorsFor } from '@video-r1/cli-kit';
import { createRng } from '@video-r1/tensor/random';
import { DatasetFormatError, RecordError, formatIssue } from './errors.js';
import { loadDataset, summarizeReport, type LoadOptions, type LoadReport } from './load/load-dataset.js';
import { checkMedia } from './media.js';
import { buildPrompt, type PromptTemplate } from './prompt.js';
import { StatsCollector, formatStats, renderTable } from './stats.js';
import { ensureSyntheticSet } from './synthetic/generate.js';
import { FILE_KINDS, type FileKind, type VideoR1Record } from './types.js';

const fileArgs = {
  file: { type: 'positional' as const, description: 'A Video-R1 data file: JSON array or JSON lines', required: true as const },
  kind: { type: 'enum' as const, options: [...FILE_KINDS] as string[], default: 'any', description: 'Schema: rl (260k), cot (COT-165k), eval, any' },
  strict: { type: 'boolean' as const, default: false, description: 'Stop at the first bad record' },
  json: { type: 'boolean' as const, default: false, description: 'Print the result as JSON' },
};

// A byte-based progress bar on stderr, only on a terminal (the output may be read by programs).
function byteProgress(label: string, enabled: boolean): { options: Pick<LoadOptions, 'onProgress'>; stop: () => void } {
  if (!enabled) return { options: {}, stop: () => {} };
  const progress = new Progress({ withoutTerminal: 'none' });
  let started = false;
  const mb = (b: number) => Math.round(b / 1e5) / 10;
  return {
    options: {
      onProgress: ({ bytesRead, totalBytes, records }) => {
        if (!started) {
          progress.start(`${label} (MB)`, mb(totalBytes));
          started = true;
        }
        progress.update(mb(bytesRead), `| ${records} records`);
      },
    },
    stop: () => progress.close(),
  };
}

function printIssues(report: LoadReport, limit = 20): void {
  for (const issue of report.issues.slice(0, limit)) console.error(formatIssue(issue));
  const more = report.issues.length + report.issuesOmitted - limit;
  if (more > 0) console.error(`… and ${more} more issues`);
}

async function stream(
  file: string,
  args: { kind: string; strict: boolean; json: boolean },
  label: string,
  each: (r: VideoR1Record) => void | Promise<void>,
): Promise<LoadReport> {
  const progress = byteProgress(label, !args.json);
  const ds = loadDataset(file, { kind: args.kind as FileKind, strict: args.strict, log: false, ...progress.options });
  try {
    for await (const r of ds) await each(r);
  } finally {
    progress.stop();
  }
  return ds.report;
}

function fail(err: unknown): never {
  if (err instanceof RecordError || err instanceof DatasetFormatError) {
    console.error(`error: ${err.message}`);
    process.exit(2);
  }
  throw err;
}

const validate = defineCommand({
  meta: { name: 'validate', description: 'Check every record against the schema; list the bad ones' },
  args: { ...fileArgs, 'max-issues': { type: 'string', default: '20', description: 'Issues to print' } },
  async run({ args }) {
    const started = performance.now();
    const stats = new StatsCollector();
    let report: LoadReport;
    try {
      report = await stream(args.file, args, 'validate', (r) => stats.add(r));
    } catch (err) {
      fail(err);
    }
    const seconds = (performance.now() - started) / 1000;
    if (args.json) {
      console.log(JSON.stringify({ ...report, seconds }, null, 2));
    } else {
      printIssues(report, Number(args['max-issues']));
      console.log(renderTable(['file', 'format', 'records', 'valid', 'skipped', 'seconds'], [
        [path.basename(report.file), `${report.format ?? '?'}${report.bom ? '+BOM' : ''}`, report.total, report.valid, report.skipped, seconds.toFixed(2)],
      ]));
    }
    if (report.skipped > 0) process.exitCode = 1;
  },
});

const stats = defineCommand({
  meta: { name: 'stats', description: 'Counts per problem type, data type, source (and task)' },
  args: fileArgs,
  async run({ args }) {
    const collector = new StatsCollector();
    let report: LoadReport;
    try {
      report = await stream(args.file, args, 'stats', (r) => collector.add(r));
    } catch (err) {
      fail(err);
    }
    const s = collector.stats;
    if (args.json) {
      const obj = (m: Map<string, number>) => Object.fromEntries(m);
      console.log(JSON.stringify({
        records: s.records, skipped: report.skipped, uniquePaths: s.uniquePaths, withProcess: s.withProcess,
        byProblemType: obj(s.byProblemType), byDataType: obj(s.byDataType), bySource: obj(s.bySource), byTask: obj(s.byTask),
      }, null, 2));
      return;
    }
    console.log(formatStats(s));
    console.log(summarizeReport(report));
  },
});

const checkMediaCmd = defineCommand({
  meta: { name: 'check-media', description: 'Probe every referenced video/image under the data root' },
  args: {
    ...fileArgs,
    'data-root': { type: 'string', description: "Directory the records' paths are relative to (default: the file's directory)" },
    concurrency: { type: 'string', default: '4', description: 'Probes at once' },
  },
  async run({ args }) {
    const dataRoot = path.resolve(args['data-root'] ?? path.dirname(args.file));
    await stat(dataRoot).catch(() => fail(new DatasetFormatError(dataRoot, 'the data root does not exist')));
    const progress = byteProgress('check-media', !args.json);
    const ds = loadDataset(args.file, { kind: args.kind as FileKind, strict: args.strict, log: false, ...progress.options });
    let media;
    try {
      media = await checkMedia(ds, { dataRoot, concurrency: Number(args.concurrency) });
    } catch (err) {
      progress.stop();
      fail(err);
    }
    progress.stop();
    if (args.json) {
      console.log(JSON.stringify({ load: ds.report, media }, null, 2));
    } else {
      for (const p of media.problems.slice(0, 20)) {
        console.error(`${p.kind}: ${p.path} (${p.recordCount} record${p.recordCount === 1 ? '' : 's'}, first ${p.records[0]}): ${p.message}`);
      }
      if (media.problems.length > 20) console.error(`… and ${media.problems.length - 20} more`);
      console.log(renderTable(['records', 'media files', 'ok', 'missing', 'unreadable', 'escapes', 'skipped records'], [
        [media.records, media.checked, media.ok, media.byKind.missing, media.byKind.unreadable, media.byKind.escape, ds.report.skipped],
      ]));
    }
    if (media.problems.length > 0 || ds.report.skipped > 0) process.exitCode = 1;
  },
});

const sample = defineCommand({
  meta: { name: 'sample', description: 'Print a seeded random sample of records with their prompts' },
  args: {
    ...fileArgs,
    n: { type: 'string', default: '3', description: 'How many records' },
    seed: { type: 'string', default: '0', description: 'Sampling seed' },
    template: { type: 'enum', options: ['train', 'eval', 'cot'], default: 'train', description: 'Prompt template' },
  },
  async run({ args }) {
    const n = Number(args.n);
    const rng = createRng(Number(args.seed));
    // Reservoir sampling: one pass, memory for n records only.
    const picked: VideoR1Record[] = [];
    let seen = 0;
    let report: LoadReport;
    try {
      report = await stream(args.file, { ...args, json: true }, 'sample', (r) => {
        seen++;
        if (picked.length < n) picked.push(r);
        else {
          const j = Math.floor(rng() * seen);
          if (j < n) picked[j] = r;
        }
      });
    } catch (err) {
      fail(err);
    }
    const template = args.template as PromptTemplate;
    if (args.json) {
      console.log(JSON.stringify(picked.map((r) => ({ record: r, prompt: buildPrompt(r, { template }) })), null, 2));
      return;
    }
    for (const r of picked) {
      console.log(`── ${r.problem_id ?? '?'} · ${r.data_type} · ${r.problem_type} · ${r.data_source ?? ''} · ${r.path}`);
      console.log(buildPrompt(r, { template }));
      if (typeof r.process === 'string') console.log(`[process] ${r.process}`);
      console.log(`[solution] ${r.solution}\n`);
    }
    console.log(`${picked.length} of ${report.valid} valid records (${report.skipped} skipped)`);
  },
});

const synthetic = defineCommand({
  meta: { name: 'synthetic', description: 'Generate (or reuse) the embedded synthetic video-reasoning set' },
  args: {
    dir: { type: 'string', description: 'Directory (default: VIDEO_R1_CACHE/synthetic or <repo>/.cache/synthetic)' },
    seed: { type: 'string', default: '0' },
    size: { type: 'string', default: '2450', description: 'Training questions' },
    resolution: { type: 'string', default: '32' },
    force: { type: 'boolean', default: false },
  },
  async run({ args }) {
    const progress = new Progress({ withoutTerminal: 'none' });
    let started = false;
    const set = await ensureSyntheticSet({
      ...(args.dir === undefined ? {} : { dir: args.dir }),
      seed: Number(args.seed),
      size: Number(args.size),
      resolution: Number(args.resolution),
      force: args.force,
      onProgress: ({ done, total }) => {
        if (!started) {
          progress.start('synthetic media', total);
          started = true;
        }
        progress.update(done);
      },
    });
    progress.close();
    const rows = (['train', 'validation', 'test'] as const).map((s) => {
      const m = set.manifest.splits[s];
      return [s, m.questions, m.videos, m.images, path.relative(process.cwd(), path.join(set.root, m.file))];
    });
    console.log(renderTable(['split', 'questions', 'videos', 'images', 'file'], rows));
  },
});

// ../package.json is the package's own from src/ and from dist/ alike.
const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

const main = defineCommand({
  meta: { name: 'video-r1-data', version, description: 'Validate, inspect and sample Video-R1 data files' },
  subCommands: { validate, stats, 'check-media': checkMediaCmd, sample, synthetic },
});

// citty colours its usage whenever NO_COLOR=1/CI are unset, even into a pipe: print it plain there.
void runMain(main, {
  showUsage: async (cmd, parent) => console.log(`${colorsFor(process.stdout, await renderUsage(cmd, parent))}\n`),
});

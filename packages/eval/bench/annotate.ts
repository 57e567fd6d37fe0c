/**
 * Throughput of `runAnnotation` + `openAIAdapter` against a fake chat-completions server on
 * 127.0.0.1 (its own process), at concurrency 1, 8 and 32: requests per second with instant
 * answers (what the client itself can drive) and with a 50 ms answer time, where a client that
 * adds nothing reaches concurrency / 0.05 s. Text-only samples: frame decoding and JPEG encoding
 * are media work, measured by video-io's bench, not part of the request pipeline.
 * Run: pnpm --filter @video-r1/eval bench:annotate
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { COT_DECODING, openAIAdapter, runAnnotation } from '../src/index.js';
import type { VideoR1Record } from '@video-r1/datasets';

const here = dirname(fileURLToPath(import.meta.url));

async function startServer(latencyMs: number): Promise<{ url: string; stop(): void }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'fake-chat-server.ts')], { env: { ...process.env, LATENCY_MS: String(latencyMs) }, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString().trim()));
    child.once('exit', (code) => reject(new Error(`fake server exited with ${code}`)));
  });
  return { url, stop: () => child.kill() };
}

function samples(n: number): VideoR1Record[] {
  return Array.from({ length: n }, (_, i) => ({
    problem_id: i,
    problem: `Q${i}: which box moved first?`,
    data_type: 'video',
    problem_type: 'multiple choice',
    options: ['A. red', 'B. blue', 'C. green', 'D. none'],
    solution: '<answer>A</answer>',
    path: '', // no media: the request pipeline alone
    data_source: 'bench',
  }));
}

async function measure(url: string, concurrency: number, n: number): Promise<number> {
  const outDir = await mkdtemp(join(tmpdir(), 'annotate-bench-'));
  try {
    const adapter = openAIAdapter({ baseUrl: url, model: 'bench', decoding: COT_DECODING, maxConcurrency: concurrency });
    const started = performance.now();
    const run = await runAnnotation({ samples: samples(n), adapter, outDir, mediaRoot: outDir, concurrency });
    const seconds = (performance.now() - started) / 1000;
    if (run.annotated !== n || run.failed !== 0) throw new Error(`expected ${n} annotations, got ${run.annotated} (${run.failed} failed)`);
    return n / seconds;
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
}

const rows: string[] = [];
for (const latencyMs of [0, 50]) {
  const server = await startServer(latencyMs);
  try {
    await measure(server.url, 8, 200); // warm-up: JIT, sockets
    for (const concurrency of [1, 8, 32]) {
      const n = latencyMs === 0 ? 2000 : Math.max(100, concurrency * 40);
      const rounds = [];
      for (let r = 0; r < 3; r++) rounds.push(await measure(server.url, concurrency, n));
      const best = Math.max(...rounds);
      const ideal = latencyMs === 0 ? null : concurrency / (latencyMs / 1000);
      rows.push(`| ${latencyMs} ms | ${concurrency} | ${n} | ${best.toFixed(0)} | ${ideal === null ? '–' : `${ideal.toFixed(0)} (${((best / ideal) * 100).toFixed(0)} %)`} |`);
      console.error(`latency ${latencyMs} ms, concurrency ${concurrency}: ${rounds.map((x) => x.toFixed(0)).join(' / ')} requests/s`);
    }
  } finally {
    server.stop();
  }
}
console.log('| server answer time | concurrency | requests | requests/s (best of 3) | concurrency / answer time |');
console.log('|---|---|---|---|---|');
for (const row of rows) console.log(row);

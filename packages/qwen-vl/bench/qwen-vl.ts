// pnpm --filter @video-r1/qwen-vl bench [-- --quick] [-- --backends cpu,wasm] [-- --only tiny-a,random-100m] [-- --big] [-- --torch]
//
// For the three tiny parity checkpoints and a ≈106 M-parameter random config (written by this
// package's saver into a temp dir): load time and peak RSS, prefill and decode tokens/s (KV cache),
// forward+backward time per sequence, on every backend that loads. Each figure comes from a fresh
// child process (peak RSS is per process). --big also loads a ≈342 M-parameter random checkpoint
// (BF16, sharded) to measure the loader's peak RSS. --torch runs bench/torch_qwen2.py (the same
// decoder in plain torch ops, Debian's python3-torch) on the same checkpoints, side by side.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

import { RANDOM_100M, RANDOM_300M, writeRandomCheckpoint } from './random-checkpoint.js';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    backends: { type: 'string', default: 'cpu,wasm,tensorflow' },
    big: { type: 'boolean', default: false },
    torch: { type: 'boolean', default: false },
    only: { type: 'string' },
  },
});

const here = import.meta.dirname;
const fixtures = path.join(here, '..', 'test', 'fixtures', 'models');

type Row = Record<string, number | string | undefined>;

function child(args: string[]): Row {
  const run = spawnSync(process.execPath, ['--import', 'tsx', path.join(here, 'qwen-vl-child.ts'), ...args], {
    cwd: path.join(here, '..'), // where `--import tsx` resolves
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  const line = run.stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop();
  if (line === undefined) {
    const lines = (run.stderr || `exit ${run.status}`).trim().split('\n');
    return { error: lines.find((l) => /Error/.test(l)) ?? lines.slice(-3).join(' | ') };
  }
  return JSON.parse(line) as Row;
}

function fmt(value: unknown, digits = 1): string {
  return typeof value === 'number' ? value.toFixed(digits) : '—';
}

function torch(dir: string, prompt: number, newTokens: number, completion: number, runs: number): Row {
  try {
    const out = execFileSync(process.env['QWEN_VL_BENCH_PYTHON'] ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3'), [path.join(here, 'torch_qwen2.py'), dir, String(prompt), String(newTokens), String(completion), String(runs)], {
      encoding: 'utf8',
      maxBuffer: 1 << 24,
    });
    return JSON.parse(out.trim().split('\n').pop() as string) as Row;
  } catch (error) {
    return { error: (error as Error).message.split('\n')[0] };
  }
}

const temp = mkdtempSync(path.join(tmpdir(), 'qwen-vl-bench-'));
try {
  const models: Array<{ name: string; dir: string; prompt: number; newTokens: number; completion: number; runs?: number }> = [
    { name: 'tiny-a', dir: path.join(fixtures, 'tiny-a'), prompt: 128, newTokens: 32, completion: 32 },
    { name: 'tiny-b', dir: path.join(fixtures, 'tiny-b'), prompt: 128, newTokens: 32, completion: 32 },
    { name: 'tiny-c', dir: path.join(fixtures, 'tiny-c'), prompt: 128, newTokens: 32, completion: 32 },
  ];
  const only = values.only?.split(',');
  const random100m = path.join(temp, 'random-100m');
  if (only === undefined || only.includes('random-100m')) {
    const written = writeRandomCheckpoint(random100m, RANDOM_100M, 'F32');
    console.log(`random-100m: ${(written / 1e6).toFixed(1)} M parameters written to ${random100m}`);
  }
  models.push({ name: 'random-100m', dir: random100m, prompt: values.quick ? 32 : 64, newTokens: values.quick ? 4 : 8, completion: values.quick ? 8 : 16, runs: 1 });

  const defaultRuns = values.quick ? 1 : 3;
  const backends = values.backends.split(',').map((b) => b.trim());
  console.log(`\nmachine: ${process.platform} ${process.arch}, node ${process.version}; best of ${defaultRuns} runs after a warm-up (random-100m: 1); batch 1`);
  console.log('model         backend  params(M)  load ms  load peak RSS MB (base)  prefill tok/s (L)  decode tok/s  fwd+bwd ms (L, K)');
  const rows: Array<{ model: string; backend: string; row: Row }> = [];
  for (const m of models) {
    const runs = m.runs ?? defaultRuns;
    if (only !== undefined && !only.includes(m.name)) continue;
    for (const backend of backends) {
      const row = child(['--model', m.dir, '--backend', backend, '--prompt', String(m.prompt), '--new-tokens', String(m.newTokens), '--completion', String(m.completion), '--runs', String(runs)]);
      rows.push({ model: m.name, backend, row });
      if (row['error'] !== undefined) {
        console.log(`${m.name.padEnd(13)} ${backend.padEnd(8)} does not load: ${row['error']}`);
        continue;
      }
      console.log(
        `${m.name.padEnd(13)} ${backend.padEnd(8)} ${fmt((row['parameters'] as number) / 1e6, 2).padStart(9)}  ${fmt(row['loadMs'], 0).padStart(7)}  ` +
          `${fmt(row['loadPeakRssMB'], 0).padStart(8)} (${fmt(row['baselineRssMB'], 0)})            ${fmt(row['prefillTokensPerSecond'], 0).padStart(8)} (${m.prompt})  ` +
          `${fmt(row['decodeTokensPerSecond'], 1).padStart(11)}  ${fmt(row['fwdBwdMs'], 0).padStart(9)} (${m.prompt}, ${m.completion})`,
      );
    }
    if (values.torch) {
      const t = torch(m.dir, m.prompt, m.newTokens, m.completion, runs);
      if (t['error'] !== undefined) {
        console.log(`${m.name.padEnd(13)} torch    unavailable: ${t['error']}`);
        continue;
      }
      console.log(
        `${m.name.padEnd(13)} torch${String(t['threads'] ?? '')}t  ${fmt((t['parameters'] as number) / 1e6, 2).padStart(9)}  ${fmt(t['loadMs'], 0).padStart(7)}  ` +
          `${fmt(t['loadPeakRssMB'], 0).padStart(8)} (${fmt(t['baselineRssMB'], 0)})            ${fmt(t['prefillTokensPerSecond'], 0).padStart(8)} (${m.prompt})  ` +
          `${fmt(t['decodeTokensPerSecond'], 1).padStart(11)}  ${fmt(t['fwdBwdMs'], 0).padStart(9)} (${m.prompt}, ${m.completion})`,
      );
      for (const r of rows.filter((x) => x.model === m.name && x.row['error'] === undefined)) {
        console.log(
          `${''.padEnd(13)} ${r.backend}/torch time ratio: prefill ×${fmt((t['prefillMs'] as number) === 0 ? undefined : (r.row['prefillMs'] as number) / (t['prefillMs'] as number), 2)}, ` +
            `decode ×${fmt((r.row['decodeMsPerToken'] as number) / (t['decodeMsPerToken'] as number), 2)}, fwd+bwd ×${fmt((r.row['fwdBwdMs'] as number) / (t['fwdBwdMs'] as number), 2)}`,
        );
      }
    }
  }

  if (values.big) {
    const dir = path.join(temp, 'random-300m');
    const n = writeRandomCheckpoint(dir, RANDOM_300M, 'BF16', 256_000_000);
    rmSync(random100m, { recursive: true, force: true });
    for (const backend of backends.filter((x) => x === 'cpu' || x === 'wasm')) {
      const row = child(['--model', dir, '--backend', backend, '--load-only']);
      console.log(
        `\nloader peak RSS, ${(n / 1e6).toFixed(1)} M parameters (BF16 shards on disk, float32 in memory = ${((n * 4) / 2 ** 20).toFixed(0)} MB), ${backend} backend: ` +
          (row['error'] !== undefined
            ? `failed: ${row['error']}`
            : `peak ${fmt(row['loadPeakRssMB'], 0)} MB, process before loading ${fmt(row['baselineRssMB'], 0)} MB ` +
              `→ ${fmt((row['loadPeakRssMB'] as number) - (row['baselineRssMB'] as number), 0)} MB for the weights ` +
              `(${fmt((((row['loadPeakRssMB'] as number) - (row['baselineRssMB'] as number)) * 2 ** 20) / (n * 4), 3)} × their float32 size), load ${fmt(row['loadMs'], 0)} ms`),
      );
    }
  }
} finally {
  rmSync(temp, { recursive: true, force: true });
}

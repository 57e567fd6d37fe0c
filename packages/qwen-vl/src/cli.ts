#!/usr/bin/env node
// video-r1-qwen-vl cases <in.jsonl> --out <out.jsonl> [--backend cpu|wasm|tensorflow|auto]
//
// The parity runner of the Qwen2.5-VL vectors. Without --backend the backend comes from
// VIDEO_R1_BACKEND / TFJS_BACKEND, else the fastest that loads (selectBackend's order).
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';

import { type BackendPreference, parseBackendPreference, selectBackend } from '@video-r1/tensor';

import { runCases } from './cases/runner.js';

const USAGE = 'usage: video-r1-qwen-vl cases <in.jsonl> --out <out.jsonl> [--backend cpu|wasm|tensorflow|tensorflow-gpu|auto] [--quiet]\n       video-r1-qwen-vl --version';

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      out: { type: 'string', short: 'o' },
      backend: { type: 'string' },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
      version: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (values.version) {
    // ../package.json is the package's own from src/ and from dist/ alike.
    const { version } = createRequire(import.meta.url)('../package.json') as { version: string };
    process.stdout.write(`${version}\n`);
    return 0;
  }
  const [command, casesFile] = positionals;
  if (command !== 'cases' || casesFile === undefined || values.out === undefined) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const preference: BackendPreference | undefined =
    values.backend === undefined ? undefined : parseBackendPreference(values.backend, '--backend');
  await selectBackend(preference, { argumentLabel: '--backend' });
  const started = performance.now();
  const summary = runCases(casesFile, values.out, {
    onCase: values.quiet
      ? undefined
      : (r) => process.stderr.write(`${r.ok ? 'ok   ' : 'ERROR'} ${r.id} ${r.seconds.toFixed(2)} s${r.error ? `: ${r.error.slice(0, 200)}` : ''}\n`),
  });
  process.stderr.write(
    `${summary.total} cases, ${summary.errors} errors, ${((performance.now() - started) / 1000).toFixed(1)} s → ${values.out}\n`,
  );
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`video-r1-qwen-vl: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);

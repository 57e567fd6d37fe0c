// The forward / logprobs / generate / lora parity cases (a subset of the public vectors, copied by
// scripts/subset-model-vectors.mjs) through the runner, on cpu and on wasm.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { beforeAll, describe, expect, it } from 'vitest';

import { runCases } from '../src/cases/runner.js';
import { TEST_BACKENDS, useBackend } from './helpers/backend.js';
import { compareValue } from './helpers/case-compare.js';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
const CASES = path.join(FIXTURES, 'model-cases.jsonl');

interface FixtureCase {
  id: string;
  kind: string;
  expect: Record<string, unknown>;
  tol: Record<string, { rtol?: number; atol?: number; atol_rel_max?: number }>;
}

const cases: FixtureCase[] = readFileSync(CASES, 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l) as FixtureCase);

describe.each(TEST_BACKENDS)('model parity cases on %s', (backend) => {
  const outputs = new Map<string, { output?: Record<string, unknown>; error?: string }>();
  let outDir = '';
  beforeAll(async () => {
    await useBackend(backend);
    outDir = mkdtempSync(path.join(tmpdir(), 'qwenvl-model-'));
    const outFile = path.join(outDir, 'out.jsonl');
    const summary = runCases(CASES, outFile);
    expect(summary.errors).toBe(0);
    for (const line of readFileSync(outFile, 'utf8').split('\n').filter((l) => l.trim())) {
      const record = JSON.parse(line) as { id: string; output?: Record<string, unknown>; error?: string };
      outputs.set(record.id, record);
    }
  }, 120_000);

  it('covers every kind over the three checkpoints', () => {
    expect(new Set(cases.map((c) => c.kind))).toEqual(new Set(['forward', 'logprobs', 'generate', 'lora']));
    expect(new Set(cases.map((c) => c.id.split('-')[2]))).toEqual(new Set(['a', 'b', 'c']));
  });

  it.each(cases.map((c) => [c.id, c] as const))('%s matches the reference', (_id, c) => {
    const record = outputs.get(c.id);
    expect(record?.error).toBeUndefined();
    for (const [key, exp] of Object.entries(c.expect)) {
      const r = compareValue(exp, record?.output?.[key], c.tol[key], FIXTURES, outDir);
      expect(r.ok, `${c.id} ${key}: ${r.why}`).toBe(true);
    }
  });
});

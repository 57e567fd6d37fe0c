// The runner CLI end to end (from source through tsx): arguments, backend flag, one output line
// per case, errors as {"id","error"} lines.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

const PKG = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');

function cli(args: string[]): { status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { cwd: PKG, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stderr: r.stderr };
}

describe('video-r1-qwen-vl cases', () => {
  it('answers every case on the requested backend and reports bad cases as error lines', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'qwenvl-cli-'));
    const cases = path.join(dir, 'cases.jsonl');
    const fixture = readFileSync(path.join(PKG, 'test', 'fixtures', 'model-cases.jsonl'), 'utf8')
      .split('\n')
      .find((l) => l.includes('"forward-tiny-a-0012"'))!;
    // A text-only forward case needs no bins; its model is named relative to the temp dir's models/.
    const first = JSON.parse(fixture) as { id: string; kind: string; input: Record<string, unknown> };
    writeFileSync(
      cases,
      [
        JSON.stringify({ ...first, model: path.relative(path.join(dir, 'models'), path.join(PKG, 'test', 'fixtures', 'models', 'tiny-a')) }),
        JSON.stringify({ id: 'odd-1', kind: 'unheard-of', model: 'tiny-a', input: {} }),
        '{not json',
      ].join('\n'),
    );
    const out = path.join(dir, 'out.jsonl');
    const r = cli(['cases', cases, '--out', out, '--backend', 'wasm']);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('backend: wasm');
    const lines = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { id: string; output?: Record<string, unknown>; error?: string });
    expect(lines).toHaveLength(3);
    expect(lines[0]!.id).toBe(first.id);
    expect(lines[0]!.output?.['rope_deltas']).toBeDefined();
    expect(lines[0]!.output?.['logits']).toMatchObject({ bin: 'out.jsonl.bin', dtype: 'float32' });
    expect(lines[1]).toMatchObject({ id: 'odd-1', error: expect.stringContaining('unknown kind "unheard-of"') });
    expect(lines[2]!.error).toContain('not JSON');
  }, 120_000);

  it('exits 2 with the usage on missing arguments and names a bad backend', () => {
    const usage = cli(['cases']);
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain('usage: video-r1-qwen-vl cases');
    const bad = cli(['cases', 'x.jsonl', '--out', 'y.jsonl', '--backend', 'quantum']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('"quantum" is not a TensorFlow.js backend');
  }, 120_000);
});

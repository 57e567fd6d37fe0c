import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

import { type CheckpointMarker, findCheckpointDirs } from '../src/index.js';

const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

function root(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'cli-kit-ckpt-'));
  roots.push(dir);
  return dir;
}

/** A format whose checkpoints hold `marker.json` with `{ kind: "test", createdAt }`. */
function probe(dir: string): CheckpointMarker | null {
  const file = path.join(dir, 'marker.json');
  const data = JSON.parse(readFileSync(file, 'utf8')) as { kind?: string; createdAt?: string };
  return data.kind === 'test' ? { file, createdAt: data.createdAt ?? '' } : null;
}

function write(dir: string, createdAt: string | undefined, kind = 'test', mtimeSec?: number): void {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'marker.json');
  writeFileSync(file, JSON.stringify({ kind, ...(createdAt === undefined ? {} : { createdAt }) }));
  if (mtimeSec !== undefined) utimesSync(file, mtimeSec, mtimeSec);
}

describe('findCheckpointDirs', () => {
  it('orders by createdAt, newest first, whatever the names say', () => {
    const run = root();
    write(path.join(run, 'checkpoints', 'rl-000002'), '2026-01-01T00:00:03.000Z');
    write(path.join(run, 'checkpoints', 'final'), '2026-01-01T00:00:01.000Z');
    write(path.join(run, 'checkpoints', 'sft'), '2026-01-01T00:00:02.000Z');
    expect(findCheckpointDirs(run, probe).map((c) => c.name)).toEqual(['rl-000002', 'sft', 'final']);
  });

  it('breaks equal createdAt by when the marker was written, and skips hidden, foreign and incomplete directories', () => {
    const dir = root();
    write(path.join(dir, 'a'), '', 'test', 1_000);
    write(path.join(dir, 'b'), '', 'test', 2_000);
    write(path.join(dir, '.c'), '2030-01-01T00:00:00.000Z');
    write(path.join(dir, 'other'), '2030-01-01T00:00:00.000Z', 'other-format');
    mkdirSync(path.join(dir, 'empty'));
    expect(findCheckpointDirs(dir, probe).map((c) => c.name)).toEqual(['b', 'a']);
  });

  it('returns the directory itself when it is a checkpoint, with links resolved', () => {
    const dir = root();
    const real = path.join(dir, 'run-1', 'final');
    write(real, '2026-01-01T00:00:00.000Z');
    symlinkSync(path.join(dir, 'run-1'), path.join(dir, 'latest'));
    expect(findCheckpointDirs(path.join(dir, 'latest', 'final'), probe)).toEqual([
      { dir: real, name: 'final', createdAt: '2026-01-01T00:00:00.000Z' },
    ]);
    expect(findCheckpointDirs(path.join(dir, 'missing'), probe)).toEqual([]);
  });
});

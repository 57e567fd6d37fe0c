import { existsSync, mkdtempSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { presetConfig } from '../src/config/presets.js';
import { MetricsWriter, readMetrics } from '../src/run/metrics.js';
import { linkLatest } from '@video-r1/cli-kit';
import { lockRun } from '../src/run/lock.js';
import { resolveRunToResume as findRunToResume } from '../src/run/resume.js';
import { createRunDir } from '../src/run/run-dir.js';

function tempOut(): string {
  return mkdtempSync(path.join(tmpdir(), 'trainer-runs-'));
}

describe('run directory', () => {
  it('creates the layout, writes config.json and points latest at the newest run', () => {
    const out = tempOut();
    const config = { ...presetConfig('smoke'), out, runId: null };
    const first = createRunDir(config, new Date(2025, 0, 2, 3, 4, 5));
    expect(first.id).toBe('20250102-030405-tgrpo-s42');
    expect(JSON.parse(readFileSync(first.config, 'utf8'))).toEqual(config);
    expect(existsSync(first.checkpoints)).toBe(true);
    linkLatest(first.root);
    const second = createRunDir(config, new Date(2025, 0, 2, 3, 4, 5));
    expect(second.id).toBe('20250102-030405-tgrpo-s42-2');
    linkLatest(second.root);
    expect(readlinkSync(path.join(out, 'latest'))).toBe(second.id);
    expect(findRunToResume('latest', out).root).toBe(second.root);
    expect(findRunToResume(first.root, out).root).toBe(first.root);
  });

  it('refuses to reuse a named run and explains --resume', () => {
    const out = tempOut();
    const config = { ...presetConfig('smoke'), out, runId: 'mine' };
    createRunDir(config);
    expect(() => createRunDir(config)).toThrow(/already exists: pass --resume/);
  });

  it('refuses to resume something that is not a run', () => {
    const out = tempOut();
    expect(() => findRunToResume('latest', out)).toThrow(/no run to resume/);
    expect(() => findRunToResume(out, out)).toThrow(/not a run directory/);
  });

  it('takes over the lock of a dead process but not of a live one', () => {
    const out = tempOut();
    const paths = createRunDir({ ...presetConfig('smoke'), out, runId: 'locked' });
    writeFileSync(paths.lock, '999999999\n');
    const release = lockRun(paths);
    expect((JSON.parse(readFileSync(paths.lock, 'utf8')) as { pid: number }).pid).toBe(process.pid);
    release();
    writeFileSync(paths.lock, `${process.ppid}\n`);
    expect(() => lockRun(paths)).toThrow(/in use by process/);
  });
});

describe('metrics.jsonl', () => {
  it('writes one object per line, NaN as null, and truncates after a checkpoint on resume', () => {
    const file = path.join(tempOut(), 'metrics.jsonl');
    const writer = new MetricsWriter(file);
    writer.write({ stage: 'sft', step: 1, loss: 2 });
    writer.write({ stage: 'sft', step: 2, loss: 1 });
    writer.write({ stage: 'rl', step: 1, reward: Number.NaN });
    writer.write({ stage: 'rl', step: 2, reward: 1 });
    writer.write({ stage: 'rl', step: 3, reward: 2 });
    expect(readMetrics(file)[2]).toEqual({ stage: 'rl', step: 1, reward: null });
    // A kill during a write leaves half a line behind.
    writeFileSync(file, readFileSync(file, 'utf8') + '{"stage":"rl","st');
    expect(readMetrics(file)).toHaveLength(5);
    const kept = writer.truncateAfter({ stage: 'rl', step: 1 });
    expect(kept.map((r) => `${r.stage}${r.step}`)).toEqual(['sft1', 'sft2', 'rl1']);
    expect(readMetrics(file)).toEqual(kept);
    writer.write({ stage: 'rl', step: 2, reward: 5 });
    expect(readMetrics(file).map((r) => r.step)).toEqual([1, 2, 1, 2]);
    writer.truncateAfter(null);
    expect(readMetrics(file)).toEqual([]);
  });
});

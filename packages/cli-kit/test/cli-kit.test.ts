import { mkdtempSync, readFileSync, readdirSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  Progress,
  formatDuration,
  formatPercent,
  formatTimestamp,
  linkLatest,
  niceTicks,
  outOfRangeNumbers,
  readLatestLink,
  removeStaleTemporaries,
  renderChart,
  barChartSvg,
  writeFileAtomic,
  writeFileAtomicSync,
  writeJsonAtomic,
} from '../src/index.js';

const fresh = (): string => mkdtempSync(path.join(tmpdir(), 'cli-kit-'));

describe('atomic writes', () => {
  it('replace a file whole, create its directory and leave no temporary behind', async () => {
    const dir = fresh();
    const file = path.join(dir, 'sub', 'a.json');
    await writeJsonAtomic(file, { a: 1 });
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ a: 1 });
    writeFileAtomicSync(file, new Uint8Array([104, 105]));
    expect(readFileSync(file, 'utf8')).toBe('hi');
    await writeFileAtomic(file, 'again');
    expect(readFileSync(file, 'utf8')).toBe('again');
    expect(readdirSync(path.dirname(file))).toEqual(['a.json']);
  });

  it('writes chunks (sync and async iterables) as one file', async () => {
    const file = path.join(fresh(), 'big.json');
    await writeFileAtomic(file, ['[', '1,', new Uint8Array([50]), ']']);
    expect(readFileSync(file, 'utf8')).toBe('[1,2]');
    async function* parts(): AsyncGenerator<string> {
      yield 'a';
      yield 'b';
    }
    await writeFileAtomic(file, parts());
    expect(readFileSync(file, 'utf8')).toBe('ab');
  });

  it('removeStaleTemporaries deletes what a killed writer left, and only that', async () => {
    const dir = fresh();
    const file = path.join(dir, 'results.json');
    writeFileSync(file, '{}');
    writeFileSync(path.join(dir, '.results.json.tmp-123-abcd'), 'half');
    writeFileSync(path.join(dir, '.other.json.tmp-1-ff'), 'not ours');
    await removeStaleTemporaries(file);
    expect(readdirSync(dir).sort()).toEqual(['.other.json.tmp-1-ff', 'results.json']);
  });
});

describe('latest link', () => {
  it('points <parent>/latest at the newest directory and reads it back', () => {
    const parent = fresh();
    expect(readLatestLink(parent)).toBeNull();
    for (const name of ['run-1', 'run-2']) {
      writeFileAtomicSync(path.join(parent, name, 'x'), name);
      linkLatest(path.join(parent, name));
    }
    expect(realpathSync(readLatestLink(parent)!)).toBe(realpathSync(path.join(parent, 'run-2')));
    expect(readFileSync(path.join(parent, 'latest', 'x'), 'utf8')).toBe('run-2');
  });
});

describe('formatting', () => {
  it('percent with one decimal, a dash for missing values', () => {
    expect(formatPercent(0.4531)).toBe('45.3');
    expect(formatPercent(0.4531, { sign: true })).toBe('45.3%');
    expect(formatPercent(null)).toBe('–');
    expect(formatPercent(Number.NaN, { sign: true })).toBe('–');
  });
  it('timestamps sort as the dates they name', () => {
    expect(formatTimestamp(new Date(2025, 0, 2, 3, 4, 5))).toBe('20250102-030405');
    expect(formatTimestamp(new Date(2025, 10, 20, 13, 14, 15))).toBe('20251120-131415');
  });
  it('durations in s, min and h', () => {
    expect(formatDuration(42.4)).toBe('42 s');
    expect(formatDuration(185)).toBe('3 min 05 s');
    expect(formatDuration(7620)).toBe('2 h 07 min');
    expect(formatDuration(Number.POSITIVE_INFINITY)).toBe('–');
  });
});

describe('Progress without a terminal', () => {
  it('prints about ten lines per stage and the last value', () => {
    const stream = new PassThrough() as unknown as NodeJS.WriteStream;
    let out = '';
    (stream as unknown as PassThrough).on('data', (chunk: Buffer) => (out += chunk.toString()));
    const progress = new Progress({ stream });
    progress.start('work', 100);
    for (let i = 1; i <= 100; i++) progress.update(i, `step ${i}`);
    progress.close();
    const lines = out.trim().split('\n');
    expect(lines[0]).toBe('work: 0/100');
    expect(lines).toHaveLength(11);
    expect(lines.at(-1)).toBe('work: 100/100 step 100');
  });
  it('prints as many lines as asked, without the eta when the status carries one', () => {
    const stream = new PassThrough() as unknown as NodeJS.WriteStream;
    let out = '';
    (stream as unknown as PassThrough).on('data', (chunk: Buffer) => (out += chunk.toString()));
    const progress = new Progress({ stream, linesPerStage: 20, plainEta: false });
    progress.start('resumed', 100, 40);
    for (let i = 41; i <= 100; i++) progress.update(i, '| errors 0');
    expect(out.trim().split('\n')).toHaveLength(1 + 12);
    expect(out).not.toContain('eta');
    expect(progress.measure(40).perSecond).toBe(0);
    expect(Number.isNaN(progress.measure(40).etaSeconds)).toBe(true);
  });

  it('prints nothing when asked to stay quiet', () => {
    const stream = new PassThrough() as unknown as NodeJS.WriteStream;
    let out = '';
    (stream as unknown as PassThrough).on('data', (chunk: Buffer) => (out += chunk.toString()));
    const progress = new Progress({ stream, withoutTerminal: 'none' });
    progress.start('quiet', 3);
    progress.update(3);
    expect(out).toBe('');
  });
});

describe('SVG charts', () => {
  it('nice ticks cover the range in steps of 1, 2 or 5 × 10^k', () => {
    expect(niceTicks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(3, 97, 5)).toEqual([0, 20, 40, 60, 80, 100]);
  });
  it('escape text and say when there is no data', () => {
    expect(renderChart({ id: 'e', title: 'a < b', xLabel: 'x', series: [{ name: 'a', points: [] }] })).toContain('a &lt; b</title>');
    const bars = barChartSvg('acc', ['x & y'], [{ label: '16 frames', values: [50] }]);
    expect(bars).toContain('x &amp; y');
    expect(bars).toContain('>50.0<');
  });
});

describe('outOfRangeNumbers', () => {
  it('names every field whose number JSON.parse read as ±Infinity, and nothing else', () => {
    const parsed = JSON.parse('{ "rl": { "lr": 1e400, "steps": 3 }, "frames": [16, -1e999], "name": "x" }') as unknown;
    const problems = outOfRangeNumbers(parsed);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^rl\.lr: the number is out of range .* Infinity\)/);
    expect(problems[1]).toMatch(/^frames\[1\]: .* -Infinity\)/);
    expect(outOfRangeNumbers(JSON.parse('1e400'))[0]).toMatch(/^\(top level\): /);
    expect(outOfRangeNumbers({ a: [1, 1.7e308, -Number.MAX_VALUE], b: null })).toEqual([]);
  });
});

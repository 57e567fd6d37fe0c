// A data file that cannot be used as a whole (missing, a directory, cut off mid-record) is one
// typed error and exit status 2 — never a raw ENOENT/EISDIR stack — and every command numbers
// records by their position in the file.
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { writeVideo } from '@video-r1/video-io';
import { beforeAll, describe, expect, it } from 'vitest';
import { DatasetFileError, DatasetFormatError, loadDataset, readDataset } from '../src/index.js';
import { checkMedia } from '../src/media.js';
import { record, tempDir } from './helpers.js';

const run = promisify(execFile);
const CLI = path.join(import.meta.dirname, '..', 'src', 'cli.ts');
const cli = (...args: string[]) =>
  run(process.execPath, ['--import', 'tsx', CLI, ...args], { encoding: 'utf8' }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );

const base = tempDir('vr1-file-errors-');

async function errorOf(file: string): Promise<unknown> {
  try {
    await readDataset(file);
  } catch (error) {
    return error;
  }
  throw new Error(`expected ${file} to fail`);
}

describe('files that cannot be read', () => {
  it('the library throws DatasetFileError with a code for a missing file and for a directory', async () => {
    const missing = path.join(base, 'nope.json');
    const missingError = await errorOf(missing);
    expect(missingError).toBeInstanceOf(DatasetFileError);
    expect(missingError).toBeInstanceOf(DatasetFormatError);
    expect(missingError).toMatchObject({ code: 'not-found', file: missing, message: `${missing}: no such file; check the path` });
    const dirError = await errorOf(base);
    expect(dirError).toMatchObject({ code: 'is-directory', message: `${base}: is a directory; pass the JSON or JSON-lines file inside it` });
  });

  it('every CLI command answers with one line and exit 2', { timeout: 60_000 }, async () => {
    const missing = path.join(base, 'nope.json');
    for (const args of [['validate', missing], ['stats', missing], ['check-media', missing, '--data-root', base], ['sample', base]]) {
      const r = await cli(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack
    }
    expect((await cli('validate', missing)).stderr).toBe(`error: ${missing}: no such file; check the path\n`);
  });
});

describe('a JSON-lines file cut off in its last record', () => {
  it('is reported as truncated (exit 2), while a final line that is merely invalid stays a bad record', { timeout: 30_000 }, async () => {
    const whole = [record(0), record(1), record(2)].map((r) => JSON.stringify(r));
    const cut = path.join(base, 'cut.jsonl');
    writeFileSync(cut, `${whole[0]}\n${whole[1]}\n${whole[2]!.slice(0, 40)}`);
    const error = await errorOf(cut);
    expect(error).toBeInstanceOf(DatasetFormatError);
    expect((error as Error).message).toBe(
      `${cut}: truncated JSON lines: the file ends inside record 2 (line 3, byte ${whole[0]!.length + whole[1]!.length + 2}) after 2 complete records; the file is probably an incomplete download — fetch it again`,
    );
    const r = await cli('validate', cut);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('truncated JSON lines');

    // Complete but wrong (an extra brace), or an invalid line followed by a line end: bad records.
    const invalid = path.join(base, 'invalid.jsonl');
    writeFileSync(invalid, `${whole[0]}\n${whole[1]}}`);
    const { report } = await readDataset(invalid, { log: false });
    expect(report).toMatchObject({ valid: 1, skipped: 1, issueCounts: { syntax: 1 } });
    writeFileSync(invalid, `${whole[0]}\n${whole[1]!.slice(0, 40)}\n`);
    expect((await readDataset(invalid, { log: false })).report).toMatchObject({ valid: 1, skipped: 1 });
  });
});

describe('record numbers', () => {
  const root = path.join(base, 'media');
  beforeAll(async () => {
    mkdirSync(root, { recursive: true });
    await writeVideo(path.join(root, 'ok.mp4'), { data: new Uint8Array(2 * 16 * 16 * 3).fill(90), frames: 2, height: 16, width: 16 }, { fps: 2 });
  });

  it('check-media numbers records by file position, skipped records counted, as validate does', { timeout: 60_000 }, async () => {
    const file = path.join(base, 'positions.json');
    // Record 1 is invalid (skipped); record 2 names a missing file: it is record 2, not the 2nd valid one (1).
    writeFileSync(file, JSON.stringify([record(0, { path: './ok.mp4' }), record(1, { problem_type: 'yes/no' }), record(2, { path: './gone.mp4' }), record(3, { path: './gone.mp4' })]));
    const ds = loadDataset(file, { log: false });
    const report = await checkMedia(ds, { dataRoot: root });
    expect(report.problems).toEqual([expect.objectContaining({ path: './gone.mp4', kind: 'missing', records: [2, 3], recordCount: 2 })]);
    expect(ds.report.issues[0]).toMatchObject({ index: 1 });

    const r = await cli('check-media', file, '--data-root', root);
    expect(r.stderr).toContain('missing: ./gone.mp4 (2 records, first 2)');
    expect((await cli('validate', file)).stderr).toContain('record 1 (line 1)');
  });
});

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { openJournal, readJournal } from '../src/annotate/journal.js';
import { writeJsonArrayAtomic } from '../src/annotate/stream-json.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'eval-annotate-files-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function collect(path: string): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const record of readJournal(path)) out.push(record);
  return out;
}

it('cuts the partial last line a kill leaves in the journal, and appends after the last whole line', async () => {
  const path = join(dir, '.cot_journal.jsonl');
  await writeFile(path, '{"journal":{"model":"m"}}\n{"cot_key":"id:0"}\n{"cot_key":"id:1"}\n{"cot_key":"id:2","ans');
  expect(await collect(path)).toEqual([{ journal: { model: 'm' } }, { cot_key: 'id:0' }, { cot_key: 'id:1' }]);
  const journal = await openJournal(path, { journal: { model: 'not written: the journal is not empty' } });
  await journal.append({ cot_key: 'id:2', answer: 'B' });
  await journal.close();
  expect(await readFile(path, 'utf8')).toBe('{"journal":{"model":"m"}}\n{"cot_key":"id:0"}\n{"cot_key":"id:1"}\n{"cot_key":"id:2","answer":"B"}\n');
  // A journal that is all torn line is emptied, then gets its header.
  await writeFile(path, '{"cot_k');
  expect(await collect(path)).toEqual([]);
  const fresh = await openJournal(path, { journal: { model: 'm2' } });
  await fresh.remove();
  expect(await collect(path)).toEqual([]);
});

it('writes arrays and objects record by record exactly as JSON.stringify(value, null, 2)', async () => {
  const records = [{ a: 1, nested: { b: [1, 2, { c: 'x\ny' }] }, s: 'ünï' }, {}, { empty: [] }];
  const path = join(dir, 'out.json');
  await writeJsonArrayAtomic(path, records);
  expect(await readFile(path, 'utf8')).toBe(`${JSON.stringify(records, null, 2)}\n`);
  await writeJsonArrayAtomic(path, records, 'results', { annotation: { model: 'm', counts: [1, 2] } });
  expect(await readFile(path, 'utf8')).toBe(`${JSON.stringify({ results: records, annotation: { model: 'm', counts: [1, 2] } }, null, 2)}\n`);
  await writeJsonArrayAtomic(path, []);
  expect(await readFile(path, 'utf8')).toBe('[]\n');
  await writeJsonArrayAtomic(path, [], 'results', { annotation: {} });
  expect(await readFile(path, 'utf8')).toBe(`${JSON.stringify({ results: [], annotation: {} }, null, 2)}\n`);
});

/**
 * A real child process annotating against a loopback server is killed with SIGKILL mid-run; a
 * resumed run ends with exactly one record per sample, asking no sample again that had finished.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { COT_DECODING, openAIAdapter, runAnnotation } from '../src/index.js';
import type { AnnotatedRecord } from '../src/index.js';
import { fakeFrames, manyAnswer, manySamples, questionId, writeMedia } from './helpers/annotate-samples.js';
import { completion, startChatServer } from './helpers/chat-server.js';
import type { ChatServer } from './helpers/chat-server.js';

const here = dirname(fileURLToPath(import.meta.url));
const SAMPLES = 40;

let dir: string;
let server: ChatServer;
/** Until the resume, answers after the 20th take 3 s: the child is surely killed mid-run, requests in flight. */
let stallAfter = 20;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'eval-annotate-kill-'));
  await writeMedia(join(dir, 'data'), manySamples(3));
  stallAfter = 20;
  server = await startChatServer((req) => ({ delayMs: req.index > stallAfter ? 3000 : 30, body: completion(manyAnswer(questionId(req.text))) }));
});

afterEach(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

async function linesOf(path: string): Promise<string[]> {
  try {
    return (await readFile(path, 'utf8')).split('\n').filter((l) => l !== '');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

async function resultsIn(path: string): Promise<AnnotatedRecord[]> {
  try {
    return (JSON.parse(await readFile(path, 'utf8')) as { results: AnnotatedRecord[] }).results;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error; // a torn results file would land here and fail the test
  }
}

it('resumes a run killed with SIGKILL with exactly one record per sample and nothing asked twice', { timeout: 60_000 }, async () => {
  const out = join(dir, 'out');
  const journal = join(out, '.cot_journal.jsonl');
  const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'helpers/annotate-child.ts')], {
    env: { ...process.env, ANNOTATE_SERVER_URL: server.url, ANNOTATE_OUT: out, ANNOTATE_MEDIA_ROOT: join(dir, 'data'), ANNOTATE_SAMPLES: String(SAMPLES) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  let gone = false;
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
    child.on('exit', (code, signal) => {
      gone = true;
      resolve(signal ?? code);
    }),
  );
  // Kill it once the journal holds some records and the results file has been written, requests in flight.
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline && !gone) {
    // More than 12 records: the journal's first line is its header.
    if ((await linesOf(journal)).length > 13 && (await resultsIn(join(out, 'cot_results.json'))).length > 0) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  child.kill('SIGKILL');
  expect(await exited, stderr).toBe('SIGKILL');

  const journaled = (await linesOf(journal)).slice(1).map((l) => JSON.parse(l) as AnnotatedRecord); // line 1: the header
  const written = await resultsIn(join(out, 'cot_results.json'));
  expect(journaled.length).toBeGreaterThan(12);
  expect(journaled.length).toBeLessThanOrEqual(20);
  // The journal is ahead of the results file (rewritten every 100 ms), never behind it.
  expect(written.length).toBeLessThanOrEqual(journaled.length);
  const finished = new Set(journaled.map((r) => r.problem_id));
  for (const r of written) expect(finished.has(r.problem_id)).toBe(true);
  const requestsBefore = server.requests.length;
  stallAfter = Infinity;

  const run = await runAnnotation({
    samples: manySamples(SAMPLES),
    adapter: openAIAdapter({ baseUrl: server.url, model: 'teacher', decoding: COT_DECODING, frameLoader: fakeFrames }),
    outDir: out,
    mediaRoot: join(dir, 'data'),
    concurrency: 4,
    resume: true,
  });

  const after = await resultsIn(join(out, 'cot_results.json'));
  expect(after.map((r) => r.problem_id)).toEqual(manySamples(SAMPLES).map((s) => s.problem_id));
  expect(new Set(after.map((r) => r.cot_key)).size).toBe(SAMPLES);
  after.forEach((r, i) => expect(r).toMatchObject({ reward: i % 2 === 0 ? 1 : 0, select: i % 2 === 0 }));
  expect(run.resumed).toBe(journaled.length);
  expect(run.annotated).toBe(SAMPLES - journaled.length);
  const askedAgain = server.requests.slice(requestsBefore).map((r) => questionId(r.text));
  expect(askedAgain.filter((id) => finished.has(id))).toEqual([]);
  expect(askedAgain).toHaveLength(SAMPLES - journaled.length);
  expect((JSON.parse(await readFile(join(out, 'cot_sft.json'), 'utf8')) as unknown[]).length).toBe(SAMPLES / 2);
  // The journal and the killed writer's temporary files are gone.
  expect((await readdir(out)).sort()).toEqual(['cot_results.json', 'cot_sft.json', 'cot_summary.json']);
});

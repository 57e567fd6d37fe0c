/**
 * A real child process annotating against a loopback server is killed with SIGKILL mid-run; a
 * resumed run ends with exactly one record per sample, asking no sample again that had finished.
 */
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { COT_DECODING, openAIAdapter, runAnnotation } from '../src/index.js';
import type { AnnotatedRecord } from '../src/index.js';
import { fakeFrames, manyAnswer, manySamples, questionId, writeMedia } from './helpers/annotate-samples.js';
import { gate, spawnTsx, waitUntil } from './helpers/child-process.js';
import { completion, startChatServer } from './helpers/chat-server.js';
import type { ChatServer } from './helpers/chat-server.js';

const here = dirname(fileURLToPath(import.meta.url));
const SAMPLES = 40;
/** The server answers this many requests; later ones wait until the child is dead (it is killed with these in flight). */
const ANSWERED = 12;
/** The child's concurrency (helpers/annotate-child.ts). */
const CHILD_CONCURRENCY = 3;

let dir: string;
let server: ChatServer;
let childDead: ReturnType<typeof gate>;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'eval-annotate-kill-'));
  await writeMedia(join(dir, 'data'), manySamples(3));
  childDead = gate();
  server = await startChatServer(async (req) => {
    if (req.index > ANSWERED) await childDead.opened;
    return { delayMs: 5, body: completion(manyAnswer(questionId(req.text))) };
  });
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

it('resumes a run killed with SIGKILL with exactly one record per sample and nothing asked twice', { timeout: 90_000 }, async () => {
  const out = join(dir, 'out');
  const journal = join(out, '.cot_journal.jsonl');
  const child = spawnTsx(join(here, 'helpers/annotate-child.ts'), {
    ANNOTATE_SERVER_URL: server.url,
    ANNOTATE_OUT: out,
    ANNOTATE_MEDIA_ROOT: join(dir, 'data'),
    ANNOTATE_SAMPLES: String(SAMPLES),
  });
  // Killed once every answered sample is journaled, the results file has been written, and the
  // child's next requests are waiting at the server (so no answer can land between look and kill).
  await waitUntil(child, 45_000, async () => {
    const records = (await linesOf(journal)).length - 1; // line 1: the header
    const written = (await resultsIn(join(out, 'cot_results.json'))).length;
    const requests = server.requests.length;
    return { done: records === ANSWERED && written > 0 && requests === ANSWERED + CHILD_CONCURRENCY, state: `${records} journaled, ${written} written, ${requests} requests` };
  });
  child.kill('SIGKILL');
  expect(await child.exited, child.stderr).toBe('SIGKILL');
  childDead.open();

  const journaled = (await linesOf(journal)).slice(1).map((l) => JSON.parse(l) as AnnotatedRecord);
  const written = await resultsIn(join(out, 'cot_results.json'));
  expect(journaled).toHaveLength(ANSWERED);
  // The journal is ahead of the results file (rewritten every 100 ms), never behind it.
  expect(written.length).toBeLessThanOrEqual(journaled.length);
  const finished = new Set(journaled.map((r) => r.problem_id));
  expect(finished.size).toBe(ANSWERED);
  for (const r of written) expect(finished.has(r.problem_id)).toBe(true);
  const requestsBefore = server.requests.length;

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

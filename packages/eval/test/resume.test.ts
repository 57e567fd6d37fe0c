import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { openAIAdapter, runEvaluation } from '../src/index.js';
import type { EvalResult } from '../src/index.js';
import { completion, startChatServer } from './helpers/chat-server.js';
import type { ChatServer } from './helpers/chat-server.js';
import { gate, spawnTsx, waitUntil } from './helpers/child-process.js';
import { expectedReward, questionId, scriptedAnswer, testSamples } from './helpers/samples.js';

const here = dirname(fileURLToPath(import.meta.url));
const SAMPLES = 30;
/** The server answers this many requests; later ones wait until the child is dead (it is killed with these in flight). */
const ANSWERED = 10;
/** The child's concurrency and batch size (helpers/child-run.ts): the file holds every answer once it is written. */
const CHILD_CONCURRENCY = 2;

let dir: string;
let server: ChatServer;
let childDead: ReturnType<typeof gate>;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'eval-resume-'));
  childDead = gate();
  server = await startChatServer(async (req) => {
    if (req.index > ANSWERED) await childDead.opened;
    return { delayMs: 5, body: completion(scriptedAnswer(questionId(req.text))) };
  });
});

afterEach(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

async function resultsIn(path: string): Promise<EvalResult[] | null> {
  try {
    return (JSON.parse(await readFile(path, 'utf8')) as { results: EvalResult[] }).results;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error; // a torn file would land here and fail the test
  }
}

it('a run killed with SIGKILL mid-way resumes and ends with exactly one result per sample', { timeout: 90_000 }, async () => {
  const out = join(dir, 'eval_synthetic_16frames_greedy_output.json');
  const child = spawnTsx(join(here, 'helpers/child-run.ts'), { EVAL_SERVER_URL: server.url, EVAL_OUT: out, EVAL_SAMPLES: String(SAMPLES) });
  // Killed once every answer is on disk and the child's next requests wait at the server (so no
  // answer can land between look and kill).
  await waitUntil(child, 45_000, async () => {
    const written = (await resultsIn(out))?.length ?? 0;
    const requests = server.requests.length;
    return { done: written === ANSWERED && requests === ANSWERED + CHILD_CONCURRENCY, state: `${written} written, ${requests} requests` };
  });
  child.kill('SIGKILL');
  expect(await child.exited, child.stderr).toBe('SIGKILL');
  childDead.open();
  const before = (await resultsIn(out))!;
  expect(before).toHaveLength(ANSWERED);
  const requestsBeforeResume = server.requests.length;

  const run = await runEvaluation({
    benchmark: 'synthetic',
    samples: testSamples(SAMPLES),
    adapter: openAIAdapter({ baseUrl: server.url, model: 'm' }),
    outputPath: out,
    dataRoot: dir,
    concurrency: 4,
    resume: true,
  });

  const after = (await resultsIn(out))!;
  expect(after).toHaveLength(SAMPLES);
  expect(after.map((r) => r.problem_id)).toEqual(testSamples(SAMPLES).map((s) => s.problem_id));
  expect(new Set(after.map((r) => r.eval_key)).size).toBe(SAMPLES);
  after.forEach((r, i) => expect(r.reward).toBeCloseTo(expectedReward(i), 6));
  expect(run.resumed).toBe(before.length);
  expect(run.evaluated).toBe(SAMPLES - before.length);
  // Samples saved before the kill were not asked again.
  const askedAgain = server.requests.slice(requestsBeforeResume).map((r) => questionId(r.text));
  for (const r of before) expect(askedAgain).not.toContain(r.problem_id);
  expect((JSON.parse(await readFile(out, 'utf8')) as { evaluation: { complete: boolean } }).evaluation.complete).toBe(true);
  // The killed writer's temporary files are gone.
  expect((await readdir(dir)).filter((n) => n.includes('.tmp-'))).toEqual([]);
});

it('refuses to overwrite an existing results file unless resuming', async () => {
  const out = join(dir, 'out.json');
  const options = { benchmark: 'synthetic', samples: testSamples(3), adapter: openAIAdapter({ baseUrl: server.url, model: 'm' }), outputPath: out, dataRoot: dir };
  await runEvaluation(options);
  await expect(runEvaluation(options)).rejects.toThrow(/already holds 3 results.*--resume/);
  const again = await runEvaluation({ ...options, resume: true });
  expect(again).toMatchObject({ resumed: 3, evaluated: 0 });
});

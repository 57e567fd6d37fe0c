/**
 * Child process for the deadline test, started with `--expose-gc`: a server on 127.0.0.1 that
 * accepts every request and never answers, an evaluation against it with a caller's signal (as the
 * evaluator passes one), and a garbage collection forced every few milliseconds. Prints one JSON
 * line with what happened; a watchdog ends the process with status 3 if the run hangs.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openAIAdapter, runEvaluation } from '../../src/index.js';
import { testSamples } from './samples.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('start this child with --expose-gc');
const timeoutMs = Number(process.env.EVAL_TIMEOUT_MS ?? '200');
const watchdogMs = Number(process.env.EVAL_WATCHDOG_MS ?? '10000');

let accepted = 0;
const server = createServer(() => {
  accepted++; // read nothing, answer nothing: the socket stays open
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
const dir = await mkdtemp(join(tmpdir(), 'eval-deadline-'));

const started = Date.now();
const collector = setInterval(() => gc(), 5);
const watchdog = setTimeout(() => {
  console.log(JSON.stringify({ hung: true, elapsedMs: Date.now() - started, accepted }));
  process.exit(3);
}, watchdogMs);

const caller = new AbortController();
const { results } = await runEvaluation({
  benchmark: 'synthetic',
  samples: testSamples(4),
  adapter: openAIAdapter({ baseUrl: url, model: 'm', timeoutMs, retry: { maxRetries: 1, baseDelayMs: 1, maxDelayMs: 1 } }),
  outputPath: join(dir, 'out.json'),
  dataRoot: dir,
  concurrency: 2,
  signal: caller.signal,
});
const elapsedMs = Date.now() - started;
clearInterval(collector);
clearTimeout(watchdog);
server.closeAllConnections();
server.close();
await rm(dir, { recursive: true, force: true });
console.log(JSON.stringify({ hung: false, elapsedMs, accepted, errors: results.map((r) => r.error?.kind ?? null), attempts: results.map((r) => r.error?.attempts ?? null) }));

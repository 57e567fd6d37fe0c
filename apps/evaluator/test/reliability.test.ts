/**
 * The command line when things go wrong, as a real child process against loopback servers: a
 * server that never answers, one that echoes the API key back, a run killed with SIGKILL and
 * resumed without --out, and the run-state rule `--resume` picks its run by.
 */
import { existsSync, readFileSync, readdirSync, readlinkSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { chooseResumeTarget } from '../src/resume-target.js';
import { startCli, writeMcqBenchmark } from './helpers/cli.js';

const KEY = 'sk-evaluator-test-0123456789SECRET';
let dir: string;
const servers: Server[] = [];

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

async function serve(onChat: Handler): Promise<string> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (req.url === '/v1/models') return void res.end(JSON.stringify({ data: [{ id: 'served-model' }] }));
      onChat(req, res, body);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
}

const answer: Handler = (_req, res) => {
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ choices: [{ message: { role: 'assistant', content: '<answer>B</answer>' } }] }));
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'evaluator-reliability-'));
  await writeMcqBenchmark(dir);
});

afterEach(() => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    server.close();
  }
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function start(args: string[], env: Record<string, string> = {}): ReturnType<typeof startCli> {
  return startCli(['--benchmarks', 'eval_mvbench.json', '--media', 'video_url', ...args], dir, { EVALUATOR_RESULTS_DIR: join(dir, 'results'), ...env });
}

function filesUnder(root: string): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

describe('evaluator reliability', () => {
  it('ends a run against a server that never answers by --timeout-ms and exits 1 saying nothing was answered', { timeout: 60_000 }, async () => {
    const url = await serve(() => undefined); // accepts, never answers
    const t0 = Date.now();
    const { code, stdout, stderr } = await start(['--model', url, '--out', 'silent', '--timeout-ms', '300', '--max-retries', '0', '--concurrency', '3']).done;
    expect(code, stderr).toBe(1);
    expect(Date.now() - t0).toBeLessThan(30_000);
    expect(stderr).toContain('no sample was answered: all 6 model calls failed (first: sample ');
    expect(stderr).toContain('no answer within 300 ms');
    expect(stdout).toContain('MVBench'); // the tables are still printed, then the failure is said
  });

  it('exits 1 when more than --max-failed-ratio of the answers failed, and 0 within it', { timeout: 60_000 }, async () => {
    // Odd question ids fail with a 400 (not retried): 3 of 6.
    const url = await serve((req, res, body) => {
      if (Number(/Q(\d+)/.exec(body)![1]) % 2 === 1) return void res.writeHead(400).end('{"error":"bad"}');
      answer(req, res, body);
    });
    const strict = await start(['--model', url, '--out', 'half-strict', '--max-failed-ratio', '0.4']).done;
    expect(strict.code, strict.stderr).toBe(1);
    expect(strict.stderr).toContain('3 of 6 model calls failed (50.0 %, more than --max-failed-ratio 0.4)');
    const lenient = await start(['--model', url, '--out', 'half-lenient', '--max-failed-ratio', '0.5']).done;
    expect(lenient.code, lenient.stderr).toBe(0);
  });

  it('never writes the API key a server echoes back: not to stdout, stderr or any file', { timeout: 60_000 }, async () => {
    let seen = '';
    const url = await serve((req, res) => {
      seen = String(req.headers.authorization);
      res.writeHead(req.headers['x-attempt'] ? 500 : 503, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'upstream down', echo: req.headers }));
    });
    const { code, stdout, stderr } = await start(['--model', url, '--out', 'echo', '--max-retries', '1'], { OPENAI_API_KEY: KEY }).done;
    expect(seen).toBe(`Bearer ${KEY}`);
    expect(code).toBe(1);
    expect(stderr).toContain('[REDACTED]');
    const written = filesUnder(join(dir, 'echo')).map((file) => readFileSync(file, 'utf8'));
    expect(written.length).toBeGreaterThanOrEqual(4);
    for (const text of [stdout, stderr, ...written]) expect(text).not.toContain(KEY.slice(0, 16));
  });

  it('resumes the run a SIGKILL interrupted when --resume has no --out, and says which run and why', { timeout: 90_000 }, async () => {
    const good = await serve(answer);
    const first = await start(['--model', good]).done; // a finished run: results/latest → it
    expect(first.code, first.stderr).toBe(0);
    const latestLink = join(dir, 'results', 'latest');
    const finished = join(dir, 'results', readlinkSync(latestLink));

    // Two answers, then silence; killed once both are on disk (batch size 1).
    let answered = 0;
    const stalling = await serve((req, res, body) => {
      if (answered++ < 2) answer(req, res, body);
    });
    const crashed = start(['--model', stalling, '--batch-size', '1', '--concurrency', '1']);
    let crashedDir = '';
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (Date.now() > deadline) throw new Error('the second run never wrote two answers');
      const target = join(dir, 'results', readlinkSync(latestLink));
      const file = join(target, 'eval_mvbench_16frames_greedy_output.json');
      if (target !== finished && existsSync(file) && (JSON.parse(readFileSync(file, 'utf8')) as { results: unknown[] }).results.length === 2) {
        crashedDir = target;
        break;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    crashed.child.kill('SIGKILL');
    await crashed.done;

    let asked = 0;
    const counting = await serve((req, res, body) => {
      asked++;
      answer(req, res, body);
    });
    const resumed = await start(['--model', counting, '--resume']).done;
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain(`output: ${crashedDir} (resuming: results/latest points at it and it stopped before writing summary.json)`);
    expect(asked).toBe(4); // the crashed run's two answers were kept
    const results = (JSON.parse(readFileSync(join(crashedDir, 'eval_mvbench_16frames_greedy_output.json'), 'utf8')) as { results: unknown[] }).results;
    expect(results).toHaveLength(6);
    expect(existsSync(join(crashedDir, 'summary.json'))).toBe(true);
  });
});

describe('chooseResumeTarget', () => {
  async function run(name: string, state: 'finished' | 'crashed' | 'failed'): Promise<string> {
    const runDir = join(dir, 'pick', name);
    await mkdir(runDir, { recursive: true });
    if (state !== 'crashed') await writeFile(join(runDir, 'summary.json'), JSON.stringify({ runs: [{ summary: { total: { count: 4, errors: state === 'failed' ? 2 : 0 } } }] }));
    return runDir;
  }

  it('prefers an unfinished run started after results/latest, and never an older one', async () => {
    const old = await run('20250101-100000-m', 'crashed');
    const latest = await run('20250101-110000-m', 'finished');
    const parent = join(dir, 'pick');
    expect(chooseResumeTarget(parent, latest)).toEqual({ dir: latest, reason: expect.stringContaining('every run there finished') as string });
    const newer = await run('20250101-120000-m', 'crashed'); // written by an evaluator that moved latest only at the end
    expect(chooseResumeTarget(parent, latest)?.dir).toBe(newer);
    expect(chooseResumeTarget(parent, latest)?.reason).toContain('the newest unfinished run: it stopped before writing summary.json');
    const failing = await run('20250101-130000-m', 'failed');
    expect(chooseResumeTarget(parent, latest)).toEqual({ dir: failing, reason: expect.stringContaining('2 answer(s) failed') as string });
    expect(chooseResumeTarget(parent, old)?.dir).toBe(old);
    expect(statSync(old).isDirectory()).toBe(true);
  });
});

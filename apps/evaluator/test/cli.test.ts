/**
 * The command line end to end, as a real child process: an OpenAI-compatible server on 127.0.0.1,
 * a Video-R1-eval JSON file given by path (text-only samples, so no video decoding), a run, a
 * resume of the finished run, and `score` on its output.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type CliResult, runCli, writeMcqBenchmark } from './helpers/cli.js';

let dir: string;
let url: string;
let close: () => Promise<void>;
let videoParts = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'evaluator-cli-'));
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (req.url === '/v1/models') return void res.end(JSON.stringify({ data: [{ id: 'served-model' }] }));
      const text = JSON.stringify(JSON.parse(body));
      videoParts += (text.match(/"type":"video_url","video_url":\{"url":"data:video\/mp4;base64,/g) ?? []).length;
      // Right answer for even question ids, wrong for odd ones.
      const id = Number(/Q(\d+)/.exec(text)![1]);
      const answer = id % 2 === 0 ? 'B' : 'C';
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ choices: [{ message: { role: 'assistant', content: `<think>hmm</think><answer>${answer}</answer>` } }] }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  close = () => new Promise((resolve) => server.close(() => resolve()));
  await writeMcqBenchmark(dir);
});

afterAll(async () => {
  await close();
  await rm(dir, { recursive: true, force: true });
});

const cli = (args: string[]): Promise<CliResult> => runCli(args, dir);

it('evaluates an endpoint on a benchmark file, resumes, and re-scores', { timeout: 60_000 }, async () => {
  const run = await cli(['--model', url, '--benchmarks', 'eval_mvbench.json', '--frames', '16,32', '--out', 'out', '--concurrency', '2', '--media', 'video_url']);
  expect(run.code, run.stderr).toBe(0);
  expect(videoParts).toBe(12);
  expect(run.stdout).toContain('MVBench — 16 frames — 6 samples — profile video-r1');
  expect(run.stdout).toMatch(/\| multiple choice +\| +6 \| +50\.0 \|/);
  expect(run.stdout).toMatch(/\| MVBench +\| +50\.0 \| +50\.0 \|/);
  const files = await readdir(join(dir, 'out'));
  expect(files).toEqual(expect.arrayContaining(['eval_mvbench_16frames_greedy_output.json', 'eval_mvbench_32frames_greedy_output.json', 'report.html', 'report.md', 'summary.json']));
  const written = JSON.parse(await readFile(join(dir, 'out/eval_mvbench_16frames_greedy_output.json'), 'utf8')) as { final_acc: unknown; evaluation: { model: string; settings: { settings: { decoding: unknown } } } };
  expect(written.final_acc).toEqual([{ mean_acc: 0.5, mean_mra: 0 }]);
  expect(written.evaluation.model).toBe('served-model');

  const again = await cli(['--model', url, '--benchmarks', 'eval_mvbench.json', '--frames', '16,32', '--out', 'out', '--media', 'video_url']);
  expect(again.code).not.toBe(0);
  expect(again.stderr).toContain('already holds 6 results; resume it (--resume)');

  const resumed = await cli(['--model', url, '--benchmarks', 'eval_mvbench.json', '--frames', '16,32', '--out', 'out', '--media', 'video_url', '--resume']);
  expect(resumed.code, resumed.stderr).toBe(0);

  const scored = await cli(['score', 'out/eval_mvbench_16frames_greedy_output.json', '--profile', 'lmms-eval']);
  expect(scored.code, scored.stderr).toBe(0);
  expect(scored.stdout).toContain('final_acc recomputed:  [{"mean_acc":0.5,"mean_mra":0}]');
  expect(scored.stdout).toContain('profile lmms-eval');
});

it('names the bad field of a config file and exits with status 2', async () => {
  await writeFile(join(dir, 'bad.json'), JSON.stringify({ frames: [16, 'x'], concurency: 3 }));
  const run = await cli(['--config', 'bad.json']);
  expect(run.code).toBe(2);
  expect(run.stderr).toContain('frames[1] must be integer');
  expect(run.stderr).toContain('unknown field "concurency"');
});

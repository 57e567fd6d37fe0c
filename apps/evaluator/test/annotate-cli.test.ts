/**
 * `annotate` end to end as a real child process against an OpenAI-compatible server on 127.0.0.1,
 * and the in-process policy path through the same model-adapter interface.
 */
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildPrompt } from '@video-r1/datasets';
import { runAnnotation } from '@video-r1/eval';
import type { VideoR1Record } from '@video-r1/datasets';
import { Tokenizer, createPolicy, saveCheckpoint } from '@video-r1/policy';
import { selectBackend } from '@video-r1/tensor';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type CliResult, runCli } from './helpers/cli.js';
import { annotateSettings, annotationModel } from '../src/annotate-command.js';

let dir: string;
let url: string;
let close: () => Promise<void>;
const asked: number[] = [];
const bodies: Record<string, unknown>[] = [];

const samples: VideoR1Record[] = Array.from({ length: 6 }, (_, i) => ({
  problem_id: i,
  problem: `Q${i}: which one moved first?`,
  data_type: 'video',
  problem_type: 'multiple choice',
  options: ['A. x', 'B. y', 'C. z'],
  solution: '<answer>B</answer>',
  path: './videos/clip.mp4',
  data_source: i < 3 ? 'first' : 'second',
}));

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'evaluator-annotate-'));
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      if (req.url === '/v1/models') return void res.end(JSON.stringify({ data: [{ id: 'teacher-72b' }] }));
      const parsed = JSON.parse(body) as Record<string, unknown>;
      bodies.push(parsed);
      const id = Number(/Q(\d+)/.exec(JSON.stringify(parsed))![1]);
      asked.push(id);
      if (id === 5) return void res.writeHead(400).end(JSON.stringify({ error: { message: 'video too long' } }));
      // Right (with reasoning) for even ids, wrong for odd ones.
      res.end(JSON.stringify({ choices: [{ message: { role: 'assistant', content: `<think>Let me think about ${id}.</think><answer>${id % 2 === 0 ? 'B' : 'C'}</answer>` } }] }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  close = () => new Promise((resolve) => server.close(() => resolve()));
  await mkdir(join(dir, 'data/videos'), { recursive: true });
  await writeFile(join(dir, 'data/train.jsonl'), samples.map((s) => JSON.stringify(s)).join('\n'));
  await writeFile(join(dir, 'data/videos/clip.mp4'), 'stand-in bytes: --media video_url sends the file without decoding it');
});

afterAll(async () => {
  await close();
  await rm(dir, { recursive: true, force: true });
});

const cli = (args: string[]): Promise<CliResult> => runCli(args, dir);

it('annotates a JSONL file through an endpoint, reports failures with exit 1, refuses to overwrite, and resumes', { timeout: 60_000 }, async () => {
  const args = ['annotate', '--model', url, '--data', 'data/train.jsonl', '--out', 'cot', '--concurrency', '3', '--media', 'video_url', '--max-retries', '0'];
  const run = await cli(args);
  expect(run.code, run.stderr).toBe(1); // sample 5 failed (HTTP 400)
  expect(run.stderr).toContain('1 samples failed');
  // Without a TTY the progress is a line every 5 %: rate, ETA, running selection rate, failures.
  expect(run.stderr).toMatch(/annotate: 0\/6\n/);
  expect(run.stderr).toMatch(/annotate: 6\/6 \([\d.]+ samples\/s, ETA 0 s, selected 60\.0%, failed 1, retries 0\)/);
  expect(run.stderr).toContain('--resume');
  expect(asked.sort()).toEqual([0, 1, 2, 3, 4, 5]);
  const body = bodies[0]!;
  expect(body).toMatchObject({ model: 'teacher-72b', temperature: 1, top_p: 0.95, max_tokens: 512 });
  const content = (body.messages as { content: { type: string; text?: string }[] }[])[0]!.content;
  expect(content.map((p) => p.type)).toEqual(['video_url', 'text']);
  expect(content[1]!.text).toBe(buildPrompt(samples[Number(/Q(\d+)/.exec(content[1]!.text!)![1])]!, { template: 'cot' }));

  // The summary table: selection by problem type, data source, data type.
  expect(run.stdout).toMatch(/\| all +\| +6 \| +5 \| +1 \| +3 \| +60\.0 \|/);
  expect(run.stdout).toMatch(/\| first +\| +3 \| +3 \| +0 \| +2 \| +66\.7 \|/);
  expect(run.stdout).toMatch(/\| video +\| +6 \|/);
  expect(run.stdout).toContain('mean think length: 21 characters, 5.0 words');
  expect((await readdir(join(dir, 'cot'))).sort()).toEqual(['cot_results.json', 'cot_sft.json', 'cot_summary.json']);
  const sft = JSON.parse(await readFile(join(dir, 'cot/cot_sft.json'), 'utf8')) as { problem_id: number; process: string }[];
  expect(sft.map((r) => r.problem_id)).toEqual([0, 2, 4]);
  const summary = JSON.parse(await readFile(join(dir, 'cot/cot_summary.json'), 'utf8')) as { summary: { total: { failed: number } } };
  expect(summary.summary.total.failed).toBe(1);

  const again = await cli(args.filter((a) => a !== '--max-retries' && a !== '0'));
  expect(again.code).toBe(1);
  expect(again.stderr).toMatch(/already holds 6 records; continue it with --resume/);

  asked.length = 0;
  const resumed = await cli([...args, '--resume']);
  expect(resumed.code).toBe(1); // sample 5 is asked again, and fails again
  expect(asked).toEqual([5]);

  const bad = await cli(['annotate', '--data', 'data/train.jsonl', '--samples', '0']);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain('--model is required');
  expect(bad.stderr).toContain('--out is required');
  expect(bad.stderr).toContain('--samples expects an integer from 1 to 64');
});

it('annotates in process with a policy checkpoint, and says what a non-Qwen Hugging Face checkpoint needs', { timeout: 60_000 }, async () => {
  await selectBackend('cpu', { log: false });
  const textOnly: VideoR1Record[] = samples.slice(0, 3).map((s) => ({ ...s, path: '' })); // no media
  const tokenizer = Tokenizer.fit([...textOnly.map((s) => buildPrompt(s, { template: 'cot' })), '<think>the blue one</think><answer>B</answer>']);
  await saveCheckpoint(join(dir, 'policy/final'), { policy: createPolicy({ dModel: 16, nLayers: 1, nHeads: 2, dFF: 32, seed: 1 }, tokenizer) });
  const settings = annotateSettings({ model: join(dir, 'policy/final'), data: join(dir, 'data/train.jsonl'), out: join(dir, 'policy-out'), backend: 'cpu' });
  const model = await annotationModel(settings, textOnly, () => {});
  expect(model.adapter.name).toBe('policy:policy/final');
  expect(model.settings).toMatchObject({ backend: 'cpu', decoding: { temperature: 1, top_p: 0.95 } });
  const run = await runAnnotation({ samples: textOnly, adapter: model.adapter, outDir: settings.out, mediaRoot: dir, concurrency: 3 });
  await model.adapter.close?.();
  expect(run.failed).toBe(0);
  expect(run.records).toHaveLength(3);
  for (const r of run.records) expect(typeof r.output).toBe('string');

  // Qwen2.5-VL checkpoints run in process (annotate-qwen.test.ts); other architectures are served.
  await mkdir(join(dir, 'llava'), { recursive: true });
  await writeFile(join(dir, 'llava/config.json'), JSON.stringify({ model_type: 'llava' }));
  await expect(annotationModel({ ...settings, model: join(dir, 'llava') }, textOnly, () => {})).rejects.toThrow(/Hugging Face checkpoint of model_type llava.*vllm serve/);
});

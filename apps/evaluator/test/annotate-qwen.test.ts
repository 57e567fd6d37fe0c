// `annotate --model <Qwen2.5-VL dir> --adapter <PEFT dir>` in process: the run command's qwenModel
// with generate_cot_vllm.py's sampling, through runAnnotation, into cot_results.json.
import { mkdtempSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { VideoR1Record } from '@video-r1/datasets';
import { COT_DECODING, COT_SELECT_THRESHOLD, runAnnotation, scoreChain } from '@video-r1/eval';
import { QwenVLPolicy, createTinyQwenCheckpoint } from '@video-r1/qwen-vl';
import { selectBackend } from '@video-r1/tensor';
import { beforeAll, expect, it } from 'vitest';
import { annotateSettings, annotationModel } from '../src/annotate-command.js';

let dir: string;

const samples: VideoR1Record[] = Array.from({ length: 3 }, (_, i) => ({
  problem_id: i,
  problem: `Q${i}: which one moved first?`,
  data_type: 'video',
  problem_type: 'multiple choice',
  options: ['A. x', 'B. y'],
  solution: '<answer>B</answer>',
  path: '', // text only: no media to decode
  data_source: 'tiny',
}));

beforeAll(async () => {
  await selectBackend('cpu', { log: false });
  dir = mkdtempSync(path.join(tmpdir(), 'evaluator-annotate-qwen-'));
  createTinyQwenCheckpoint(path.join(dir, 'base'), { corpus: ['<think>the blue one</think><answer>B</answer>'], seed: 4, config: { num_hidden_layers: 1 } });
  const policy = QwenVLPolicy.load(path.join(dir, 'base'));
  policy.model.attachLora({ r: 2, alpha: 4, targetModules: ['q_proj', 'v_proj'] }, { seed: 1 });
  policy.model.saveAdapter(path.join(dir, 'adapter'));
  policy.dispose();
  await writeFile(path.join(dir, 'train.jsonl'), samples.map((s) => JSON.stringify(s)).join('\n'));
});

it('annotates with a Qwen2.5-VL checkpoint + adapter in process at temperature 1, top-p 0.95, 512 tokens', { timeout: 120_000 }, async () => {
  const settings = annotateSettings({ model: path.join(dir, 'base'), adapter: path.join(dir, 'adapter'), data: path.join(dir, 'train.jsonl'), out: path.join(dir, 'out'), backend: 'cpu', concurrency: '3' });
  const model = await annotationModel(settings, samples, () => {});
  expect(model.adapter.name).toBe('qwen2.5-vl:base+adapter');
  expect(model.settings).toMatchObject({ checkpoint: path.join(dir, 'base'), adapter: path.join(dir, 'adapter'), backend: 'cpu', decoding: COT_DECODING });
  expect(model.description).toContain(`up to ${COT_DECODING.max_tokens} new tokens, temperature ${COT_DECODING.temperature}, top_p ${COT_DECODING.top_p}`);
  const run = await runAnnotation({ samples, adapter: model.adapter, outDir: settings.out, mediaRoot: dir, concurrency: 3, metadata: { settings: model.settings } });
  await model.adapter.close?.();
  expect(run.failed).toBe(0);

  const written = JSON.parse(await readFile(path.join(settings.out, 'cot_results.json'), 'utf8')) as { results: Array<Record<string, unknown>>; annotation: Record<string, unknown> };
  expect(written.annotation).toMatchObject({ model: 'qwen2.5-vl:base+adapter' });
  expect(written.results.map((r) => r['problem_id'])).toEqual([0, 1, 2]);
  for (const r of written.results) {
    expect(typeof r['output']).toBe('string');
    expect(r['error']).toBeUndefined();
    // The record fields generate_cot_vllm.py adds, scored from the model's own reply.
    const chain = scoreChain(samples[0]!, r['output'] as string);
    expect(r['answer']).toBe(chain.answer);
    expect(r['reward']).toBe(chain.reward);
    expect(r['select']).toBe(chain.reward > COT_SELECT_THRESHOLD);
    expect(typeof r['cot_key']).toBe('string');
  }
});

it('refuses --adapter without a Qwen2.5-VL checkpoint', async () => {
  const settings = annotateSettings({ model: 'http://127.0.0.1:9/v1', adapter: path.join(dir, 'adapter'), data: path.join(dir, 'train.jsonl'), out: path.join(dir, 'refused') });
  await expect(annotationModel(settings, samples, () => {})).rejects.toThrow(/--adapter .*needs --model <Qwen2\.5-VL checkpoint directory>/);
});

/**
 * CoT annotation against a chat-completions server on 127.0.0.1: what is sent, what is recorded,
 * which chains are selected and written to the SFT file, failures, retries and best-of-k.
 */
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateRecord } from '@video-r1/datasets';
import type { VideoR1Record } from '@video-r1/datasets';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AnnotationError, COT_DECODING, openAIAdapter, readAnnotationFile, runAnnotation, summarizeAnnotation, annotationTables } from '../src/index.js';
import type { AnnotatedRecord, ModelAdapter, RunAnnotationOptions } from '../src/index.js';
import { completion, startChatServer } from './helpers/chat-server.js';
import type { ChatServer, ScriptedReply } from './helpers/chat-server.js';
import { TYPE_SAMPLES, fakeFrames, manyAnswer, manySamples, questionId, writeMedia } from './helpers/annotate-samples.js';

const FAST_RETRY = { maxRetries: 3, baseDelayMs: 2, maxDelayMs: 10 };

// generate_cot_vllm.py's QUESTION_TEMPLATE and TYPE_TEMPLATE, typed from the script.
const QUESTION_TEMPLATE =
  '{Question}\n' +
  'Please think about this question as if you were a human pondering deeply. ' +
  "Engage in an internal dialogue using expressions such as 'let me think', 'wait', 'Hmm', 'oh, I see', 'let's break it down', etc, or other natural language thought expressions " +
  "It's encouraged to include self-reflection or verification in the reasoning process. " +
  'Provide your detailed reasoning between the <think> and </think> tags, and then give your final answer between the <answer> and </answer> tags.';
const TYPE_TEMPLATE: Record<string, string> = {
  'multiple choice': ' Please provide only the single option letter (e.g., A, B, C, D, etc.) within the <answer> </answer> tags.',
  numerical: ' Please provide the numerical value (e.g., 42 or 3.14) within the <answer> </answer> tags.',
  OCR: ' Please transcribe text from the image/video clearly and provide your text answer within the <answer> </answer> tags.',
  'free-form': ' Please provide your text answer within the <answer> </answer> tags.',
  regression: ' Please provide the numerical value (e.g., 42 or 3.14) within the <answer> </answer> tags.',
};
function scriptPrompt(s: VideoR1Record): string {
  const question = s.problem_type === 'multiple choice' ? `${s.problem}Options:\n${s.options!.map((o) => `${o}\n`).join('')}` : s.problem;
  return QUESTION_TEMPLATE.replace('{Question}', () => question) + TYPE_TEMPLATE[s.problem_type];
}

let dir: string;
let server: ChatServer | undefined;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'eval-annotate-'));
  await writeMedia(join(dir, 'data'), [...TYPE_SAMPLES, ...manySamples(3)]);
});

afterEach(async () => {
  await server?.close();
  server = undefined;
  await rm(dir, { recursive: true, force: true });
});

const loads: { kind: string; maxFrames: number; maxPixels: number }[] = [];
function adapter(url: string, extra: Partial<Parameters<typeof openAIAdapter>[0]> = {}) {
  return openAIAdapter({
    baseUrl: url,
    model: 'teacher',
    decoding: COT_DECODING,
    retry: FAST_RETRY,
    frameLoader: async (media, budget) => {
      loads.push({ kind: media.kind, ...budget });
      return fakeFrames(media);
    },
    ...extra,
  });
}

function annotate(samples: readonly VideoR1Record[], options: Partial<RunAnnotationOptions> & Pick<RunAnnotationOptions, 'adapter'>) {
  return runAnnotation({ samples, outDir: join(dir, 'out'), mediaRoot: join(dir, 'data'), writeIntervalMs: 0, ...options });
}

async function readJson<T>(name: string): Promise<T> {
  return JSON.parse(await readFile(join(dir, 'out', name), 'utf8')) as T;
}

/** Replies by question id (Q0 … Q4 of TYPE_SAMPLES). */
const TYPE_REPLIES: Record<number, string> = {
  0: '<think>\n  The blue box starts first.  \n</think>\n<answer> B </answer>',
  1: '<think>I count four.</think><answer>4</answer>',
  2: '<think>The sign reads EXIT 12 B.</think><answer>EXIT 12 B</answer>',
  3: '<think>Dogs, a park.</think><answer>The dogs are running in the park</answer>',
  4: '<answer>11</answer>',
};

describe('runAnnotation against a loopback chat-completions server', () => {
  it('sends the cot prompt after the media parts, with temperature 1.0, top_p 0.95 and 512 tokens, for every problem type', async () => {
    server = await startChatServer((req) => ({ body: completion(TYPE_REPLIES[questionId(req.text)]!) }));
    loads.length = 0;
    await annotate(TYPE_SAMPLES, { adapter: adapter(server.url), concurrency: 2 });

    expect(server.requests).toHaveLength(TYPE_SAMPLES.length);
    for (const req of server.requests) {
      const sample = TYPE_SAMPLES[questionId(req.text)]!;
      const { model, messages, ...sampling } = req.body;
      expect(model).toBe('teacher');
      expect(sampling).toEqual({ temperature: 1.0, top_p: 0.95, max_tokens: 512 });
      expect(messages).toHaveLength(1);
      expect(messages![0]!.role).toBe('user');
      const content = messages![0]!.content as { type: string; text?: string; image_url?: { url: string } }[];
      // Media first (2 frames for a video, the image itself for an image), then the text.
      const frames = sample.data_type === 'video' ? 2 : 1;
      expect(content.map((p) => p.type)).toEqual([...Array<string>(frames).fill('image_url'), 'text']);
      expect(content[0]!.image_url!.url).toMatch(/^data:image\/jpeg;base64,\/9j\//);
      expect(content.at(-1)!.text).toBe(scriptPrompt(sample));
    }
    // qwen-vl-utils as Video-R1's copy configures it: 16 frames, 128·28·28 pixels per frame.
    expect(loads).toHaveLength(TYPE_SAMPLES.length);
    for (const l of loads) expect(l).toMatchObject({ maxFrames: 16, maxPixels: 128 * 28 * 28 });
  });

  it("records answer, reward (the script's reward_fn), select and process after every input field", async () => {
    server = await startChatServer((req) => ({ body: completion(TYPE_REPLIES[questionId(req.text)]!) }));
    const run = await annotate(TYPE_SAMPLES, { adapter: adapter(server.url) });
    const { results, annotation } = await readJson<{ results: AnnotatedRecord[]; annotation: { model: string; complete: boolean; samples_per_question: number } }>('cot_results.json');
    expect(results).toEqual(run.records);
    expect(annotation).toMatchObject({ model: 'teacher', complete: true, samples_per_question: 1 });

    const [mc, num, ocr, free, reg] = results as [AnnotatedRecord, AnnotatedRecord, AnnotatedRecord, AnnotatedRecord, AnnotatedRecord];
    // Key order: the sample's own, then what the script adds, then bookkeeping.
    expect(Object.keys(mc)).toEqual([...Object.keys(TYPE_SAMPLES[0]!), 'answer', 'reward', 'select', 'process', 'output', 'cot_key']);
    expect(mc).toMatchObject({ ...TYPE_SAMPLES[0], answer: 'B', reward: 1, select: true, process: '<think>The blue box starts first.</think>', output: TYPE_REPLIES[0], cot_key: 'id:0' });
    expect(num).toMatchObject({ answer: '4', reward: 0, select: false, process: '<think>I count four.</think>' });
    // Values of Video-R1's Python (rewards README): WER 1/4; ROUGE-1/2/L F1 mean; 1 − 1/10.
    expect(ocr).toMatchObject({ answer: 'EXIT 12 B', reward: 0.75, select: true });
    expect(free.reward).toBeCloseTo(0.6946386946386945, 12);
    expect(free.select).toBe(true);
    expect(reg.reward).toBeCloseTo(0.89999999991, 10);
    expect(reg).toMatchObject({ answer: '11', select: true, extra_field: { kept: true } });
    expect(reg.process).toBeUndefined(); // no think block: no process, as the script
    expect('process' in reg).toBe(false);
  });

  it('selects a chain only when its reward is above 0.6 (not at 0.6)', async () => {
    const ocr = (id: number, solution: string): VideoR1Record => ({ problem_id: id, problem: `Q${id}: read it`, data_type: 'image', problem_type: 'OCR', options: [], solution, path: './images/sign.png' });
    const samples = [ocr(0, '<answer>one two three four five</answer>'), ocr(1, '<answer>one two three four five</answer>'), ocr(2, '<answer>one two three four five</answer>')];
    const replies = ['one two three four five', 'one two three xx five', 'one two xx yy five'];
    server = await startChatServer((req) => ({ body: completion(`<think>reading</think><answer>${replies[questionId(req.text)]}</answer>`) }));
    const { records } = await annotate(samples, { adapter: adapter(server.url) });
    expect(records.map((r) => r.reward)).toEqual([1, 0.8, 0.6]);
    expect(records.map((r) => r.select)).toEqual([true, true, false]);
  });

  it('writes the selected records that have a process to cot_sft.json, in Video-R1-COT format', async () => {
    server = await startChatServer((req) => ({ body: completion(TYPE_REPLIES[questionId(req.text)]!) }));
    await annotate(TYPE_SAMPLES, { adapter: adapter(server.url) });
    const sft = await readJson<Record<string, unknown>[]>('cot_sft.json');
    // Selected: MC, OCR, free-form, regression; the regression reply has no think block.
    expect(sft.map((r) => r.problem_id)).toEqual([0, 2, 3]);
    for (const record of sft) {
      expect(validateRecord(record, 'cot')).toEqual([]);
      const keys = Object.keys(record);
      expect(keys.indexOf('process')).toBe(keys.indexOf('solution') - 1); // as Video-R1-COT-165k orders them
      for (const field of ['answer', 'reward', 'select', 'output', 'cot_key']) expect(record).not.toHaveProperty(field);
    }
    expect(sft[0]).toEqual({ problem_id: 0, problem: TYPE_SAMPLES[0]!.problem, data_type: 'video', problem_type: 'multiple choice', options: TYPE_SAMPLES[0]!.options, process: '<think>The blue box starts first.</think>', solution: '<answer>B</answer>', path: './videos/clip0.mp4', data_source: 'LLaVA-Video-178K/a' });
    const { summary } = await readJson<{ summary: ReturnType<typeof summarizeAnnotation> }>('cot_summary.json');
    expect(summary.total).toMatchObject({ count: 5, annotated: 5, selected: 4, sft: 3, failed: 0 });
    expect(summary.by_data_type.image).toMatchObject({ count: 2, selected: 2, sft: 1 });
    expect(summary.by_problem_type.numerical).toMatchObject({ count: 1, selected: 0, selection_rate: 0 });
    expect(summary.by_data_source.STAR).toMatchObject({ count: 2, selected: 1, selection_rate: 0.5 });
  });

  it('scores a malformed answer 0 and keeps no empty process', async () => {
    const replies = ['I think it is B.', '<think>   </think><answer>B', '<answer>B</answer><think>late</think>', '<think>unclosed <answer>B</answer>'];
    const samples = replies.map((_, i) => ({ ...manySamples(1)[0]!, problem_id: i, problem: `Q${i}: which?`, solution: '<answer>B</answer>' }));
    server = await startChatServer((req) => ({ body: completion(replies[questionId(req.text)]!) }));
    const { records } = await annotate(samples, { adapter: adapter(server.url) });
    expect(records.map((r) => [r.answer, r.reward, r.select, r.process])).toEqual([
      ['', 0, false, undefined],
      ['', 0, false, undefined],
      ['B', 1, true, '<think>late</think>'],
      ['B', 1, true, undefined], // selected, but without a process it stays out of the SFT file
    ]);
    expect(records.every((r) => r.error === undefined)).toBe(true);
  });

  it('retries 429, 5xx, malformed JSON and timeouts, then records the answers', async () => {
    const seen = new Map<number, number>();
    server = await startChatServer((req): ScriptedReply => {
      const id = questionId(req.text);
      const n = (seen.get(id) ?? 0) + 1;
      seen.set(id, n);
      if (id === 0 && n === 1) return { status: 429, headers: { 'retry-after': '0' }, body: { error: { message: 'slow down' } } };
      if (id === 1 && n <= 2) return { status: n === 1 ? 500 : 503, body: 'busy' };
      if (id === 2 && n === 1) return { body: '{"choices": [{"message": {"content": "<answer>B' };
      if (id === 3 && n === 1) return { delayMs: 1500, body: completion(manyAnswer(id)) };
      return { body: completion(manyAnswer(id)) };
    });
    const { records, failed } = await annotate(manySamples(5), { adapter: adapter(server.url, { timeoutMs: 200 }), concurrency: 5 });
    expect(failed).toBe(0);
    expect([0, 1, 2, 3, 4].map((id) => seen.get(id))).toEqual([2, 3, 2, 2, 1]);
    expect(records.map((r) => r.select)).toEqual([true, false, true, false, true]);
  });

  it('records a sample that keeps failing as failed (never <answer>error</answer>) and asks it again on resume', async () => {
    let broken = true;
    server = await startChatServer((req): ScriptedReply => {
      const id = questionId(req.text);
      if (broken && id === 2) return { status: 500, body: 'always broken' };
      return { body: completion(manyAnswer(id)) };
    });
    const samples = manySamples(4);
    const first = await annotate(samples, { adapter: adapter(server.url) });
    expect(first.failed).toBe(1);
    const bad = first.records[2]!;
    expect(bad).toMatchObject({ answer: '', reward: 0, select: false, output: '', error: { kind: 'http', status: 500, attempts: FAST_RETRY.maxRetries + 1 } });
    expect(JSON.stringify(await readJson('cot_results.json'))).not.toContain('<answer>error</answer>');
    expect((await readJson<unknown[]>('cot_sft.json')).length).toBe(1); // id 0 only (id 2 failed, odd ids wrong)
    expect((await readJson<{ annotation: { complete: boolean } }>('cot_results.json')).annotation.complete).toBe(false);

    broken = false;
    const before = server.requests.length;
    const again = await annotate(samples, { adapter: adapter(server.url), resume: true });
    expect(server.requests.slice(before).map((r) => questionId(r.text))).toEqual([2]);
    expect(again).toMatchObject({ resumed: 3, annotated: 1, failed: 0 });
    expect(again.records[2]).toMatchObject({ answer: 'C', reward: 1, select: true });
    expect(again.records[2]!.error).toBeUndefined();
    expect((await readJson<unknown[]>('cot_sft.json')).length).toBe(2);
    expect((await readJson<{ annotation: { complete: boolean } }>('cot_results.json')).annotation.complete).toBe(true);
  });

  it('--samples k draws k chains and keeps the best-scoring one', async () => {
    const draws = new Map<number, number>();
    server = await startChatServer((req) => {
      const id = questionId(req.text);
      const n = (draws.get(id) ?? 0) + 1;
      draws.set(id, n);
      // Draw 1 wrong, draw 2 right without a think block, draw 3 right with one.
      const reply = n === 1 ? '<think>no</think><answer>Z</answer>' : n === 2 ? '<answer>A</answer>' : '<think>yes, red first</think><answer>A</answer>';
      return { delayMs: n === 1 ? 20 : 0, body: completion(reply) };
    });
    const { records } = await annotate(manySamples(1), { adapter: adapter(server.url), samplesPerQuestion: 3 });
    expect(server.requests).toHaveLength(3);
    expect(records[0]).toMatchObject({ reward: 1, select: true, process: '<think>yes, red first</think>', rewards: expect.arrayContaining([0, 1, 1]) });
    expect(records[0]!.rewards).toHaveLength(3);
  });

  it('refuses to overwrite annotations without resume, and to resume another model or k', async () => {
    server = await startChatServer((req) => ({ body: completion(manyAnswer(questionId(req.text))) }));
    const samples = manySamples(2);
    await annotate(samples, { adapter: adapter(server.url) });
    await expect(annotate(samples, { adapter: adapter(server.url) })).rejects.toMatchObject({ code: 'OUTPUT_EXISTS', message: expect.stringMatching(/already holds 2 records.*--resume/) });
    await expect(annotate(samples, { adapter: adapter(server.url, { model: 'other' }), resume: true })).rejects.toMatchObject({ code: 'RESUME_MISMATCH', message: expect.stringContaining('model teacher ≠ other') });
    await expect(annotate(samples, { adapter: adapter(server.url), resume: true, samplesPerQuestion: 2 })).rejects.toBeInstanceOf(AnnotationError);
    const other = manySamples(2).map((s) => ({ ...s, problem: `${s.problem} (changed)` }));
    await expect(annotate(other, { adapter: adapter(server.url), resume: true })).rejects.toMatchObject({ code: 'RESUME_MISMATCH', message: expect.stringContaining('another data file') });
    expect(await annotate(samples, { adapter: adapter(server.url), resume: true })).toMatchObject({ resumed: 2, annotated: 0 });
  });

  it('on abort saves every finished sample, and a resume asks only the rest', async () => {
    let slow = true; // until the resume, ids 3-5 take 2 s: they are in flight when the run is aborted
    server = await startChatServer((req) => ({ delayMs: slow && questionId(req.text) >= 3 ? 2000 : 0, body: completion(manyAnswer(questionId(req.text))) }));
    const samples = manySamples(6);
    const abort = new AbortController();
    let recorded = 0;
    const run = annotate(samples, { adapter: adapter(server.url), concurrency: 6, signal: abort.signal, onRecord: () => ++recorded === 3 && abort.abort(new Error('stop')) });
    await expect(run).rejects.toThrow('stop');
    const saved = (await readJson<{ results: AnnotatedRecord[] }>('cot_results.json')).results;
    expect(saved.map((r) => r.problem_id).sort()).toEqual([0, 1, 2]);
    expect(await readdir(join(dir, 'out'))).not.toContain('.cot_journal.jsonl');
    slow = false;
    const before = server.requests.length;
    const again = await annotate(samples, { adapter: adapter(server.url), resume: true });
    expect(server.requests.slice(before).map((r) => questionId(r.text)).sort()).toEqual([3, 4, 5]);
    expect(again.records).toHaveLength(6);
  });

  it('records a missing media file as a failed sample', async () => {
    server = await startChatServer((req) => ({ body: completion(manyAnswer(questionId(req.text))) }));
    const samples = [...manySamples(2), { ...manySamples(3)[2]!, path: './videos/missing.mp4' }];
    const { records } = await annotate(samples, { adapter: adapter(server.url) });
    expect(server.requests).toHaveLength(2);
    expect(records[2]!.error).toMatchObject({ kind: 'media' });
    expect(records[2]!.error!.message).toContain('missing.mp4');
  });
});

describe('runAnnotation with a batched adapter (the in-process policy)', () => {
  it('hands it consecutive groups with every sample repeated k times, and fails a group whose batch throws', async () => {
    const batches: number[][] = [];
    const adapter: ModelAdapter = {
      name: 'batched',
      groupSize: 4,
      generate: () => Promise.reject(new Error('generate is not used when generateBatch exists')),
      async generateBatch(items) {
        const ids = items.map((item) => questionId(item.request.prompt));
        batches.push(ids);
        if (ids.includes(4)) throw new Error('out of memory');
        return ids.map((id, i) => (id === 1 ? { error: new Error('item failed') } : { output: i % 2 === 0 ? '<answer>Z</answer>' : manyAnswer(id) }));
      },
    };
    const { records } = await annotate(manySamples(5), { adapter, samplesPerQuestion: 2, concurrency: 3 });
    expect(batches).toEqual([
      [0, 0, 1, 1],
      [2, 2, 3, 3],
      [4, 4],
    ]);
    expect(records.map((r) => r.error?.message ?? r.rewards)).toEqual([[0, 1], 'item failed', [0, 1], [0, 0], 'out of memory']);
    expect(records[0]).toMatchObject({ select: true, process: expect.stringContaining('Question 0') });
  });
});

describe('annotation files and summary', () => {
  it('reads a large results file record by record, as written by us or by the script (indent 2)', async () => {
    server = await startChatServer((req) => ({ body: completion(manyAnswer(questionId(req.text))) }));
    await annotate(manySamples(3), { adapter: adapter(server.url) });
    const path = join(dir, 'out', 'cot_results.json');
    const whole = await readAnnotationFile(path);
    expect(await readAnnotationFile(path, { streamAboveBytes: 0 })).toEqual(whole);
    // The script's json.dump(indent=2) layout: JSON.stringify(…, null, 2) writes the same lines.
    const { writeFile } = await import('node:fs/promises');
    const scriptFile = join(dir, 'script.json');
    await writeFile(scriptFile, JSON.stringify({ results: whole.results.map(({ output: _o, cot_key: _k, ...r }) => r) }, null, 2));
    expect((await readAnnotationFile(scriptFile, { streamAboveBytes: 0 })).results).toHaveLength(3);
    await writeFile(scriptFile, '{\n  "results": [\n    {\n      "problem": "x"\n');
    await expect(readAnnotationFile(scriptFile, { streamAboveBytes: 0 })).rejects.toThrow(/truncated/);
  });

  it('summarises selection by problem type, data source and data type, and the think length', () => {
    const base = { problem: 'Q', data_type: 'video', solution: '<answer>A</answer>', output: '', cot_key: '' };
    const records = [
      { ...base, problem_type: 'multiple choice', data_source: 'a', answer: 'A', reward: 1, select: true, process: '<think>one two three</think>' },
      { ...base, problem_type: 'multiple choice', data_source: 'b', answer: 'B', reward: 0, select: false, process: '<think>x</think>' },
      { ...base, problem_type: 'numerical', data_source: 'a', data_type: 'image', answer: '2', reward: 1, select: true },
      { ...base, problem_type: 'numerical', data_source: 'a', answer: '', reward: 0, select: false, error: { kind: 'http' as const, message: 'x' } },
    ] as AnnotatedRecord[];
    const summary = summarizeAnnotation(records, 5);
    expect(summary.pending).toBe(1);
    expect(summary.total).toMatchObject({ count: 4, annotated: 3, failed: 1, selected: 2, sft: 1 });
    expect(summary.total.selection_rate).toBeCloseTo(2 / 3, 12);
    expect(summary.by_problem_type['multiple choice']).toMatchObject({ selected: 1, selection_rate: 0.5 });
    expect(summary.by_data_source.a).toMatchObject({ count: 3, annotated: 2, selection_rate: 1 });
    expect(summary.by_data_type.image).toMatchObject({ count: 1, selected: 1 });
    expect(summary).toMatchObject({ with_process: 2, mean_think_chars: 7, mean_think_words: 2, sft_mean_think_chars: 13, sft_mean_think_words: 3 });
    const table = annotationTables(summary);
    expect(table).toMatch(/\| multiple choice +\| +2 \| +2 \| +0 \| +1 \| +50\.0 \|/);
    expect(table).toContain('1 of 5 samples not asked yet');
  });
});

it('leaves no journal or temporary file after a finished run', async () => {
  server = await startChatServer((req) => ({ body: completion(manyAnswer(questionId(req.text))) }));
  await annotate(manySamples(3), { adapter: adapter(server.url) });
  expect((await readdir(join(dir, 'out'))).sort()).toEqual(['cot_results.json', 'cot_sft.json', 'cot_summary.json']);
});

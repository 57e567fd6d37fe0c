import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildMessages, buildPrompt, buildSftMessages, formatQuestion, sftTarget, type PromptTemplate } from '../src/prompt.js';

interface PromptCase {
  id: string;
  template: PromptTemplate;
  sample: { problem: string; problem_type: string; options?: string[] };
  expected: string;
  adversarial?: boolean;
}

// Copied from shared/vectors/rewards/public.jsonl (kind "prompt"): produced by Video-R1's own code.
const cases: PromptCase[] = readFileSync(new URL('./fixtures/prompt-public.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => JSON.parse(l) as PromptCase);

describe('buildPrompt parity with Video-R1 (grpo.py / eval_bench.py)', () => {
  it('has the public cases of both templates and all five problem types', () => {
    expect(cases.length).toBe(426);
    expect(new Set(cases.map((c) => c.template))).toEqual(new Set(['train', 'eval']));
    expect(new Set(cases.map((c) => c.sample.problem_type)).size).toBe(5);
  });

  it('matches every case exactly', () => {
    const mismatches = cases.filter((c) => buildPrompt(c.sample, { template: c.template }) !== c.expected).map((c) => c.id);
    expect(mismatches).toEqual([]);
  });

  it('keeps braces in the question literal (str.format substitutes once)', () => {
    const p = buildPrompt({ problem: '{Question} {0} }}{{', problem_type: 'OCR' }, { template: 'train' });
    expect(p.startsWith('{Question} {0} }}{{\nPlease think')).toBe(true);
  });

  it('joins options with a newline after each and no separator before "Options:"', () => {
    expect(formatQuestion({ problem: 'Q?', problem_type: 'multiple choice', options: ['A. x', 'B. y'] })).toBe('Q?Options:\nA. x\nB. y\n');
    expect(formatQuestion({ problem: 'Q?', problem_type: 'numerical', options: ['A. x'] })).toBe('Q?');
  });

  it('throws with a clear message where Python would raise', () => {
    expect(() => buildPrompt({ problem: 'Q', problem_type: 'yes/no' }, { template: 'train' })).toThrow(/unknown problem_type "yes\/no"/);
    expect(() => buildPrompt({ problem: 'Q', problem_type: 'multiple choice' }, { template: 'eval' })).toThrow(/options/);
    expect(() => buildPrompt({ problem: 'Q', problem_type: 'toString' }, { template: 'eval' })).toThrow(/unknown problem_type/);
  });

  it('differs between templates only in the think/answer instruction', () => {
    const s = { problem: 'Q', problem_type: 'free-form' };
    expect(buildPrompt(s, { template: 'eval' })).toContain('between the <think> and </think> tags');
    expect(buildPrompt(s, { template: 'train' })).toContain('between the <think> </think> tags');
  });
});

describe("the 'cot' template of generate_cot_vllm.py", () => {
  // Typed from the script's QUESTION_TEMPLATE (tulerfeng/Video-R1, src/generate_cot_vllm.py), one
  // Python string literal per line, so that a change to the shared instruction text fails here.
  const COT_QUESTION_TEMPLATE =
    '{Question}\n' +
    'Please think about this question as if you were a human pondering deeply. ' +
    "Engage in an internal dialogue using expressions such as 'let me think', 'wait', 'Hmm', 'oh, I see', 'let's break it down', etc, or other natural language thought expressions " +
    "It's encouraged to include self-reflection or verification in the reasoning process. " +
    'Provide your detailed reasoning between the <think> and </think> tags, and then give your final answer between the <answer> and </answer> tags.';
  const COT_TYPE_TEMPLATE: Record<string, string> = {
    'multiple choice': ' Please provide only the single option letter (e.g., A, B, C, D, etc.) within the <answer> </answer> tags.',
    numerical: ' Please provide the numerical value (e.g., 42 or 3.14) within the <answer> </answer> tags.',
    OCR: ' Please transcribe text from the image/video clearly and provide your text answer within the <answer> </answer> tags.',
    'free-form': ' Please provide your text answer within the <answer> </answer> tags.',
    regression: ' Please provide the numerical value (e.g., 42 or 3.14) within the <answer> </answer> tags.',
  };
  const reference = (question: string, problemType: string): string => COT_QUESTION_TEMPLATE.replace('{Question}', () => question) + COT_TYPE_TEMPLATE[problemType];

  it('is the script\'s QUESTION_TEMPLATE.format(Question=question) + TYPE_TEMPLATE[problem_type], for every type', () => {
    const mc = { problem: 'Which box moved first?', problem_type: 'multiple choice', options: ['A. red', 'B. blue'] };
    expect(buildPrompt(mc, { template: 'cot' })).toBe(reference('Which box moved first?Options:\nA. red\nB. blue\n', 'multiple choice'));
    for (const type of ['numerical', 'OCR', 'free-form', 'regression']) {
      expect(buildPrompt({ problem: 'How many {x}?', problem_type: type, options: ['A. ignored'] }, { template: 'cot' })).toBe(reference('How many {x}?', type));
    }
  });

  it("has eval_bench.py's words, so it matches every public 'eval' vector, and differs from grpo.py's", () => {
    const evalCases = cases.filter((c) => c.template === 'eval');
    expect(evalCases.length).toBeGreaterThan(100);
    expect(evalCases.filter((c) => buildPrompt(c.sample, { template: 'cot' }) !== c.expected).map((c) => c.id)).toEqual([]);
    const trainCase = cases.find((c) => c.template === 'train')!;
    expect(buildPrompt(trainCase.sample, { template: 'cot' })).not.toBe(trainCase.expected);
  });

  it('names the known templates when given another', () => {
    expect(() => buildPrompt({ problem: 'Q', problem_type: 'OCR' }, { template: 'sft' as PromptTemplate })).toThrow(/unknown template "sft"; expected one of 'train', 'eval', 'cot'/);
  });
});

describe('chat messages and SFT target', () => {
  const record = {
    problem: 'How many?',
    problem_type: 'numerical' as const,
    data_type: 'video' as const,
    process: '<think>two</think>',
    solution: '<answer>2</answer>',
  };

  it('builds the user turn with the media part first', () => {
    const msgs = buildMessages(record, { template: 'eval', media: '/data/v.mp4' });
    expect(msgs).toEqual([
      { role: 'user', content: [{ type: 'video', video: '/data/v.mp4' }, { type: 'text', text: buildPrompt(record, { template: 'eval' }) }] },
    ]);
    expect(buildMessages({ ...record, data_type: 'image' }, { template: 'train' })[0]!.content[0]).toEqual({ type: 'image' });
  });

  it('joins process and solution with one newline, as sft_video.py', () => {
    expect(sftTarget(record)).toBe('<think>two</think>\n<answer>2</answer>');
    expect(() => sftTarget({ solution: '<answer>2</answer>' })).toThrow(/process/);
    const sft = buildSftMessages(record);
    expect(sft.map((m) => m.role)).toEqual(['system', 'user', 'assistant']);
    expect(sft[2]!.content).toEqual([{ type: 'text', text: '<think>two</think>\n<answer>2</answer>' }]);
  });
});

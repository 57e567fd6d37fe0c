import type { DataType, ProblemType, VideoR1Record } from './types.js';

/**
 * `train`: grpo.py / sft_video.py's QUESTION_TEMPLATE; `eval`: eval_bench.py's (it says "<think> and </think>");
 * `cot`: generate_cot_vllm.py's, the CoT annotation script (the same words as eval_bench.py's today, kept
 * apart so that each follows its own script).
 */
export type PromptTemplate = 'train' | 'eval' | 'cot';

const INSTRUCTIONS_HEAD =
  '\nPlease think about this question as if you were a human pondering deeply. ' +
  "Engage in an internal dialogue using expressions such as 'let me think', 'wait', 'Hmm', 'oh, I see', 'let's break it down', etc, or other natural language thought expressions " +
  "It's encouraged to include self-reflection or verification in the reasoning process. ";

/** The text after `{Question}` in each QUESTION_TEMPLATE. */
export const QUESTION_TEMPLATE_TAIL: Readonly<Record<PromptTemplate, string>> = {
  train:
    INSTRUCTIONS_HEAD +
    'Provide your detailed reasoning between the <think> </think> tags, and then give your final answer between the <answer> </answer> tags.',
  eval:
    INSTRUCTIONS_HEAD +
    'Provide your detailed reasoning between the <think> and </think> tags, and then give your final answer between the <answer> and </answer> tags.',
  cot:
    INSTRUCTIONS_HEAD +
    'Provide your detailed reasoning between the <think> and </think> tags, and then give your final answer between the <answer> and </answer> tags.',
};

/** Video-R1's TYPE_TEMPLATE (identical in grpo.py, sft_video.py, eval_bench.py and generate_cot_vllm.py). */
export const TYPE_TEMPLATE: Readonly<Record<ProblemType, string>> = {
  'multiple choice': ' Please provide only the single option letter (e.g., A, B, C, D, etc.) within the <answer> </answer> tags.',
  numerical: ' Please provide the numerical value (e.g., 42 or 3.14) within the <answer> </answer> tags.',
  OCR: ' Please transcribe text from the image/video clearly and provide your text answer within the <answer> </answer> tags.',
  'free-form': ' Please provide your text answer within the <answer> </answer> tags.',
  regression: ' Please provide the numerical value (e.g., 42 or 3.14) within the <answer> </answer> tags.',
};

/** What a prompt needs from a record. */
export interface PromptSample {
  problem: string;
  problem_type: string;
  options?: readonly string[] | string | undefined;
}

/**
 * The question as Video-R1 builds it: for multiple choice `problem + "Options:\n"` and each
 * option followed by `"\n"` (no separator before "Options:", exactly as the reference);
 * otherwise the problem alone (options are ignored).
 */
export function formatQuestion(sample: PromptSample): string {
  if (sample.problem_type !== 'multiple choice') return sample.problem;
  const options: unknown = sample.options;
  // Python iterates whatever `options` is: a list gives its items, a str its characters.
  if (typeof options === 'string') {
    let q = sample.problem + 'Options:\n';
    for (const ch of options) q += ch + '\n';
    return q;
  }
  if (!Array.isArray(options)) {
    throw new TypeError(`buildPrompt: a multiple-choice sample needs an 'options' array (problem: ${JSON.stringify(sample.problem.slice(0, 60))})`);
  }
  let q = sample.problem + 'Options:\n';
  for (const op of options as string[]) q += op + '\n';
  return q;
}

/**
 * The text part of Video-R1's user message:
 * `QUESTION_TEMPLATE.format(Question=question) + TYPE_TEMPLATE[problem_type]`.
 * Python's `str.format` substitutes the question once and never re-reads it, so braces in the
 * question stay as they are; the template itself has no other fields.
 */
export function buildPrompt(sample: PromptSample, opts: { template: PromptTemplate }): string {
  const typeText = TYPE_TEXT.get(sample.problem_type);
  if (typeText === undefined) {
    throw new TypeError(`buildPrompt: unknown problem_type ${JSON.stringify(sample.problem_type)}; expected one of ${[...TYPE_TEXT.keys()].join(', ')}`);
  }
  const tail = TAILS.get(opts.template);
  if (tail === undefined) {
    throw new TypeError(`buildPrompt: unknown template ${JSON.stringify(opts.template)}; expected one of ${[...TAILS.keys()].map((t) => `'${t}'`).join(', ')}`);
  }
  return formatQuestion(sample) + tail + typeText;
}

// A Map, not the object: `problem_type` values like "toString" must not hit the prototype.
const TYPE_TEXT: ReadonlyMap<string, string> = new Map(Object.entries(TYPE_TEMPLATE));
const TAILS: ReadonlyMap<string, string> = new Map(Object.entries(QUESTION_TEMPLATE_TAIL));

export type MediaPart =
  | { type: 'video'; video?: string }
  | { type: 'image'; image?: string };

export type ChatContentPart = MediaPart | { type: 'text'; text: string };

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: ChatContentPart[];
}

function mediaPart(dataType: DataType, media: string | undefined): MediaPart {
  if (dataType !== 'image' && dataType !== 'video') {
    throw new TypeError(`buildMessages: data_type must be 'image' or 'video', got ${JSON.stringify(dataType)}`);
  }
  if (media === undefined) return { type: dataType };
  return dataType === 'video' ? { type: 'video', video: media } : { type: 'image', image: media };
}

export interface MessageOptions {
  template: PromptTemplate;
  /** Resolved media location to put in the media part (eval_bench.py puts the absolute path); omitted as in grpo.py. */
  media?: string;
}

/** Video-R1's user turn: `[{ role: 'user', content: [{ type: data_type, … }, { type: 'text', text }] }]`. */
export function buildMessages(
  sample: PromptSample & { data_type: DataType },
  opts: MessageOptions,
): ChatMessage[] {
  return [{ role: 'user', content: [mediaPart(sample.data_type, opts.media), { type: 'text', text: buildPrompt(sample, opts) }] }];
}

/** The SFT assistant target of sft_video.py: `process + "\n" + solution`. */
export function sftTarget(record: Pick<VideoR1Record, 'process' | 'solution'>): string {
  if (typeof record.process !== 'string') {
    throw new TypeError('sftTarget: the record has no `process` rationale (SFT needs Video-R1-COT-style records)');
  }
  return record.process + '\n' + record.solution;
}

/** sft_video.py's system message. */
export const SFT_SYSTEM_MESSAGE = 'You are a helpful assistant';

/** The whole SFT conversation of sft_video.py: system, user (train template), assistant target. */
export function buildSftMessages(
  record: PromptSample & Pick<VideoR1Record, 'process' | 'solution'> & { data_type: DataType },
  opts: { media?: string } = {},
): ChatMessage[] {
  return [
    { role: 'system', content: [{ type: 'text', text: SFT_SYSTEM_MESSAGE }] },
    ...buildMessages(record, { template: 'train', ...(opts.media === undefined ? {} : { media: opts.media }) }),
    { role: 'assistant', content: [{ type: 'text', text: sftTarget(record) }] },
  ];
}

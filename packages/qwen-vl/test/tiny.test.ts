// The CI-sized random checkpoint: its fitted tokenizer loads through @huggingface/tokenizers and
// round-trips, its merges shorten the corpus' templates, the chat template is Qwen2.5-VL's, the
// weights follow the seed, and the directory loads as a model and a policy.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { createRng } from '@video-r1/tensor';
import { beforeAll, describe, expect, it } from 'vitest';

import { readCheckpoint } from '../src/checkpoint/index.js';
import { QwenVLPolicy } from '../src/policy.js';
import { QwenTokenizer } from '../src/text/index.js';
import { tf } from '../src/tf.js';
import { QWEN25_VL_CHAT_TEMPLATE, createTinyQwenCheckpoint, fitByteBpe } from '../src/tiny/index.js';
import { useBackend } from './helpers/backend.js';
import { FIXTURES } from './helpers/checkpoints.js';

const TEMPLATE = " Please provide only the single option letter (e.g., A, B, C, D, etc.) within the <answer> </answer> tags.";
const corpus = Array.from({ length: 40 }, (_, i) => `How many red squares are there in clip ${i}?${TEMPLATE}\n<think>let me think, I count ${i % 7}</think><answer>${'ABCD'[i % 4]}</answer>`);

beforeAll(async () => {
  await useBackend('cpu');
});

describe('createTinyQwenCheckpoint', () => {
  it('writes a loadable model directory with a fitted byte-level BPE tokenizer', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'qwen-tiny-'));
    const tiny = createTinyQwenCheckpoint(dir, { corpus, seed: 7 });
    const tokenizer = QwenTokenizer.load(dir);
    expect(tokenizer.vocabSize).toBe(tiny.vocabSize);
    expect(tiny.config.vocabSize).toBe(tiny.vocabSize);
    const text = `${corpus[3]!} ünïcödé 🙂`;
    expect(tokenizer.decode(tokenizer.encode(text))).toBe(text);
    // Frequent words of the corpus become single tokens (merges stay inside GPT-2 words).
    expect(tokenizer.encode(TEMPLATE).length).toBeLessThan(TEMPLATE.length / 3);
    expect(tokenizer.encode('<|im_start|>user\n')[0]).toBe(tokenizer.specialTokenIds.imStart);
    const fixture = JSON.parse(readFileSync(path.join(FIXTURES, 'text', 'chat_template.json'), 'utf8')) as { chat_template: string };
    expect(QWEN25_VL_CHAT_TEMPLATE).toBe(fixture.chat_template);
    const policy = QwenVLPolicy.load(dir);
    expect(policy.tokens).toEqual({ eosId: tokenizer.specialTokenIds.imEnd, padId: tokenizer.specialTokenIds.endOfText });
    expect(tiny.parameters).toBeGreaterThan(100_000);
    policy.dispose();
  });

  it('a policy never samples PAD or a visual placeholder (its completion could not be scored)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'qwen-tiny-'));
    createTinyQwenCheckpoint(dir, { corpus: [], tokenizer: { maxMerges: 0 }, config: { num_hidden_layers: 1 } });
    const policy = QwenVLPolicy.load(dir);
    // A zero head: every token equally likely, so without the ban placeholders would appear.
    const head = policy.model.weight('lm_head.weight');
    head.assign(tf.zerosLike(head));
    const out = await policy.sample([policy.encode({ text: 'x', frames: null })], { numSamples: 8, maxNewTokens: 150, temperature: 1, topP: 1, rng: createRng(4) });
    const { imageTokenId, videoTokenId } = policy.model.config;
    const all = out.ids.flat();
    expect(all.length).toBeGreaterThan(400);
    expect(all.filter((id) => id === imageTokenId || id === videoTokenId || id === policy.tokens.padId)).toEqual([]);
    policy.dispose();
  });

  it('draws the same weights from the same seed and other weights from another', () => {
    const read = (seed: number): Float32Array => {
      const dir = mkdtempSync(path.join(tmpdir(), 'qwen-tiny-'));
      createTinyQwenCheckpoint(dir, { corpus, seed });
      return readCheckpoint(dir).read('model.layers.1.mlp.down_proj.weight');
    };
    const a = read(1);
    expect(read(1)).toEqual(a);
    expect(read(2)).not.toEqual(a);
    const std = Math.sqrt(a.reduce((s, x) => s + x * x, 0) / a.length);
    expect(std).toBeGreaterThan(0.015);
    expect(std).toBeLessThan(0.025);
  });

  it('fits merges deterministically and stops when pairs get rare', () => {
    const one = fitByteBpe(corpus, { maxMerges: 10_000, minPairCount: 2 });
    const two = fitByteBpe([...corpus].reverse(), { maxMerges: 10_000, minPairCount: 2 });
    expect(JSON.stringify(one.tokenizerJson)).toBe(JSON.stringify(two.tokenizerJson));
    expect(one.vocabSize).toBeLessThan(256 + 10_000);
    expect(fitByteBpe([], {}).vocabSize).toBe(256 + 8);
  });
});

// SFT as sft_video.py: the collated ids and labels against a batch built by hand the way
// Video-R1's collate_fn builds it (chat template text → processor → labels with PAD and
// <|image_pad|> set to −100), the completion-only variant, the loss against a cross-entropy
// written out from the full logits, and optimizer steps that lower it (full weights and LoRA).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { AdamOptimizer, createRng } from '@video-r1/tensor';
import { beforeAll, describe, expect, it } from 'vitest';

import { QwenVLModel } from '../src/model.js';
import { IGNORE_INDEX, collateSft, disposeSftBatch, optimizerTarget, sftLoss, sftStep, type QwenSftExample } from '../src/sft/index.js';
import { QwenTokenizer } from '../src/text/index.js';
import { tf } from '../src/tf.js';
import { createTinyQwenCheckpoint } from '../src/tiny/index.js';
import { useBackend } from './helpers/backend.js';

function frames(count: number, height: number, width: number, seed: number): { data: Uint8Array; frames: number; height: number; width: number } {
  const data = new Uint8Array(count * height * width * 3);
  const rng = createRng(seed);
  for (let i = 0; i < data.length; i++) data[i] = Math.floor(rng() * 256);
  return { data, frames: count, height, width };
}

// No merges: one token per byte (id = byte value), the Qwen special tokens from 256 on, so the
// expected ids below are written from the text alone.
let dir: string;
let tokenizer: QwenTokenizer;
const S = { endOfText: 256, imStart: 257, imEnd: 258, visionStart: 259, visionEnd: 260, visionPad: 261, imagePad: 262, videoPad: 263 };
const bytes = (text: string): number[] => [...new TextEncoder().encode(text)];

const video: QwenSftExample = {
  prompt: { text: 'Q1?', frames: frames(4, 56, 56, 1), mediaKind: 'video', sampleFps: 4 },
  target: 'because\nA',
  system: 'You are a helpful assistant',
};
const image: QwenSftExample = {
  prompt: { text: 'Q2', frames: frames(1, 56, 84, 2), mediaKind: 'image' },
  target: 'B',
  system: 'You are a helpful assistant',
};

/** What `processor.apply_chat_template(messages)` + the processor's placeholder expansion give, by hand. */
function handBuiltIds(question: string, target: string, pad: number, count: number): number[] {
  return [
    S.imStart, ...bytes('system\nYou are a helpful assistant'), S.imEnd, ...bytes('\n'),
    S.imStart, ...bytes('user\n'), S.visionStart, ...new Array<number>(count).fill(pad), S.visionEnd, ...bytes(question), S.imEnd, ...bytes('\n'),
    S.imStart, ...bytes('assistant\n'), ...bytes(target), S.imEnd, ...bytes('\n'),
  ];
}

/** sft_video.py's collate_fn on input ids: labels = ids; labels[ids == pad] = −100; labels[ids == image_token] = −100. */
function videoR1Labels(ids: number[][]): number[][] {
  return ids.map((row) => row.map((id) => (id === S.endOfText || id === S.imagePad ? -100 : id)));
}

beforeAll(async () => {
  await useBackend('cpu');
  dir = mkdtempSync(path.join(tmpdir(), 'qwen-sft-'));
  createTinyQwenCheckpoint(dir, { corpus: [], tokenizer: { maxMerges: 0 }, seed: 3, config: { num_hidden_layers: 1 } });
  tokenizer = QwenTokenizer.load(dir);
});

describe('collateSft (sft_video.py collate_fn)', () => {
  it('renders, expands, right-pads and masks exactly as Video-R1: PAD and <|image_pad|> only', () => {
    expect(tokenizer.specialTokenIds).toEqual(S);
    const model = QwenVLModel.load(dir);
    const batch = collateSft(tokenizer, model.config, [video, image]);
    // 4 frames of 56×56: grid [2, 4, 4] → 8 merged tokens; one 56×84 image: grid [1, 4, 6] → 6.
    const rows = [handBuiltIds('Q1?', 'because\nA', S.videoPad, 8), handBuiltIds('Q2', 'B', S.imagePad, 6)];
    const length = Math.max(...rows.map((r) => r.length));
    const padded = rows.map((r) => [...r, ...new Array<number>(length - r.length).fill(S.endOfText)]);
    expect(batch.inputs.inputIds).toEqual(padded);
    expect(batch.inputs.attentionMask).toEqual(rows.map((r) => [...new Array<number>(r.length).fill(1), ...new Array<number>(length - r.length).fill(0)]));
    expect(batch.labels).toEqual(videoR1Labels(padded));
    // The video's placeholders, vision start/end and the prompt text stay in the loss.
    expect(batch.labels[0]!.filter((id) => id === S.videoPad)).toHaveLength(8);
    expect(batch.labels[1]!.filter((id) => id === S.visionStart || id === S.visionEnd)).toHaveLength(2);
    expect(batch.labels[1]!.filter((id) => id === IGNORE_INDEX)).toHaveLength(6 + length - rows[1]!.length);
    expect(batch.lossTokens).toBe(batch.labels.reduce((s, r) => s + r.slice(1).filter((id) => id !== -100).length, 0));
    expect(batch.inputs.videoGridThw).toEqual([[2, 4, 4]]);
    expect(batch.inputs.imageGridThw).toEqual([[1, 4, 6]]);
    // sft_video.py does not pass video_kwargs: fps defaults to 2.0, second_per_grid_ts = 2 / 2.
    expect(batch.inputs.secondPerGridTs).toEqual([1]);
    expect(batch.inputs.pixelValuesVideos?.shape).toEqual([32, 1176]);
    expect(batch.inputs.pixelValues?.shape).toEqual([24, 1176]);
    disposeSftBatch(batch);
    const sampled = collateSft(tokenizer, model.config, [video], { videoFps: 'sampled' });
    expect(sampled.inputs.secondPerGridTs).toEqual([0.5]);
    disposeSftBatch(sampled);
    model.dispose();
  });

  it("completion-only (TRL): nothing before and including '<|im_start|>assistant\\n' is learned", () => {
    const model = QwenVLModel.load(dir);
    const batch = collateSft(tokenizer, model.config, [video, image], { mask: 'completion' });
    const answers = [[...bytes('because\nA'), S.imEnd, ...bytes('\n')], [...bytes('B'), S.imEnd, ...bytes('\n')]];
    batch.labels.forEach((labels, n) => {
      expect(labels.filter((id) => id !== IGNORE_INDEX)).toEqual(answers[n]);
      const first = labels.findIndex((id) => id !== IGNORE_INDEX);
      expect(batch.inputs.inputIds[n]!.slice(first - 11, first)).toEqual([S.imStart, ...bytes('assistant\n')]);
    });
    disposeSftBatch(batch);
    model.dispose();
  });
});

describe('sftLoss and sftStep', () => {
  it('is the mean cross-entropy of the shifted labels over the full logits', () => {
    const model = QwenVLModel.load(dir);
    const batch = collateSft(tokenizer, model.config, [video, image]);
    const loss = sftLoss(model, batch);
    const logits = model.forward(batch.inputs).logits;
    const [B, L, V] = logits.shape;
    const values = logits.dataSync();
    let sum = 0;
    let count = 0;
    for (let n = 0; n < B; n++) {
      for (let t = 1; t < L; t++) {
        const label = batch.labels[n]![t]!;
        if (label === -100) continue;
        const row = values.subarray((n * L + t - 1) * V, (n * L + t) * V);
        const max = Math.max(...row);
        const lse = max + Math.log(Array.from(row).reduce((s, x) => s + Math.exp(x - max), 0));
        sum += lse - row[label]!;
        count++;
      }
    }
    expect(count).toBe(batch.lossTokens);
    expect(loss.dataSync()[0]).toBeCloseTo(sum / count, 4);
    tf.dispose([loss, logits]);
    disposeSftBatch(batch);
    model.dispose();
  });

  it('lowers the loss with full fine-tuning; micro-batches average their losses', () => {
    const model = QwenVLModel.load(dir);
    const a = collateSft(tokenizer, model.config, [video]);
    const b = collateSft(tokenizer, model.config, [image]);
    const optimizer = new AdamOptimizer(optimizerTarget(model), { learningRate: 3e-3, maxGradNorm: 1 });
    const mean = (sftLoss(model, a).dataSync()[0]! + sftLoss(model, b).dataSync()[0]!) / 2;
    const first = sftStep(model, optimizer, [a, b]);
    expect(first.loss).toBeCloseTo(mean, 5);
    expect(first.applied).toBe(true);
    let last = first;
    for (let i = 0; i < 5; i++) last = sftStep(model, optimizer, [a, b]);
    expect(last.loss).toBeLessThan(first.loss - 0.1);
    // Every weight trains, the vision tower included (through the placeholders).
    expect(optimizer.names).toContain('visual.blocks.0.attn.qkv.weight');
    optimizer.dispose();
    disposeSftBatch(a);
    disposeSftBatch(b);
    model.dispose();
  });

  it('with LoRA attached only the adapter moves', () => {
    const model = QwenVLModel.load(dir);
    model.attachLora({ r: 4, alpha: 8, targetModules: ['q_proj', 'v_proj'] }, { seed: 1 });
    const batch = collateSft(tokenizer, model.config, [video], { mask: 'completion' });
    const base = model.weight('model.layers.0.self_attn.q_proj.weight').dataSync().slice();
    const optimizer = new AdamOptimizer(optimizerTarget(model), { learningRate: 1e-2 });
    expect(optimizer.names.every((n) => /lora_[AB]\.weight$/.test(n))).toBe(true);
    const first = sftStep(model, optimizer, [batch]);
    let last = first;
    for (let i = 0; i < 5; i++) last = sftStep(model, optimizer, [batch]);
    expect(last.loss).toBeLessThan(first.loss);
    expect(model.weight('model.layers.0.self_attn.q_proj.weight').dataSync()).toEqual(base);
    optimizer.dispose();
    disposeSftBatch(batch);
    model.dispose();
  });
});

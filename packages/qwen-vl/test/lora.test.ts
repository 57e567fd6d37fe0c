// LoRA: PEFT init leaves the model unchanged, switching the adapter off gives the base model,
// save → reload gives the same log-probs, merging gives the adapted logits, only the adapter trains.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { CheckpointError } from '../src/checkpoint/errors.js';
import { completionLogProbs } from '../src/logprobs.js';
import { selectModules } from '../src/lora.js';
import { type ModelInputs, QwenVLModel } from '../src/model.js';
import { tf } from '../src/tf.js';
import { useBackend } from './helpers/backend.js';
import { adapterDir, disposeInputs, fixtureInputs, loadModel, modelDir } from './helpers/model-fixtures.js';

const tmp = (): string => mkdtempSync(path.join(tmpdir(), 'qwenvl-lora-'));

function logits(model: QwenVLModel, inputs: ModelInputs, useLora = true): Float32Array {
  const { logits: t } = model.forward(inputs, { useLora });
  const data = t.dataSync() as Float32Array;
  t.dispose();
  return data;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = a.length === b.length ? 0 : Infinity;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
}

describe('LoRA on tiny-a', () => {
  let model: QwenVLModel;
  let inputs: ModelInputs;
  let base: Float32Array;
  beforeAll(async () => {
    await useBackend('wasm');
    model = loadModel('tiny-a');
    inputs = fixtureInputs('lora-tiny-a-0005', model);
    base = logits(model, inputs);
  });
  afterAll(() => {
    disposeInputs(inputs);
    model.dispose();
  });

  it('full fine-tuning: without an adapter every weight trains, keyed by its stored name', () => {
    const trainable = model.trainableVariables();
    expect(trainable.size).toBe(model.variables.size);
    expect(trainable.has('model.layers.0.self_attn.q_proj.weight')).toBe(true);
    expect(trainable.has('visual.merger.mlp.2.bias')).toBe(true);
  });

  it("PEFT's init (B = 0) leaves the logits unchanged and freezes the base", () => {
    model.attachLora({ r: 4, alpha: 8, targetModules: ['q_proj', 'v_proj', 'down_proj'] }, { seed: 5 });
    try {
      expect(maxAbsDiff(logits(model, inputs), base)).toBe(0);
      const keys = [...model.trainableVariables().keys()];
      expect(keys).toHaveLength(2 * 3 * model.config.numHiddenLayers);
      expect(keys.every((k) => /^base_model\.model\.model\.layers\.\d\.(self_attn\.[qv]_proj|mlp\.down_proj)\.lora_[AB]\.weight$/.test(k))).toBe(true);
      expect([...model.variables.values()].some((v) => v.trainable)).toBe(false);
    } finally {
      model.detachLora();
    }
    expect([...model.variables.values()].every((v) => v.trainable)).toBe(true);
  });

  it('a loaded adapter changes the logits; switched off, the model is the base again', () => {
    model.loadAdapter(adapterDir('lora-a-r4'));
    try {
      const adapted = logits(model, inputs);
      expect(maxAbsDiff(adapted, base)).toBeGreaterThan(1e-2);
      expect(maxAbsDiff(logits(model, inputs, false), base)).toBe(0);
      model.lora!.enabled = false;
      expect(maxAbsDiff(logits(model, inputs), base)).toBe(0);
      model.lora!.enabled = true;
      expect(maxAbsDiff(logits(model, inputs), adapted)).toBe(0);
    } finally {
      model.detachLora();
    }
  });

  it('saveAdapter → loadAdapter in a fresh model gives the same log-probs', () => {
    model.attachLora({ r: 2, alpha: 6, targetModules: '^model\\.layers\\.1\\.(self_attn\\.o_proj|mlp\\.up_proj)$' }, { seed: 9 });
    const dir = tmp();
    let before: number[][];
    try {
      // Make B non-zero so the adapter matters.
      for (const v of model.lora!.variablesByKey().values()) tf.tidy(() => v.assign(tf.add(v, tf.mul(tf.onesLike(v), 0.05))));
      before = completionLogProbs(model, inputs, 4).arraySync();
      model.saveAdapter(dir);
    } finally {
      model.detachLora();
    }
    const fresh = QwenVLModel.load(modelDir('tiny-a'));
    try {
      const state = fresh.loadAdapter(dir);
      expect([...state.modules.keys()]).toEqual(['model.layers.1.self_attn.o_proj', 'model.layers.1.mlp.up_proj']);
      expect(state.scale).toBe(3);
      const freshInputs = fixtureInputs('lora-tiny-a-0005', fresh);
      const after = completionLogProbs(fresh, freshInputs, 4).arraySync();
      disposeInputs(freshInputs);
      expect(after).toEqual(before);
    } finally {
      fresh.dispose();
    }
  });

  it('mergeLora: W += (alpha/r)·B·A gives the adapted logits without the adapter', () => {
    const merged = QwenVLModel.load(modelDir('tiny-a'));
    try {
      merged.loadAdapter(adapterDir('lora-a-r4'));
      const adapted = logits(merged, inputs);
      merged.mergeLora();
      expect(merged.lora).toBeNull();
      expect(maxAbsDiff(logits(merged, inputs), adapted)).toBeLessThan(1e-4);
      expect(maxAbsDiff(logits(merged, inputs), base)).toBeGreaterThan(1e-2);
    } finally {
      merged.dispose();
    }
  });

  it('refuses an adapter made for another model, naming the file and tensor', () => {
    let error: unknown;
    try {
      model.loadAdapter(adapterDir('lora-b-r4'));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CheckpointError);
    expect((error as CheckpointError).code).toBe('SHAPE_MISMATCH');
    expect(model.lora).toBeNull();
  });

  it('a list of suffixes adapts the decoder only; a regex full-matches stored names', () => {
    expect(selectModules(model.config, 'hub', ['gate_proj'])).toEqual(['model.layers.0.mlp.gate_proj', 'model.layers.1.mlp.gate_proj']);
    expect(selectModules(model.config, 'language_model', '^model\\.language_model\\.layers\\.0\\.self_attn\\.k_proj$')).toEqual([
      'model.layers.0.self_attn.k_proj',
    ]);
    expect(selectModules(model.config, 'hub', 'q_proj')).toEqual([]);
  });
});

describe('model save → load', () => {
  it('round-trips tiny-c (≥4.52 layout) through the hub layout with equal logits', async () => {
    await useBackend('wasm');
    const model = loadModel('tiny-c');
    const inputs = fixtureInputs('forward-tiny-c-0009', model);
    const before = logits(model, inputs);
    const dir = tmp();
    model.save(dir);
    const reloaded = QwenVLModel.load(dir);
    expect(reloaded.layout).toBe('hub');
    expect(maxAbsDiff(logits(reloaded, inputs), before)).toBeLessThan(1e-6);
    disposeInputs(inputs);
    model.dispose();
    reloaded.dispose();
  });
});

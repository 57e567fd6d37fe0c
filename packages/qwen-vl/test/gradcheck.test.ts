// Autodiff gradients against central finite differences of the objective Σ logps · mask, in
// float32: along the gradient's own direction (signal ‖g‖) and along the coordinate with the
// largest |g_i|, with step h = 1e-2 (float32 rounding of an objective of size ~20 is ~1e-4, so
// a difference quotient over 2h = 0.02 resolves derivatives of order 1 to ~1e-4; measured
// agreement is 1e-5–1e-4 relative, the bound is 0.5 % + 1e-3).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { completionLogProbs, gradientsByName, maskedSum } from '../src/logprobs.js';
import type { ModelInputs, QwenVLModel } from '../src/model.js';
import { tf } from '../src/tf.js';
import { useBackend } from './helpers/backend.js';
import { adapterDir, disposeInputs, fixtureInputs, loadModel } from './helpers/model-fixtures.js';

const H = 1e-2;

function objectiveOf(model: QwenVLModel, inputs: ModelInputs, k: number): () => tf.Scalar {
  const mask = inputs.inputIds.map(() => new Array<number>(k).fill(1));
  return () => maskedSum(completionLogProbs(model, inputs, k, { temperature: 0.8 }), mask);
}

function valueAt(objective: () => tf.Scalar, v: tf.Variable, base: tf.Tensor, direction: tf.Tensor, h: number): number {
  tf.tidy(() => v.assign(tf.add(base, tf.mul(direction, h))));
  const s = tf.tidy(objective);
  const x = s.dataSync()[0] as number;
  s.dispose();
  return x;
}

/** [directional derivative by autodiff, by finite differences] for the two directions. */
function check(objective: () => tf.Scalar, v: tf.Variable, grad: tf.Tensor): Array<[number, number]> {
  const base = tf.clone(v);
  const g = grad.dataSync() as Float32Array;
  let norm = 0;
  let top = 0;
  for (let i = 0; i < g.length; i++) {
    norm += (g[i] as number) ** 2;
    if (Math.abs(g[i] as number) > Math.abs(g[top] as number)) top = i;
  }
  norm = Math.sqrt(norm);
  const unit = tf.div(grad, norm);
  const coordinate = tf.tidy(() => tf.cast(tf.reshape(tf.oneHot(tf.tensor1d([top], 'int32'), g.length), v.shape), 'float32'));
  const out: Array<[number, number]> = [];
  for (const [direction, analytic] of [
    [unit, norm],
    [coordinate, g[top] as number],
  ] as const) {
    const plus = valueAt(objective, v, base, direction, H);
    const minus = valueAt(objective, v, base, direction, -H);
    out.push([analytic, (plus - minus) / (2 * H)]);
  }
  v.assign(base);
  tf.dispose([base, unit, coordinate]);
  return out;
}

function expectClose(pairs: Array<[number, number]>, name: string): void {
  for (const [analytic, numeric] of pairs) {
    expect(Math.abs(analytic - numeric), `${name}: autodiff ${analytic} vs finite difference ${numeric}`).toBeLessThanOrEqual(
      5e-3 * Math.abs(numeric) + 1e-3,
    );
  }
}

describe('gradients vs finite differences', () => {
  beforeAll(() => useBackend('wasm'));

  describe('tiny-a (untied head, two images through the vision tower)', () => {
    let model: QwenVLModel;
    let inputs: ModelInputs;
    beforeAll(() => {
      model = loadModel('tiny-a');
      inputs = fixtureInputs('logprobs-tiny-a-0002', model);
    });
    afterAll(() => {
      disposeInputs(inputs);
      model.dispose();
    });

    it.each([
      'model.layers.0.self_attn.q_proj.weight',
      'model.layers.0.self_attn.k_proj.bias',
      'model.layers.1.mlp.down_proj.weight',
      'model.norm.weight',
      'lm_head.weight',
      'visual.blocks.0.attn.qkv.weight',
      'visual.merger.mlp.0.bias',
    ])('%s', (name) => {
      const objective = objectiveOf(model, inputs, 4);
      const { grads } = gradientsByName(model, objective);
      const grad = grads.get(name)!;
      expect(grad.shape).toEqual(model.weight(name).shape);
      expectClose(check(objective, model.weight(name), grad), name);
      tf.dispose([...grads.values()]);
    });
  });

  it('tiny-b: the tied embedding collects both uses (lookup and head)', () => {
    const model = loadModel('tiny-b');
    const inputs = fixtureInputs('logprobs-tiny-b-0005', model);
    const objective = objectiveOf(model, inputs, 3);
    const { grads } = gradientsByName(model, objective);
    expect(grads.has('lm_head.weight')).toBe(false);
    expectClose(check(objective, model.weight('model.embed_tokens.weight'), grads.get('model.embed_tokens.weight')!), 'embed_tokens');
    tf.dispose([...grads.values()]);
    disposeInputs(inputs);
    model.dispose();
  });

  it('LoRA A and B (base frozen: only adapter keys get gradients)', () => {
    const model = loadModel('tiny-a');
    const inputs = fixtureInputs('lora-tiny-a-0003', model);
    model.loadAdapter(adapterDir('lora-a-r4'));
    const objective = objectiveOf(model, inputs, 4);
    const { grads } = gradientsByName(model, objective);
    expect([...grads.keys()].every((k) => /\.lora_[AB]\.weight$/.test(k))).toBe(true);
    expect(grads.size).toBe(2 * 7 * model.config.numHiddenLayers);
    const vars = model.lora!.variablesByKey();
    for (const key of [
      'base_model.model.model.layers.0.self_attn.v_proj.lora_A.weight',
      'base_model.model.model.layers.1.mlp.up_proj.lora_B.weight',
    ]) {
      expectClose(check(objective, vars.get(key)!, grads.get(key)!), key);
    }
    tf.dispose([...grads.values()]);
    disposeInputs(inputs);
    model.dispose();
  });
});

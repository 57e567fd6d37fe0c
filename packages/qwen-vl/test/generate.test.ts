// Generation: the KV cache gives what full recomputation gives, stopping, seeded sampling.
import { createRng } from '@video-r1/tensor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { generate } from '../src/generate.js';
import type { ModelInputs, QwenVLModel } from '../src/model.js';
import { tf } from '../src/tf.js';
import { useBackend } from './helpers/backend.js';
import { disposeInputs, extend, fixtureInputs, loadModel } from './helpers/model-fixtures.js';

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = a.length === b.length ? 0 : Infinity;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
}

describe.each([
  ['tiny-a', 'generate-tiny-a-0003'], // two left-padded rows, one image
  ['tiny-c', 'generate-tiny-c-0009'], // ≥4.52 layout, videos
] as const)('generation on %s (%s)', (name, caseId) => {
  let model: QwenVLModel;
  let inputs: ModelInputs;
  beforeAll(async () => {
    await useBackend('cpu');
    model = loadModel(name);
    inputs = fixtureInputs(caseId, model);
  });
  afterAll(() => {
    disposeInputs(inputs);
    model.dispose();
  });

  it('KV-cached greedy decoding equals full recomputation at every step', () => {
    const steps: Float32Array[] = [];
    const result = generate(model, inputs, {
      maxNewTokens: 6,
      eosTokenId: null,
      onLogits: (_s, logits) => steps.push(logits.dataSync() as Float32Array),
    });
    expect(result.tokens.every((row) => row.length === 6)).toBe(true);
    for (let s = 0; s < 6; s++) {
      const prefix = result.tokens.map((row) => row.slice(0, s));
      const full = extend(inputs, prefix);
      const length = full.inputIds[0]!.length;
      const { logits } = model.forward(full, { positions: full.inputIds.map(() => [length - 1]) });
      const recomputed = logits.dataSync();
      logits.dispose();
      expect(maxAbsDiff(steps[s]!, recomputed)).toBeLessThan(2e-4);
      // The greedy token is the argmax of the recomputed logits too.
      const v = model.config.vocabSize;
      result.tokens.forEach((row, b) => {
        const slice = Array.from(recomputed.subarray(b * v, (b + 1) * v));
        expect(row[s]).toBe(slice.indexOf(Math.max(...slice)));
      });
    }
  });

  it('stops a row at its EOS, pads it, and ends when every row stopped', () => {
    const greedy = generate(model, inputs, { maxNewTokens: 4, eosTokenId: null });
    const eos = greedy.tokens[0]![1]!;
    const stopped = generate(model, inputs, { maxNewTokens: 4, eosTokenId: eos, padTokenId: 7 });
    const firstEos = greedy.tokens.map((row) => row.indexOf(eos));
    stopped.tokens.forEach((row, b) => {
      const at = firstEos[b]!;
      if (at < 0) {
        expect(stopped.finished[b]).toBe(false);
        expect(row).toEqual(greedy.tokens[b]!.slice(0, row.length));
      } else {
        expect(stopped.finished[b]).toBe(true);
        expect(stopped.lengths[b]).toBe(at + 1);
        expect(row.slice(0, at + 1)).toEqual(greedy.tokens[b]!.slice(0, at + 1));
        expect(row.slice(at + 1).every((t) => t === 7)).toBe(true);
      }
    });
    if (firstEos.every((at) => at >= 0)) expect(stopped.tokens[0]!.length).toBe(Math.max(...firstEos) + 1);
    // Every row stopping at its first token ends generation after one step.
    const first = generate(model, inputs, { maxNewTokens: 4, eosTokenId: greedy.tokens.map((r) => r[0]!) });
    expect(first.tokens.every((row) => row.length === 1)).toBe(true);
  });

  it('samples reproducibly from a seed and within the top-p nucleus', () => {
    const a = generate(model, inputs, { maxNewTokens: 5, temperature: 1.5, topP: 0.9, rng: createRng(11), eosTokenId: null });
    const b = generate(model, inputs, { maxNewTokens: 5, temperature: 1.5, topP: 0.9, rng: createRng(11), eosTokenId: null });
    expect(a.tokens).toEqual(b.tokens);
    const seeds = [1, 2, 3, 4, 5].map((seed) =>
      JSON.stringify(generate(model, inputs, { maxNewTokens: 5, temperature: 1.5, rng: createRng(seed), eosTokenId: null }).tokens),
    );
    expect(new Set(seeds).size).toBeGreaterThan(1);
    // topP tiny keeps only the most probable token: sampling equals greedy.
    const nucleus = generate(model, inputs, { maxNewTokens: 5, temperature: 1, topP: 1e-6, rng: createRng(3), eosTokenId: null });
    expect(nucleus.tokens).toEqual(generate(model, inputs, { maxNewTokens: 5, eosTokenId: null }).tokens);
  });

  it('frees the cache: no tensors are left behind', () => {
    const before = tf.memory().numTensors;
    generate(model, inputs, { maxNewTokens: 3, eosTokenId: null });
    expect(tf.memory().numTensors).toBe(before);
  });
});

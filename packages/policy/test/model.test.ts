import { createRng, tf } from '@video-r1/tensor';
import { shuffleFrames } from '@video-r1/video-io';
import { afterAll, describe, expect, it } from 'vitest';

import {
  AdamOptimizer,
  clonePolicy,
  completionCrossEntropy,
  completionLogProbs,
  copyWeights,
  framesToPatches,
  generate,
  type PolicyInput,
} from '../src/index.js';
import { PROMPTS, TARGETS, movingFrames, tinyPolicy } from './helpers.js';

const policy = tinyPolicy();
const tok = policy.tokenizer;
const frames = movingFrames();
afterAll(() => policy.dispose());

const logps = (inputs: Parameters<typeof completionLogProbs>[1], completions: number[][]): number[][] =>
  tf.tidy(() => completionLogProbs(policy, inputs, completions).arraySync());

describe('policy forward pass', () => {
  it('is causal: changing a later completion token never changes an earlier log-prob', () => {
    const base = [...tok.encode(TARGETS[0]!), tok.eosId];
    const k = 6;
    const changed = [...base];
    changed[k] = base[k] === tok.answerOpenId ? tok.thinkOpenId : tok.answerOpenId;
    const input = { prompt: PROMPTS[0]!, frames };
    const [a, b] = logps([input, input], [base, changed]);
    for (let t = 0; t < k; t++) expect(b![t]).toBe(a![t]);
    expect(b!.slice(k)).not.toEqual(a!.slice(k));
  });

  it('gives each row the same log-probs whatever the padding of the batch', () => {
    const c = [...tok.encode(TARGETS[1]!), tok.eosId];
    const alone = logps([{ prompt: PROMPTS[1]!, frames }], [c]);
    // The first row is longer (another prompt, no frames): row 2 gets left padding.
    const padded = logps([{ prompt: PROMPTS[0]! }, { prompt: PROMPTS[1]!, frames }], [[tok.eosId, tok.eosId, 3, 4, 5, 6, 7, 8, 9, 10], c]);
    alone[0]!.forEach((v, t) => expect(padded[1]![t]).toBeCloseTo(v, 5));
  });

  it('scores a group sharing one input (prompt encoded once) as it scores separate rows', () => {
    const a: PolicyInput = { prompt: PROMPTS[0]!, frames };
    const b: PolicyInput = { prompt: PROMPTS[1]! };
    const cs = [[...tok.encode(TARGETS[0]!), tok.eosId], tok.encode(TARGETS[1]!), [tok.eosId]];
    const shared = logps([a, a, b], cs);
    const separate = logps([a, { ...a }, b], cs);
    shared.forEach((row, r) => row.forEach((v, t) => expect(v).toBeCloseTo(separate[r]![t]!, 5)));
    const grad = (ins: PolicyInput[]): number[] => {
      const { value, grads } = tf.variableGrads(() => tf.sum(completionLogProbs(policy, ins, cs)) as tf.Scalar, policy.variables);
      const out = policy.variables.flatMap((v) => Array.from(grads[v.name]!.dataSync()));
      value.dispose();
      Object.values(grads).forEach((g) => g.dispose());
      return out;
    };
    const g1 = grad([a, a, b]);
    const g2 = grad([a, { ...a }, b]);
    const scale = Math.max(...g2.map(Math.abs));
    expect(g1.reduce((m, v, i) => Math.max(m, Math.abs(v - g2[i]!)), 0)).toBeLessThan(1e-4 * scale);
  });

  it('sees frame order: shuffled frames are a different input', () => {
    const shuffled = shuffleFrames(frames, createRng(7));
    expect(shuffled.permutation).not.toEqual([...shuffled.permutation].sort((x, y) => x - y));
    const a = framesToPatches(frames, policy.config.vision);
    const b = framesToPatches(shuffled, policy.config.vision);
    expect(Array.from(b.data)).not.toEqual(Array.from(a.data));
    const c = [...tok.encode(TARGETS[0]!), tok.eosId];
    const [ordered] = logps([{ prompt: PROMPTS[0]!, frames }], [c]);
    const [reordered] = logps([{ prompt: PROMPTS[0]!, frames: shuffled }], [c]);
    const diff = ordered!.reduce((m, v, t) => Math.max(m, Math.abs(v - reordered![t]!)), 0);
    expect(diff).toBeGreaterThan(1e-4);
  });

  it('takes images as one-frame clips and frames of another size (resized)', () => {
    const image = { ...movingFrames(1, 16, 12), frames: 1 };
    const [row] = logps([{ prompt: PROMPTS[1]!, frames: image }], [[...tok.encode(TARGETS[1]!), tok.eosId]]);
    expect(row!.every(Number.isFinite)).toBe(true);
    expect(() => logps([{ prompt: 'x', frames: movingFrames(9) }], [[1]])).toThrow(/at most 8/);
  });

  it('is differentiable with respect to every parameter', () => {
    const c = [...tok.encode(TARGETS[0]!), tok.eosId];
    const { value, grads } = tf.variableGrads(
      () => tf.neg(tf.mean(completionLogProbs(policy, [{ prompt: PROMPTS[0]!, frames }], [c]))) as tf.Scalar,
      policy.variables,
    );
    const norms = policy.variables.map((v) => tf.tidy(() => tf.norm(grads[v.name]!).dataSync()[0]!));
    expect(norms.every((n) => Number.isFinite(n) && n > 0)).toBe(true);
    value.dispose();
    Object.values(grads).forEach((g) => g.dispose());
  });
});

describe('generate', () => {
  const inputs = [
    { prompt: PROMPTS[0]!, frames },
    { prompt: PROMPTS[1]! },
  ];

  it('produces the same tokens with the KV cache as with full recomputation', () => {
    const opts = { maxNewTokens: 10, temperature: 1, topP: 0.95, numSamples: 2 };
    const cached = generate(policy, inputs, { ...opts, rng: createRng(11) });
    const full = generate(policy, inputs, { ...opts, rng: createRng(11), useCache: false });
    expect(cached.ids).toEqual(full.ids);
    expect(cached.ids).toHaveLength(4);
    expect(cached.inputIndex).toEqual([0, 0, 1, 1]);
    // An untrained model rarely stops: every sequence ran to maxNewTokens or ended in EOS.
    cached.ids.forEach((ids, i) => {
      expect(ids.length).toBe(cached.lengths[i]);
      expect(cached.finished[i] ? ids.at(-1) === tok.eosId : ids.length === 10).toBe(true);
      expect(ids).not.toContain(tok.padId);
    });
    expect(cached.texts[0]).toBe(tok.decode(cached.ids[0]!));
  });

  it('is reproducible for a seed and varies across seeds', () => {
    const a = generate(policy, inputs, { maxNewTokens: 8, rng: createRng(5) });
    const b = generate(policy, inputs, { maxNewTokens: 8, rng: createRng(5) });
    const c = generate(policy, inputs, { maxNewTokens: 8, rng: createRng(6) });
    expect(a.ids).toEqual(b.ids);
    expect(c.ids).not.toEqual(a.ids);
  });

  it('leaks no tensors', () => {
    const before = tf.memory().numTensors;
    generate(policy, inputs, { maxNewTokens: 5, numSamples: 2, rng: createRng(1) });
    generate(policy, inputs, { maxNewTokens: 5, temperature: 0 });
    completionLogProbs(policy, inputs, [[1, 2], [3]]).dispose();
    completionLogProbs(policy, [inputs[0]!, inputs[0]!], [[1, 2], [3]]).dispose();
    const clone = clonePolicy(policy);
    const optimizer = new AdamOptimizer(clone, { learningRate: 1e-3 });
    optimizer.minimize(() => completionCrossEntropy(clone, [inputs[0]!, inputs[0]!], [[1, 2], [3]]));
    optimizer.dispose();
    clone.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('clones and copies weights (a frozen reference model)', () => {
    const ref = clonePolicy(policy, { trainable: false });
    expect(ref.variables.every((v) => !v.trainable)).toBe(true);
    const greedy = (p: typeof policy): number[][] => generate(p, inputs, { maxNewTokens: 6, temperature: 0 }).ids;
    expect(greedy(ref)).toEqual(greedy(policy));
    const other = tinyPolicy({ ...policy.config, seed: 99 });
    expect(greedy(other)).not.toEqual(greedy(policy));
    copyWeights(policy, other);
    expect(greedy(other)).toEqual(greedy(policy));
    ref.dispose();
    other.dispose();
  });
});

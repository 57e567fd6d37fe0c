// The GRPO / T-GRPO step over the model interface: groups, the shuffled half, rewards by
// name kept per function, advantages, the loss's gradients and the step metrics.
import { checkModel } from '@video-r1/model-api';
import { accuracyRewards, formatRewards } from '@video-r1/rewards';
import { createRng, selectBackend, shuffled, tf } from '@video-r1/tensor';
import { shuffleFrames } from '@video-r1/video-io';
import { beforeAll, describe, expect, it } from 'vitest';

import {
  type GrpoPrompt,
  grpoGradients,
  grpoStep,
  groupAdvantages,
  groupRewards,
  policyLoss,
  rollouts,
  type RolloutSettings,
  stepMetrics,
  videoR1Rewards,
} from '../src/index.js';
import { EOS, numberedFrames, toyModel } from './toy-model.js';

beforeAll(async () => {
  await selectBackend('cpu', { env: {}, log: false });
});

const settings: RolloutSettings = {
  algo: 'tgrpo',
  numGenerations: 4,
  temperature: 1,
  topP: 1,
  maxCompletionLength: 2,
  rewardFuncs: ['accuracy', 'format'],
  lengthControl: { enabled: true, minLength: 1, maxLength: 1, bonus: 0.2 },
  temporal: { ratio: 0.8, bonus: 0.3 },
};

const video: GrpoPrompt = { id: 'v', prompt: { text: 'Which?', frames: numberedFrames(4), mediaKind: 'video' }, solution: '<answer>B</answer>', problemType: 'multiple choice' };
const image: GrpoPrompt = { id: 'i', prompt: { text: 'Which?', frames: numberedFrames(1), mediaKind: 'image' }, solution: '<answer>A</answer>', problemType: 'multiple choice' };
const text: GrpoPrompt = { id: 't', prompt: { text: 'Which?', frames: null }, solution: '<answer>C</answer>', problemType: 'multiple choice' };

describe('groupRewards', () => {
  it('keeps N reward functions apart; the first is the accuracy the rules read', () => {
    const accuracy = [1, 0, 1, 0];
    const format = [1, 1, 0, 0];
    const extra = [0.5, 0.25, 0, 1];
    const out = groupRewards({ perFunction: [accuracy, format, extra], shuffledAccuracy: [0, 0], lengths: [1, 1, 5, 1], minLength: 1, maxLength: 1 });
    expect(out.temporalApplied).toBe(true);
    expect(out.accuracy).toEqual([1.3, 0, 1.3, 0]);
    // Two correct answers, one of length 1: the length bonus goes to completion 0 only.
    expect(out.lengthBonus).toEqual([0.2, 0, 0, 0]);
    expect(out.rewards).toEqual([1.3 + 1.5 + 0.2, 1.25, 1.3, 1]);
  });

  it('equals videoR1Rewards for the two Video-R1 functions', () => {
    const input = { shuffledAccuracy: [0.5, 0], lengths: [400, 100, 330, 600] };
    const a = videoR1Rewards({ accuracy: [1, 0, 1, 0.5], format: [1, 1, 0, 1], ...input });
    const b = groupRewards({ perFunction: [[1, 0, 1, 0.5], [1, 1, 0, 1]], ...input });
    expect(b.rewards).toEqual(a.rewards);
    expect(b.temporalApplied).toBe(a.temporalApplied);
  });

  it('names the function whose scores do not fit', () => {
    expect(() => groupRewards({ perFunction: [[1, 0], [1]], lengths: [1, 1] })).toThrow(/perFunction\[1\] has 1 entries/);
    expect(() => groupRewards({ perFunction: [], lengths: [] })).toThrow(/at least one reward function/);
  });
});

describe('rollouts', () => {
  it('samples G per prompt, then G/2 on shuffled frames for videos only, drawing the rng in that order', async () => {
    const model = toyModel();
    const prompts = [video, image, text, { ...video, id: 'v2' }];
    const groups = await rollouts(model, prompts, settings, createRng(5));
    expect(model.calls.map((c) => [c.inputs, c.numSamples])).toEqual([
      [4, 4],
      [2, 2],
    ]);
    // The shuffled inputs are the videos' frames permuted by the same rng, after the ordered draws.
    const rng = createRng(5);
    for (let k = 0; k < 16; k++) rng(); // one draw per ordered sequence (one token each)
    const expected = [video, video].map((p) => shuffleFrames(p.prompt.frames!, rng).data[0]);
    expect(model.calls[1]!.firstBytes).toEqual(expected);
    expect(groups.map((g) => g.shuffledAccuracy?.length ?? null)).toEqual([2, null, null, 2]);
    expect(groups.map((g) => g.temporalApplied === null)).toEqual([false, true, true, false]);
    for (const g of groups) {
      expect(g.completions).toHaveLength(4);
      const accuracy = accuracyRewards({ completions: g.texts, solutions: g.texts.map(() => g.prompt.solution), problemTypes: g.texts.map(() => 'multiple choice') });
      expect(g.rewardsPerFunc).toEqual({ accuracy, format: formatRewards(g.texts) });
      expect(g.advantages).toEqual(groupAdvantages(g.rewards, 4));
    }
    model.dispose();
  });

  it('GRPO samples no shuffled group; the same seed gives the same step', async () => {
    const model = toyModel();
    const grpo = { ...settings, algo: 'grpo' as const };
    const a = await rollouts(model, [video, image], grpo, createRng(9));
    const b = await rollouts(model, [video, image], grpo, createRng(9));
    expect(model.calls).toHaveLength(2);
    expect(a.map((g) => g.completions)).toEqual(b.map((g) => g.completions));
    expect(a.every((g) => g.shuffledAccuracy === null && g.temporalApplied === null)).toBe(true);
    model.dispose();
  });

  it('rejects settings that cannot make a group, and unknown reward names', async () => {
    const model = toyModel();
    await expect(rollouts(model, [video], { ...settings, numGenerations: 1 }, createRng(1))).rejects.toThrow(/numGenerations must be an integer ≥ 2/);
    await expect(rollouts(model, [video], { ...settings, rewardFuncs: ['accuracy', 'nope'] }, createRng(1))).rejects.toThrow(/Unknown reward function "nope"/);
    model.dispose();
  });
});

describe('grpoGradients', () => {
  it('is policyLoss over every completion, with the reference run without gradients', async () => {
    const model = toyModel({ init: [0.3, -0.2, 0.1, 0, 0, 0], eos: true });
    const reference = toyModel({ init: [0, 0, 0, 0, 0, 0], trainable: false, eos: true });
    const groups = await rollouts(model, [video, text], settings, createRng(3));
    const out = grpoGradients(model, reference, groups, { beta: 0.04 });
    // The same loss written out by hand from the rollouts.
    const completions = groups.flatMap((g) => g.completions);
    const inputs = groups.flatMap((g) => g.completions.map(() => g.input));
    const mask = completions.map((c) => c.map(() => 1));
    expect(completions.every((c) => c.length === 2 && c[1] === EOS)).toBe(true);
    const expected = tf.tidy(() => {
      const refLogps = reference.completionLogProbs(inputs, completions);
      const f = () => policyLoss({ logps: model.completionLogProbs(inputs, completions), refLogps, mask, advantages: groups.flatMap((g) => g.advantages) }, { beta: 0.04 }).loss;
      const { value, grads } = tf.variableGrads(f, [model.weights]);
      return { loss: value.dataSync()[0]!, grad: Array.from(grads[model.weights.name]!.dataSync()) };
    });
    expect(out.loss).toBeCloseTo(expected.loss, 6);
    expect(Array.from(out.grads[model.weights.name]!.dataSync())).toEqual(expected.grad);
    expect(Object.keys(out.grads)).toEqual([model.weights.name]);
    expect(out.kl).toBeGreaterThan(0);
    tf.dispose(Object.values(out.grads));
    model.dispose();
    reference.dispose();
  });

  it('needs a reference unless beta is 0, and applies transformLoss inside the tape', async () => {
    const model = toyModel();
    const groups = await rollouts(model, [text], { ...settings, algo: 'grpo' }, createRng(4));
    expect(() => grpoGradients(model, null, groups, { beta: 0.04 })).toThrow(/no reference model/);
    const plain = grpoGradients(model, null, groups, { beta: 0 });
    const doubled = grpoGradients(model, null, groups, { beta: 0, transformLoss: (l) => tf.mul(l, 2) });
    const g = (x: typeof plain) => Array.from(x.grads[model.weights.name]!.dataSync());
    g(doubled).forEach((v, i) => expect(v).toBeCloseTo(2 * g(plain)[i]!, 7));
    expect(Number.isNaN(grpoGradients(model, null, groups, { beta: 0, transformLoss: (l) => tf.mul(l, Number.NaN) }).loss)).toBe(true);
    model.dispose();
  });
});

describe('stepMetrics and grpoStep', () => {
  it('gives Video-R1 names, and like-for-like ordered/shuffled accuracy', async () => {
    const model = toyModel();
    const step = await grpoStep({ policy: model, reference: null, prompts: [video, image], settings, loss: { beta: 0 }, rng: createRng(8) });
    const m = step.metrics;
    const [v, i] = step.rollouts as [(typeof step.rollouts)[0], (typeof step.rollouts)[0]];
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(m['rewards/accuracy']).toBe(mean([...v.rewardsPerFunc['accuracy']!, ...i.rewardsPerFunc['accuracy']!]));
    expect(m['rewards/format']).toBe(1);
    expect(m['reward']).toBe(mean([...v.rewards, ...i.rewards]));
    expect(m['completion_length']).toBe(1);
    expect(m['temporal_rewards']).toBe(v.temporalApplied ? 1 : 0);
    expect(m['rewards/accuracy_shuffled']).toBe(mean(v.shuffledAccuracy!));
    expect(m['rewards/accuracy_ordered']).toBe(mean(v.rewardsPerFunc['accuracy']!));
    expect(m['rewards/accuracy_video']).toBe(mean(v.rewardsPerFunc['accuracy']!));
    expect(m['rewards/accuracy_image']).toBe(mean(i.rewardsPerFunc['accuracy']!));
    expect(m['kl']).toBe(0);
    expect(m['loss']).toBe(step.gradients.loss);
    expect(Object.keys(m)).toEqual([
      'rewards/accuracy', 'rewards/format', 'reward', 'reward_std', 'completion_length', 'all_wrong', 'all_correct',
      'temporal_rewards', 'rewards/accuracy_shuffled', 'rewards/accuracy_ordered', 'rewards/accuracy_video', 'rewards/accuracy_image',
      'kl', 'clip_ratio', 'loss',
    ]);
    tf.dispose(Object.values(step.gradients.grads));
    const none = stepMetrics([step.rollouts[1]!], ['accuracy', 'format']);
    expect(none['temporal_rewards']).toBeNull();
    expect(none['rewards/accuracy_video']).toBeNull();
    expect(none['rewards/accuracy_shuffled']).toBeNull();
    model.dispose();
  });

  it('the toy model meets the model contract', async () => {
    const model = toyModel({ eos: true });
    await checkModel(model, [video.prompt, text.prompt]);
    model.dispose();
  });

  it('shuffled() of the tensor package permutes like shuffleFrames (one randomness source)', () => {
    const frames = numberedFrames(6)!;
    const order = shuffleFrames(frames, createRng(2)).permutation;
    expect(shuffled([0, 1, 2, 3, 4, 5], createRng(2))).toEqual(order);
  });
});

import { tf } from '@video-r1/tensor';
import { describe, expect, it } from 'vitest';

import { AdamOptimizer, completionCrossEntropy, learningRateAt, sftTrain, type SftStepMetrics } from '../src/index.js';
import { PROMPTS, TARGETS, movingFrames, tinyPolicy } from './helpers.js';

const frames = movingFrames();
const examples = [
  { prompt: PROMPTS[0]!, frames, target: TARGETS[0]!, problemType: 'multiple choice' },
  { prompt: PROMPTS[1]!, frames: movingFrames(4, 8, 8, 9), target: TARGETS[1]!, problemType: 'numerical' },
];

describe('sftTrain', () => {
  it('lowers the loss on a tiny set and reports steps, epochs and validation', async () => {
    const policy = tinyPolicy();
    const steps: SftStepMetrics[] = [];
    const result = await sftTrain({
      policy,
      examples: Array.from({ length: 5 }, () => examples).flat(),
      validation: examples,
      maxNewTokens: 6,
      epochs: 6,
      batchSize: 2,
      learningRate: 1e-2,
      warmupSteps: 3,
      onStep: (m) => {
        steps.push(m);
      },
    });
    expect(steps).toHaveLength(30);
    expect(steps[0]!.lr).toBeCloseTo(1e-2 / 3, 10);
    expect(steps.every((s) => s.stage === 'sft' && s.tokensPerSecond > 0 && s.skipped === undefined)).toBe(true);
    expect(steps.at(-1)!.loss).toBeLessThan(steps[0]!.loss * 0.5);
    expect(result.state).toEqual({ stage: 'sft', step: 30, epoch: 6, batch: 0, seed: 0 });
    expect(result.epochs).toHaveLength(6);
    const last = result.epochs.at(-1)!.validation!;
    expect(last.loss).toBeLessThan(result.epochs[0]!.validation!.loss);
    expect(Object.keys(last.byProblemType).sort()).toEqual(['multiple choice', 'numerical']);
    result.optimizer.dispose();
    policy.dispose();
  });

  it('resumes where a stopped run left off, with the same data order', async () => {
    const run = async (stopAfter?: number): Promise<{ losses: number[]; weights: Float32Array[] }> => {
      const policy = tinyPolicy();
      const losses: number[] = [];
      const controller = new AbortController();
      const common = { policy, examples: [...examples, ...examples], epochs: 2, batchSize: 1, learningRate: 1e-2, seed: 3 };
      let result = await sftTrain({
        ...common,
        signal: controller.signal,
        onStep: (m) => {
          losses.push(m.loss);
          if (m.step === stopAfter) controller.abort();
        },
      });
      if (result.aborted) {
        expect(result.state.step).toBe(stopAfter);
        const optimizer = AdamOptimizer.fromState(policy, result.optimizer.getState());
        result.optimizer.dispose();
        result = await sftTrain({ ...common, optimizer, resume: result.state, onStep: (m) => void losses.push(m.loss) });
      }
      result.optimizer.dispose();
      const weights = policy.readWeights();
      policy.dispose();
      return { losses, weights };
    };
    const straight = await run();
    const resumed = await run(5);
    expect(resumed.losses).toEqual(straight.losses);
    expect(resumed.weights).toEqual(straight.weights);
  });
});

describe('AdamOptimizer', () => {
  it('takes a first step of lr·g/(|g|+ε) per weight (bias-corrected), and skips non-finite losses', () => {
    const policy = tinyPolicy();
    const lossFn = (): tf.Scalar => completionCrossEntropy(policy, [{ prompt: examples[0]!.prompt, frames }], [[3, 4, 5, 1]]);
    const { grads, value } = tf.variableGrads(lossFn, policy.variables);
    const g = policy.variables.map((v) => grads[v.name]!.dataSync() as Float32Array);
    value.dispose();
    Object.values(grads).forEach((t) => t.dispose());
    const before = policy.readWeights();
    const optimizer = new AdamOptimizer(policy, { learningRate: 0.1, maxGradNorm: 0 });
    const skipped = optimizer.minimize(() => tf.mul(lossFn(), Number.NaN) as tf.Scalar);
    expect(skipped).toMatchObject({ applied: false, skipped: 'non-finite-loss', step: 0 });
    expect(policy.readWeights()).toEqual(before);
    const result = optimizer.minimize(lossFn);
    expect(result.applied).toBe(true);
    const after = policy.readWeights();
    before.forEach((w, i) => {
      for (let j = 0; j < w.length; j += 97) {
        const gj = g[i]![j]!;
        expect(after[i]![j]).toBeCloseTo(w[j]! - (0.1 * gj) / (Math.abs(gj) + 1e-8), 5);
      }
    });
    optimizer.dispose();
    policy.dispose();
  });

  it('schedules warm-up then cosine decay', () => {
    const s = { peak: 1, warmupSteps: 4, totalSteps: 14, decay: 'cosine' as const };
    expect([0, 1, 2, 3].map((t) => learningRateAt(t, s))).toEqual([0.25, 0.5, 0.75, 1]);
    expect(learningRateAt(9, s)).toBeCloseTo(0.5, 10);
    expect(learningRateAt(14, s)).toBeCloseTo(0, 10);
  });
});

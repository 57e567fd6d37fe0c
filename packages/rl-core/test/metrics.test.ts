// stepMetrics on hand-made rollouts, with the expected values worked out by hand.
import { describe, expect, it } from 'vitest';

import { type Rollout, stepMetrics } from '../src/index.js';

function fakeRollout(mediaKind: 'video' | 'image', over: Partial<Rollout> = {}): Rollout {
  return {
    prompt: { id: mediaKind, prompt: { text: '', frames: null, mediaKind }, solution: '', problemType: 'multiple choice' },
    input: null,
    completions: [],
    texts: [],
    lengths: [4, 6],
    rewardsPerFunc: { accuracy: [1, 0], format: [1, 1] },
    shuffledAccuracy: null,
    rewards: [2, 1],
    advantages: [0.7, -0.7],
    temporalApplied: null,
    rewardStd: 0.7,
    generatedTokens: 10,
    ...over,
  };
}

describe('stepMetrics', () => {
  it('averages Video-R1 metrics over the step and leaves prompts without the temporal rule out of temporal_rewards', () => {
    const m = stepMetrics(
      [
        fakeRollout('video', { temporalApplied: true, shuffledAccuracy: [0, 0] }),
        fakeRollout('image', { rewards: [0.5, 1], rewardsPerFunc: { accuracy: [0, 0], format: [0.5, 1] }, rewardStd: 0.35 }),
      ],
      ['accuracy', 'format'],
    );
    expect(m['rewards/accuracy']).toBe(0.25);
    expect(m['rewards/format']).toBe(0.875);
    expect(m['reward']).toBe(1.125);
    expect(m['reward_std']).toBeCloseTo(0.525);
    expect(m['completion_length']).toBe(5);
    expect(m['all_wrong']).toBe(0.5);
    expect(m['all_correct']).toBe(0);
    expect(m['temporal_rewards']).toBe(1);
    expect(m['rewards/accuracy_shuffled']).toBe(0);
    // Like for like: the ordered accuracy of the prompts that have shuffled completions (the video).
    expect(m['rewards/accuracy_ordered']).toBe(0.5);
    expect(m['rewards/accuracy_video']).toBe(0.5);
    expect(m['rewards/accuracy_image']).toBe(0);
  });

  it('leaves the per-kind and ordered/shuffled fields null when the step has no such prompt', () => {
    const m = stepMetrics([fakeRollout('image')], ['accuracy', 'format']);
    expect(m['rewards/accuracy_image']).toBe(0.5);
    expect(m['rewards/accuracy_video']).toBeNull();
    expect(m['rewards/accuracy_ordered']).toBeNull();
    expect(m['rewards/accuracy_shuffled']).toBeNull();
  });
});

// Trains a toy model with GRPO through rl-core: the README's example, which imports
// '@video-r1/rl-core' where this file imports the source (test/readme-example.test.ts runs it).
import type { ModelPrompt, VisionLanguageModel } from '@video-r1/model-api';
import { rngFor, sampleTokens, selectBackend, tf, tokenLogProbs } from '@video-r1/tensor';

import { type GrpoPrompt, grpoStep, type RolloutSettings } from '../src/index.js';

/** Trains the toy for `steps` GRPO steps; returns the accuracy reward of each step. */
export async function trainToy(steps = 30): Promise<number[]> {
  await selectBackend('cpu', { log: false });

  // A toy "policy": one learned distribution over the answers A–D, whatever the prompt.
  // Vocabulary: 0–3 = A–D, 4 = EOS, 5 = PAD. Every completion is one answer token.
  const weights = tf.variable(tf.zeros([6]));
  const toy: VisionLanguageModel<ModelPrompt> = {
    name: 'toy',
    mediaRequest: { preset: 'video-r1-train' },
    tokens: { eosId: 4, padId: 5 },
    trainable: true,
    encode: (prompt) => prompt,
    async sample(inputs, { numSamples, temperature, topP, rng }) {
      const rows = inputs.length * numSamples;
      const answers = tf.tidy(() => tf.tile(tf.reshape(tf.slice(weights, [0], [4]), [1, 4]), [rows, 1]) as tf.Tensor2D);
      const ids = sampleTokens(answers, { temperature, topP, rng: rng! });
      answers.dispose();
      return {
        ids: ids.map((id) => [id]),
        texts: ids.map((id) => `<think>...</think><answer>${'ABCD'[id]}</answer>`),
        lengths: ids.map(() => 1),
        finished: ids.map(() => false),
      };
    },
    completionLogProbs(inputs, completions, { length = 1 } = {}) {
      const ids = completions.map((c) => [...c, ...new Array<number>(length - c.length).fill(5)]);
      const logits = tf.tile(tf.reshape(weights, [1, 1, 6]), [inputs.length, length, 1]) as tf.Tensor3D;
      return tokenLogProbs(logits, ids);
    },
    trainableVariables: () => [weights],
    save: async () => undefined,
    dispose: () => weights.dispose(),
  };

  // The part a trainer writes: prompts, settings, and an optimizer applying rl-core's gradients.
  const prompts: GrpoPrompt[] = [
    { id: 'q1', prompt: { text: 'Which letter?', frames: null }, solution: '<answer>C</answer>', problemType: 'multiple choice' },
  ];
  const settings: RolloutSettings = {
    algo: 'grpo',
    numGenerations: 8,
    temperature: 1,
    topP: 1,
    maxCompletionLength: 1,
    rewardFuncs: ['accuracy', 'format'],
    lengthControl: { enabled: false, minLength: 0, maxLength: 0, bonus: 0 },
    temporal: { ratio: 0.8, bonus: 0.3 },
  };
  const optimizer = tf.train.adam(0.1);
  const accuracy: number[] = [];
  for (let step = 1; step <= steps; step++) {
    const { gradients, metrics } = await grpoStep({ policy: toy, reference: null, prompts, settings, loss: { beta: 0 }, rng: rngFor(0, 'rl', step) });
    optimizer.applyGradients(Object.entries(gradients.grads).map(([name, tensor]) => ({ name, tensor })));
    tf.dispose(Object.values(gradients.grads));
    accuracy.push(metrics['rewards/accuracy'] as number);
  }
  toy.dispose();
  optimizer.dispose();
  return accuracy;
}

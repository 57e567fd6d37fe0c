// A toy VisionLanguageModel for the GRPO tests: one learned distribution over four answers,
// which records what it was asked (inputs, frame order, rng draws) so tests can check the step.
import type { ModelPrompt, VisionLanguageModel } from '@video-r1/model-api';
import { sampleTokens, tf, tokenLogProbs } from '@video-r1/tensor';

export const EOS = 4;
export const PAD = 5;

export interface ToyModel extends VisionLanguageModel<ModelPrompt> {
  weights: tf.Variable;
  /** Each sample() call: how many inputs, G, and the first byte of every input's frames. */
  calls: { inputs: number; numSamples: number; firstBytes: (number | null)[] }[];
}

/** Answers as `<think>…</think><answer>X</answer>`, plus EOS when `eos` (lengths 2). */
export function toyModel(options: { trainable?: boolean; init?: number[]; eos?: boolean } = {}): ToyModel {
  const weights = tf.variable(tf.tensor1d(options.init ?? [0, 0, 0, 0, 0, 0]), options.trainable ?? true);
  const calls: ToyModel['calls'] = [];
  return {
    weights,
    calls,
    name: 'toy',
    mediaRequest: { preset: 'video-r1-train', maxFrames: 4, outputSize: { height: 2, width: 2 } },
    tokens: { eosId: EOS, padId: PAD },
    trainable: options.trainable ?? true,
    encode: (prompt) => prompt,
    async sample(inputs, { numSamples, temperature, topP, rng }) {
      calls.push({ inputs: inputs.length, numSamples, firstBytes: inputs.map((p) => (p.frames ? (p.frames.data[0] as number) : null)) });
      const rows = inputs.length * numSamples;
      const logits = tf.tidy(() => tf.tile(tf.reshape(tf.slice(weights, [0], [4]), [1, 4]), [rows, 1]) as tf.Tensor2D);
      const ids = sampleTokens(logits, { temperature, topP, rng: rng! });
      logits.dispose();
      const seqs = ids.map((id) => (options.eos ? [id, EOS] : [id]));
      return {
        ids: seqs,
        texts: ids.map((id) => `<think>...</think><answer>${'ABCD'[id]}</answer>`),
        lengths: seqs.map((s) => s.length),
        finished: seqs.map(() => options.eos === true),
      };
    },
    completionLogProbs(inputs, completions, { length } = {}) {
      const T = length ?? Math.max(...completions.map((c) => c.length));
      const ids = completions.map((c) => [...c, ...new Array<number>(T - c.length).fill(PAD)]);
      return tokenLogProbs(tf.tile(tf.reshape(weights, [1, 1, 6]), [inputs.length, T, 1]) as tf.Tensor3D, ids);
    },
    trainableVariables: () => (options.trainable === false ? [] : [weights]),
    save: async () => undefined,
    dispose: () => weights.dispose(),
  };
}

/** A video of `frames` frames of 2×2 pixels whose first byte is the frame number. */
export function numberedFrames(frames: number): ModelPrompt['frames'] {
  const data = new Uint8Array(frames * 2 * 2 * 3);
  for (let f = 0; f < frames; f++) data.fill(f, f * 12, (f + 1) * 12);
  return { data, frames, height: 2, width: 2 };
}

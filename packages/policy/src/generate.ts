// Batched sampling with a key/value cache: the prompt is encoded once, then each step
// runs the model over one new column only, so T new tokens cost T small forward steps.
import { type Rng, sampleTokens } from '@video-r1/tensor';

import {
  type BatchLayout,
  type KVCache,
  type Policy,
  type PolicyInput,
  causalMask,
  embedLayout,
  embedTokens,
  layoutInputs,
  logitsFrom,
  runBlocks,
} from './model.js';
import { tf } from './tf.js';
import type { Tensor, Tensor2D } from './tf.js';

export interface GenerateOptions {
  /** Most tokens generated per sequence (the EOS token included). */
  maxNewTokens: number;
  /** Softmax temperature; 0 is greedy decoding. Default 1. */
  temperature?: number;
  /** Nucleus mass in (0, 1]. Default 1. */
  topP?: number;
  /** Keep the k most probable tokens before top-p (0 or absent: no limit). */
  topK?: number;
  /** Uniform [0, 1) generator (`createRng(seed)` of @video-r1/tensor); one draw per row and step. Required unless temperature is 0. */
  rng?: Rng;
  /** Completions per input (a GRPO group): the prompt is encoded once and its cache shared. Default 1. */
  numSamples?: number;
  /** Reuse keys/values across steps (default true). `false` recomputes the whole sequence each step (for checking). */
  useCache?: boolean;
}

export interface GenerateResult {
  /** Generated ids per sequence, ending with EOS when the sequence finished; no padding. */
  ids: number[][];
  /** Decoded completions (EOS removed). */
  texts: string[];
  /** Tokens per sequence (`ids[n].length`). */
  lengths: number[];
  /** Whether the sequence ended with EOS (false: cut at `maxNewTokens`). */
  finished: boolean[];
  /** Index of the input each sequence belongs to (sequences are input-major). */
  inputIndex: number[];
  /** Forward steps run (the prefill counts as one). */
  steps: number;
}

/**
 * Samples completions for a batch of inputs. Sequences are ordered input-major:
 * input 0's `numSamples` completions, then input 1's, and so on. Sampling is exactly
 * reproducible for a given rng state (one `rng()` per sequence and step, finished rows
 * included), and stops when every sequence has produced EOS or `maxNewTokens` tokens.
 */
export function generate(policy: Policy, inputs: readonly PolicyInput[], options: GenerateOptions): GenerateResult {
  const numSamples = options.numSamples ?? 1;
  const temperature = options.temperature ?? 1;
  const topP = options.topP ?? 1;
  const topK = options.topK ?? 0;
  const { maxNewTokens } = options;
  if (!Number.isInteger(maxNewTokens) || maxNewTokens < 0) {
    throw new Error(`generate: maxNewTokens must be a non-negative integer, got ${maxNewTokens}`);
  }
  if (!Number.isInteger(numSamples) || numSamples < 1) {
    throw new Error(`generate: numSamples must be a positive integer, got ${numSamples}`);
  }
  if (temperature > 0 && typeof options.rng !== 'function') {
    throw new Error('generate: options.rng is required when temperature > 0 (e.g. createRng(seed) from @video-r1/tensor)');
  }
  const rng: Rng = options.rng ?? (() => 0);
  const { tokenizer } = policy;
  const eos = tokenizer.eosId;
  const pad = tokenizer.padId;

  const layout = layoutInputs(policy, inputs);
  const n = inputs.length * numSamples;
  const inputIndex = Array.from({ length: n }, (_, i) => Math.floor(i / numSamples));
  const promptLengths = inputIndex.map((i) => layout.rows[i]!.textIds.length);
  const room = policy.config.maxTextLength - Math.max(0, ...promptLengths);
  if (maxNewTokens > room) {
    throw new Error(
      `generate: prompts of ${policy.config.maxTextLength - room} tokens leave room for ${room} new tokens ` +
        `(config.maxTextLength ${policy.config.maxTextLength}), but maxNewTokens is ${maxNewTokens}`,
    );
  }
  const ids: number[][] = Array.from({ length: n }, () => []);
  const finished = new Array<boolean>(n).fill(false);
  const result = (steps: number): GenerateResult => ({
    ids,
    texts: ids.map((row) => tokenizer.decode(row)),
    lengths: ids.map((row) => row.length),
    finished,
    inputIndex,
    steps,
  });
  if (n === 0 || maxNewTokens === 0) return result(0);

  // PAD is never a valid output: its logit is pushed to -1e9 before sampling.
  const padBias = tf.tidy(() => tf.mul(tf.cast(tf.oneHot(tf.tensor1d([pad], 'int32'), policy.config.vocabSize), 'float32'), -1e9));
  const choose = (logits: Tensor2D): number[] =>
    tf.tidy(() => {
      const masked = tf.add(logits, padBias) as Tensor2D;
      return sampleTokens(masked, { temperature, topP, topK, rng });
    });
  const record = (tokens: readonly number[]): boolean => {
    tokens.forEach((token, row) => {
      if (finished[row]) return;
      ids[row]!.push(token);
      if (token === eos) finished[row] = true;
    });
    return finished.every(Boolean) || ids.every((row, i) => finished[i] || row.length >= maxNewTokens);
  };

  let steps = 0;
  try {
    if (options.useCache === false) {
      const expanded = inputIndex.map((i) => inputs[i]!);
      for (;;) {
        const logits = tf.tidy(() => {
          const full = layoutInputs(policy, expanded, ids);
          const { hidden } = runBlocks(policy, embedLayout(policy, full), causalMask(full));
          const last = tf.slice(hidden, [0, full.length - 1, 0], [-1, 1, -1]);
          return tf.reshape(logitsFrom(policy, last), [n, policy.config.vocabSize]) as Tensor2D;
        });
        steps++;
        const tokens = choose(logits);
        logits.dispose();
        if (record(tokens.map((t, row) => (finished[row] ? pad : t)))) break;
      }
      return result(steps);
    }

    let { logits, cache } = prefill(policy, layout, numSamples);
    steps++;
    let length = layout.length;
    const leftPad = inputIndex.map((i) => layout.rows[i]!.leftPad);
    for (;;) {
      const tokens = choose(logits).map((t, row) => (finished[row] ? pad : t));
      logits.dispose();
      if (record(tokens)) {
        disposeCache(cache);
        break;
      }
      // The token just drawn is completion token `steps - 1` of every row (finished rows feed PAD there).
      const positions = promptLengths.map((p) => p + steps - 1);
      const next = tf.tidy(() => {
        const keyMask = new Float32Array(n * (length + 1));
        leftPad.forEach((p, row) => keyMask.fill(-1e9, row * (length + 1), row * (length + 1) + p));
        const mask = tf.tensor4d(keyMask, [n, 1, 1, length + 1]);
        const x = embedTokens(
          policy,
          tokens.map((t) => [t]),
          positions.map((p) => [p]),
        );
        const out = runBlocks(policy, x, mask, cache);
        const stepLogits = tf.reshape(logitsFrom(policy, out.hidden), [n, policy.config.vocabSize]) as Tensor2D;
        return { logits: stepLogits, cache: out.cache };
      });
      disposeCache(cache);
      ({ logits, cache } = next);
      length++;
      steps++;
    }
    return result(steps);
  } finally {
    padBias.dispose();
  }
}

/** Runs the prompts once; tiles logits and cache to `numSamples` rows per input. */
function prefill(policy: Policy, layout: BatchLayout, numSamples: number): { logits: Tensor2D; cache: KVCache } {
  return tf.tidy(() => {
    const { hidden, cache } = runBlocks(policy, embedLayout(policy, layout), causalMask(layout));
    const b = layout.rows.length;
    const last = tf.slice(hidden, [0, layout.length - 1, 0], [-1, 1, -1]);
    let logits = tf.reshape(logitsFrom(policy, last), [b, policy.config.vocabSize]) as Tensor2D;
    if (numSamples === 1) return { logits, cache };
    const repeat = tf.tensor1d(
      Array.from({ length: b * numSamples }, (_, i) => Math.floor(i / numSamples)),
      'int32',
    );
    const tile = <T extends Tensor>(t: T): T => tf.gather(t, repeat) as T;
    logits = tile(logits);
    return { logits, cache: { keys: cache.keys.map(tile), values: cache.values.map(tile) } };
  });
}

function disposeCache(cache: KVCache): void {
  for (const t of cache.keys) t.dispose();
  for (const t of cache.values) t.dispose();
}

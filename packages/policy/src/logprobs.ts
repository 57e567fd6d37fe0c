// Teacher-forced scoring of given completions: the [N, T] log-probabilities the GRPO loss
// and the SFT cross-entropy are built on.
import { gatherRows, tokenLogProbs } from '@video-r1/tensor';

import {
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
import type { Tensor, Tensor2D, Tensor3D } from './tf.js';

export interface CompletionLogProbsOptions {
  /**
   * Columns of the result (default: the longest completion). Shorter completions are
   * right-padded with PAD; their padded columns hold PAD's log-probability and must be
   * masked (see `completionMask`).
   */
  length?: number;
  /** Divides the logits before the softmax (TRL's sampling-temperature scaling). Default 1. */
  temperature?: number;
}

/** Right-pads ragged completions with `padId` to `length` columns. */
export function padCompletions(completions: readonly (readonly number[])[], padId: number, length?: number): number[][] {
  const T = length ?? Math.max(0, ...completions.map((c) => c.length));
  return completions.map((c, i) => {
    if (c.length > T) throw new Error(`completion ${i} has ${c.length} tokens, more than the ${T} columns asked for`);
    return [...c, ...new Array<number>(T - c.length).fill(padId)];
  });
}

/** The completion mask of @video-r1/model-api (1 up to and including the first EOS), re-exported. */
export { completionMask } from '@video-r1/model-api';

/**
 * Log-probabilities [N, T] of `completions[n]` after `inputs[n]`, by `tokenLogProbs` of
 * @video-r1/tensor over one causal pass. Differentiable with respect to the policy's
 * variables: call it inside `tf.variableGrads` (or the optimizer's `minimize`) to train on it.
 *
 * Rows that share an input (the same `PolicyInput` object, as in a GRPO group) share its
 * prompt: the prompt is encoded once and its keys/values feed every completion of the group,
 * which equals the full per-row computation up to float rounding.
 */
export function completionLogProbs(
  policy: Policy,
  inputs: readonly PolicyInput[],
  completions: readonly (readonly number[])[],
  options: CompletionLogProbsOptions = {},
): Tensor2D {
  if (inputs.length !== completions.length) {
    throw new Error(`completionLogProbs: ${inputs.length} inputs but ${completions.length} completions`);
  }
  const targets = padCompletions(completions, policy.tokenizer.padId, options.length);
  const T = targets[0]?.length ?? 0;
  if (inputs.length === 0 || T === 0) return tf.zeros([inputs.length, T]) as Tensor2D;
  const unique = [...new Set(inputs)];
  return tf.tidy(() => {
    const predicting = unique.length < inputs.length ? sharedPrefixHidden(policy, inputs, unique, targets) : fullHidden(policy, inputs, targets);
    const logits = logitsFrom(policy, predicting) as Tensor3D;
    return tokenLogProbs(logits, targets, { temperature: options.temperature ?? 1, validateIds: false });
  });
}

/** Hidden states [N, T, d] at the positions that predict each completion token: one pass per row. */
function fullHidden(policy: Policy, inputs: readonly PolicyInput[], targets: number[][]): Tensor3D {
  const T = targets[0]!.length;
  // The last completion token is only ever a target, never an input.
  const layout = layoutInputs(
    policy,
    inputs,
    targets.map((row) => row.slice(0, T - 1)),
  );
  const { hidden } = runBlocks(policy, embedLayout(policy, layout), causalMask(layout));
  // Column L - T predicts completion token 0 (the prompts all end at column L - T).
  return tf.slice(hidden, [0, layout.length - T, 0], [-1, T, -1]) as Tensor3D;
}

/** As `fullHidden`, encoding each distinct input once and reusing its keys/values. */
function sharedPrefixHidden(
  policy: Policy,
  inputs: readonly PolicyInput[],
  unique: readonly PolicyInput[],
  targets: number[][],
): Tensor3D {
  const T = targets[0]!.length;
  const which = Int32Array.from(inputs, (input) => unique.indexOf(input));
  const prefix = layoutInputs(policy, unique);
  const L = prefix.length;
  const { hidden: prefixHidden, cache } = runBlocks(policy, embedLayout(policy, prefix), causalMask(prefix));
  const rows = tf.tensor1d(which, 'int32');
  const tile = <X extends Tensor>(t: X): X => gatherRows(t, rows);
  // The last prompt column predicts completion token 0.
  const first = tile(tf.slice(prefixHidden, [0, L - 1, 0], [-1, 1, -1]) as Tensor3D);
  if (T === 1) return first;
  const n = inputs.length;
  const promptLengths = Array.from(which, (u) => prefix.rows[u]!.textIds.length);
  const x = embedTokens(
    policy,
    targets.map((row) => row.slice(0, T - 1)),
    promptLengths.map((p) => Array.from({ length: T - 1 }, (_, t) => p + t)),
  );
  // Queries are the T - 1 completion columns; keys are [prompt columns | completion columns].
  const keys = L + T - 1;
  const mask = new Float32Array(n * (T - 1) * keys);
  for (let r = 0; r < n; r++) {
    const pad = prefix.rows[which[r]!]!.leftPad;
    for (let q = 0; q < T - 1; q++) {
      const base = (r * (T - 1) + q) * keys;
      for (let k = 0; k < keys; k++) if (k < pad || k > L + q) mask[base + k] = -1e9;
    }
  }
  const past = { keys: cache.keys.map(tile), values: cache.values.map(tile) };
  const { hidden } = runBlocks(policy, x, tf.tensor4d(mask, [n, 1, T - 1, keys]), past);
  return tf.concat([first, hidden], 1) as Tensor3D;
}

// A conformance check an implementation runs in its own tests: the contract of
// `VisionLanguageModel` that the GRPO step relies on, checked on the real model.
import { createRng, tf } from '@video-r1/tensor';

import { completionMask } from './mask.js';
import type { ModelPrompt, SampledCompletions, VisionLanguageModel } from './model.js';

export type ModelContractErrorCode =
  | 'SAMPLE_SHAPE'
  | 'SAMPLE_NOT_REPRODUCIBLE'
  | 'PAD_SAMPLED'
  | 'LOGPROBS_SHAPE'
  | 'LOGPROBS_VALUE'
  | 'SHARED_INPUT_MISMATCH'
  | 'NO_GRADIENT';

export class ModelContractError extends Error {
  override readonly name = 'ModelContractError';
  constructor(
    readonly code: ModelContractErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface CheckModelOptions {
  /** Completions per prompt (default 2). */
  numSamples?: number;
  /** Default 6. */
  maxNewTokens?: number;
  /** Default 1 (sampling, so reproducibility under a seed is checked). */
  temperature?: number;
  /** Tolerance of shared-prompt vs per-row log-probs (default 1e-4). */
  atol?: number;
}

function fail(code: ModelContractErrorCode, model: string, text: string): never {
  throw new ModelContractError(code, `${model}: ${text}`);
}

function checkSampleShape(name: string, out: SampledCompletions, rows: number, maxNewTokens: number, padId: number): void {
  for (const field of ['ids', 'texts', 'lengths', 'finished'] as const) {
    if (!Array.isArray(out[field]) || out[field].length !== rows) {
      fail('SAMPLE_SHAPE', name, `sample() returned ${String(out[field]?.length)} ${field}, expected ${rows} (inputs × numSamples)`);
    }
  }
  out.ids.forEach((ids, n) => {
    if (ids.length !== out.lengths[n]) fail('SAMPLE_SHAPE', name, `sequence ${n}: lengths[${n}] = ${out.lengths[n]} but ids has ${ids.length}`);
    if (ids.length > maxNewTokens) fail('SAMPLE_SHAPE', name, `sequence ${n} has ${ids.length} tokens, more than maxNewTokens ${maxNewTokens}`);
    if (ids.includes(padId)) fail('PAD_SAMPLED', name, `sequence ${n} contains the PAD id ${padId}`);
  });
}

/**
 * Runs `model` on `prompts` and checks what the GRPO step relies on:
 * - `sample` gives inputs × numSamples input-major rows, consistent lengths, no PAD, and the
 *   same ids again for a generator seeded the same way;
 * - `completionLogProbs` is [N, T] of finite values ≤ 0 on the masked tokens, and the same
 *   whether a group's rows share one `Input` object or each has its own encoding;
 * - a trainable model gets a non-zero gradient on some trainable variable.
 * Throws a `ModelContractError` (with `code`) naming what is wrong.
 */
export async function checkModel<Input>(
  model: VisionLanguageModel<Input>,
  prompts: readonly ModelPrompt[],
  options: CheckModelOptions = {},
): Promise<void> {
  const numSamples = options.numSamples ?? 2;
  const maxNewTokens = options.maxNewTokens ?? 6;
  const temperature = options.temperature ?? 1;
  const atol = options.atol ?? 1e-4;
  const { eosId, padId } = model.tokens;
  const inputs = prompts.map((p) => model.encode(p));
  const settings = { numSamples, maxNewTokens, temperature, topP: 1 };
  const first = await model.sample(inputs, { ...settings, rng: createRng(7) });
  checkSampleShape(model.name, first, inputs.length * numSamples, maxNewTokens, padId);
  const again = await model.sample(inputs, { ...settings, rng: createRng(7) });
  if (JSON.stringify(again.ids) !== JSON.stringify(first.ids)) {
    fail('SAMPLE_NOT_REPRODUCIBLE', model.name, 'two sample() calls with createRng(7) gave different ids');
  }

  // Every completion non-empty, so each row has something to score.
  const completions = first.ids.map((ids) => (ids.length > 0 ? ids : [eosId]));
  const shared = completions.map((_, n) => inputs[Math.floor(n / numSamples)] as Input);
  const own = completions.map((_, n) => model.encode(prompts[Math.floor(n / numSamples)] as ModelPrompt));
  const length = Math.max(...completions.map((c) => c.length));
  const mask = completionMask(completions, eosId, length);
  const [sharedValues, ownValues] = tf.tidy(() => [
    model.completionLogProbs(shared, completions, { length }).arraySync(),
    model.completionLogProbs(own, completions, { length }).arraySync(),
  ]);
  if (sharedValues.length !== completions.length || sharedValues.some((row) => row.length !== length)) {
    fail('LOGPROBS_SHAPE', model.name, `completionLogProbs returned [${sharedValues.length}, ${sharedValues[0]?.length}], expected [${completions.length}, ${length}]`);
  }
  for (let n = 0; n < completions.length; n++) {
    for (let t = 0; t < length; t++) {
      if (mask[n]![t] !== 1) continue;
      const a = sharedValues[n]![t]!;
      const b = ownValues[n]![t]!;
      if (!(Number.isFinite(a) && a <= 1e-6)) fail('LOGPROBS_VALUE', model.name, `log-prob [${n}][${t}] is ${a}; it must be finite and ≤ 0`);
      if (!(Math.abs(a - b) <= atol)) {
        fail('SHARED_INPUT_MISMATCH', model.name, `log-prob [${n}][${t}] is ${a} with the group's shared input but ${b} with its own encoding`);
      }
    }
  }

  if (!model.trainable) return;
  const variables = model.trainableVariables();
  const { value, grads } = tf.variableGrads(
    () => tf.neg(tf.sum(tf.mul(model.completionLogProbs(shared, completions, { length }), tf.tensor2d(mask)))) as tf.Scalar,
    variables,
  );
  value.dispose();
  const moved = Object.values(grads).some((g) => tf.tidy(() => tf.max(tf.abs(g)).dataSync()[0]! > 0));
  for (const g of Object.values(grads)) g.dispose();
  if (!moved) fail('NO_GRADIENT', model.name, `no trainable variable (of ${variables.length}) got a non-zero gradient from completionLogProbs`);
}

// Batched generation with a key/value cache, as transformers' `generate` runs Qwen2.5-VL:
// prefill over the (left-padded) prompt with the rope index, then one token per step at cache
// position c (pads counted) with M-RoPE position c + rope_delta on all three axes. Greedy
// (temperature 0) or sampled with temperature / top-k / top-p through @video-r1/tensor's `sampleTokens`.
import { type Rng, sampleTokens } from '@video-r1/tensor';

import { createKvCache, disposeKvCache } from './kv-cache.js';
import type { ForwardOptions, ModelInputs, QwenVLModel } from './model.js';
import { QwenVLModelError } from './model-error.js';
import { tf } from './tf.js';

export interface GenerateOptions extends ForwardOptions {
  maxNewTokens: number;
  /** 0 = greedy (argmax, lowest id on ties). Default 0. */
  temperature?: number;
  topP?: number;
  topK?: number;
  /** Required when sampling (temperature > 0): uniform numbers in [0, 1), e.g. `createRng(seed)`. */
  rng?: Rng;
  /**
   * Stop ids (default: the config's eos_token_id). A row that produced one is finished: it gets
   * `padTokenId` from then on, and generation ends when every row is finished. `null` never stops
   * (exactly `maxNewTokens` tokens).
   */
  eosTokenId?: number | readonly number[] | null;
  /** Filler after a row finished (default: the config's pad_token_id, else the first eos id). */
  padTokenId?: number;
  /** Ids never generated (their logits are set to −∞ before choosing), e.g. the PAD id. */
  bannedTokenIds?: readonly number[];
  /** Sees the `[B, V]` logits of every step before a token is chosen (the tensor is freed after the call). */
  onLogits?: (step: number, logits: tf.Tensor2D) => void;
}

export interface GenerateResult {
  /** `[B][steps]` new tokens; after a row's stop token, `padTokenId`. */
  tokens: number[][];
  /** New tokens per row up to and including its stop token (or all of them). */
  lengths: number[];
  /** Whether each row produced a stop token. */
  finished: boolean[];
  /** `[B][steps]` the largest raw logit at every step (before temperature). */
  stepMaxLogits: number[][];
}

function stopIds(model: QwenVLModel, option: GenerateOptions['eosTokenId']): number[] {
  if (option === null) return [];
  const ids = option ?? model.config.eosTokenId;
  if (ids === undefined) return [];
  return typeof ids === 'number' ? [ids] : [...ids];
}

const noRng: Rng = () => 0;

/** `[1, V]`: −∞ at the banned ids, 0 elsewhere (null when none are banned). */
function bannedBias(vocabSize: number, ids: readonly number[]): tf.Tensor2D | null {
  if (ids.length === 0) return null;
  const bias = new Float32Array(vocabSize);
  for (const id of ids) {
    if (!Number.isInteger(id) || id < 0 || id >= vocabSize) {
      throw new QwenVLModelError('INVALID_INPUT', `generate: banned token id ${id} is not in [0, ${vocabSize})`);
    }
    bias[id] = -Infinity;
  }
  return tf.tensor2d(bias, [1, vocabSize]);
}

/** Generates up to `maxNewTokens` tokens for every row (KV-cached: O(T) work per new token). */
export function generate(model: QwenVLModel, inputs: ModelInputs, options: GenerateOptions): GenerateResult {
  const { maxNewTokens } = options;
  if (!Number.isInteger(maxNewTokens) || maxNewTokens < 0) throw new QwenVLModelError('INVALID_INPUT', `generate: maxNewTokens must be an integer ≥ 0, got ${maxNewTokens}`);
  const temperature = options.temperature ?? 0;
  if (temperature > 0 && typeof options.rng !== 'function') {
    throw new QwenVLModelError('INVALID_INPUT', 'generate: sampling (temperature > 0) needs options.rng, e.g. createRng(seed) from @video-r1/video-io');
  }
  const stops = stopIds(model, options.eosTokenId);
  const pad = options.padTokenId ?? model.config.padTokenId ?? stops[0] ?? 0;
  const batch = inputs.inputIds.length;
  const forward: ForwardOptions = { useLora: options.useLora ?? true };
  const tokens: number[][] = inputs.inputIds.map(() => []);
  const stepMaxLogits: number[][] = inputs.inputIds.map(() => []);
  const finished = new Array<boolean>(batch).fill(false);
  const lengths = new Array<number>(batch).fill(0);
  if (maxNewTokens === 0) return { tokens, lengths, finished, stepMaxLogits };

  const banned = bannedBias(model.config.vocabSize, options.bannedTokenIds ?? []);
  const cache = createKvCache(model.config.numHiddenLayers, batch);
  try {
    const { hidden, ropeDeltas } = model.hiddenStates(inputs, { ...forward, cache });
    let logits = tf.tidy(() => {
      const [b, l, d] = hidden.shape;
      const last = tf.slice(hidden, [0, l - 1, 0], [b, 1, d]);
      return tf.reshape(model.logitsOf(last), [b, model.config.vocabSize]) as tf.Tensor2D;
    });
    hidden.dispose();
    for (let step = 0; ; step++) {
      options.onLogits?.(step, logits);
      const values = logits.dataSync();
      const v = model.config.vocabSize;
      for (let b = 0; b < batch; b++) {
        let max = -Infinity;
        for (let j = 0; j < v; j++) max = Math.max(max, values[b * v + j] as number);
        stepMaxLogits[b]!.push(max);
      }
      const scored = banned === null ? logits : (tf.add(logits, banned) as tf.Tensor2D);
      const next = sampleTokens(scored, {
        temperature,
        topP: options.topP ?? 1,
        topK: options.topK ?? 0,
        rng: options.rng ?? noRng,
      });
      tf.dispose([logits, scored]);
      for (let b = 0; b < batch; b++) {
        if (finished[b]) {
          next[b] = pad;
        } else {
          lengths[b] = (lengths[b] as number) + 1;
          if (stops.includes(next[b] as number)) finished[b] = true;
        }
        tokens[b]!.push(next[b] as number);
      }
      if (step + 1 >= maxNewTokens || finished.every(Boolean)) break;
      logits = model.decodeStep(next, ropeDeltas, cache, forward);
    }
  } finally {
    disposeKvCache(cache);
    banned?.dispose();
  }
  return { tokens, lengths, finished, stepMaxLogits };
}

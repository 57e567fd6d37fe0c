// The Qwen2 decoder of Qwen2.5-VL (transformers 4.49–4.51 `Qwen2_5_VLModel`): pre-norm
// layers of GQA self-attention with q/k/v bias and M-RoPE, a SwiGLU MLP without bias, RMSNorm,
// a final norm. Batched over left-padded rows; optionally fed and extended by a KV cache.
import { type KvCache, appendToCache } from './kv-cache.js';
import { applyRotary, linear, matmul, rmsNorm, silu, transposeLast } from './ops.js';
import { tf } from './tf.js';

type Tensor = tf.Tensor;

export interface DecoderConfig {
  hiddenSize: number;
  intermediateSize: number;
  numLayers: number;
  numHeads: number;
  numKvHeads: number;
  headDim: number;
  vocabSize: number;
  rmsNormEps: number;
  ropeTheta: number;
  mropeSection: readonly [number, number, number];
  tieWordEmbeddings: boolean;
}

/** A LoRA pair on one linear: `(alpha/r) · (x Aᵀ) Bᵀ` with A `[r, in]`, B `[out, r]`. */
export interface LoraPair {
  a: Tensor;
  b: Tensor;
  scale: number;
}

export interface LinearParams {
  weight: Tensor;
  bias: Tensor | null;
  /** Present when an adapter targets this module. */
  lora?: LoraPair | undefined;
}

export interface DecoderLayerParams {
  inputNorm: Tensor;
  postAttentionNorm: Tensor;
  q: LinearParams;
  k: LinearParams;
  v: LinearParams;
  o: LinearParams;
  gate: LinearParams;
  up: LinearParams;
  down: LinearParams;
}

export interface DecoderParams {
  embedTokens: Tensor;
  layers: DecoderLayerParams[];
  norm: Tensor;
  /** `embedTokens` itself when the head is tied. */
  lmHead: Tensor;
}

export interface DecoderRunOptions {
  /** Apply the LoRA pairs (default true); false gives the base model. */
  useLora?: boolean;
}

/** Additive attention bias: 0 where attention is allowed, this where it is not. */
export const MASKED = -1e9;

/** A linear with its LoRA pair when enabled. */
export function applyLinear(params: LinearParams, x: Tensor, useLora: boolean): Tensor {
  return tf.tidy(() => {
    const y = linear(x, params.weight, params.bias);
    if (!useLora || params.lora === undefined) return y;
    const { a, b, scale } = params.lora;
    return tf.add(y, tf.mul(linear(linear(x, a, null), b, null), scale));
  });
}

/**
 * Additive mask `[B, 1, Lq, Lk]`: query i (cache position `offset + i`) sees key j when
 * j ≤ offset + i and key j is not padding. Fully masked rows (pad queries) stay finite.
 */
export function attentionBias(keyValid: readonly (readonly number[])[], queryLength: number, offset: number): tf.Tensor4D {
  const batch = keyValid.length;
  const keyLength = keyValid[0]?.length ?? 0;
  const data = new Float32Array(batch * queryLength * keyLength);
  for (let b = 0; b < batch; b++) {
    const valid = keyValid[b]!;
    for (let i = 0; i < queryLength; i++) {
      const base = (b * queryLength + i) * keyLength;
      const last = offset + i;
      for (let j = 0; j < keyLength; j++) data[base + j] = j <= last && valid[j] !== 0 ? 0 : MASKED;
    }
  }
  return tf.tensor4d(data, [batch, 1, queryLength, keyLength]);
}

/**
 * GQA attention. q `[B, Lq, H, d]`, k/v `[B, KV, Lk, d]` (cache layout), bias `[B, 1, Lq, Lk]`
 * → `[B, Lq, H·d]`. Query head h reads kv head ⌊h / (H/KV)⌋: the G = H/KV query heads of one kv
 * head are stacked along the rows of one product, so k and v are never repeated.
 */
function groupedAttention(q: Tensor, k: Tensor, v: Tensor, bias: Tensor, numKvHeads: number): Tensor {
  return tf.tidy(() => {
    const [batch, queryLength, numHeads, headDim] = q.shape as [number, number, number, number];
    const keyLength = k.shape[2] as number;
    const groups = numHeads / numKvHeads;
    const q5 = tf.reshape(q, [batch, queryLength, numKvHeads, groups, headDim]);
    const qRows = tf.reshape(tf.transpose(q5, [0, 2, 3, 1, 4]), [batch * numKvHeads, groups * queryLength, headDim]);
    const k3 = tf.reshape(k, [batch * numKvHeads, keyLength, headDim]) as tf.Tensor3D;
    const v3 = tf.reshape(v, [batch * numKvHeads, keyLength, headDim]) as tf.Tensor3D;
    const scores = tf.mul(matmul(qRows, transposeLast(k3)), 1 / Math.sqrt(headDim));
    // [B·KV, G·Lq, Lk] is [B, H, Lq, Lk] in memory (h = kv·G + g).
    const biased = tf.add(tf.reshape(scores, [batch, numHeads, queryLength, keyLength]), bias);
    const probs = tf.softmax(tf.reshape(biased, [-1, keyLength]));
    const context = matmul(tf.reshape(probs, [batch * numKvHeads, groups * queryLength, keyLength]), v3);
    const heads = tf.transpose(tf.reshape(context, [batch, numHeads, queryLength, headDim]), [0, 2, 1, 3]);
    return tf.reshape(heads, [batch, queryLength, numHeads * headDim]);
  });
}

export interface LayerInputs {
  /** `[B, Lq, 1, d]` rotary tables of the new tokens. */
  cos: Tensor;
  sin: Tensor;
  /** `[B, 1, Lq, Lk]` with Lk = cached + new. */
  bias: Tensor;
}

/** One decoder layer on `x` `[B, Lq, D]`; appends this layer's k/v to `cache` when given. */
export function decoderLayer(
  config: DecoderConfig,
  params: DecoderLayerParams,
  x: Tensor,
  inputs: LayerInputs,
  useLora: boolean,
  cache: { cache: KvCache; layer: number } | null,
): Tensor {
  return tf.tidy(() => {
    const [batch, length] = x.shape as [number, number, number];
    const { numHeads, numKvHeads, headDim, rmsNormEps: eps } = config;
    const normed = rmsNorm(x, params.inputNorm, eps);
    const q = tf.reshape(applyLinear(params.q, normed, useLora), [batch, length, numHeads, headDim]);
    const k = tf.reshape(applyLinear(params.k, normed, useLora), [batch, length, numKvHeads, headDim]);
    const v = tf.reshape(applyLinear(params.v, normed, useLora), [batch, length, numKvHeads, headDim]);
    const qRot = applyRotary(q, inputs.cos, inputs.sin);
    let keys = tf.transpose(applyRotary(k, inputs.cos, inputs.sin), [0, 2, 1, 3]);
    let values = tf.transpose(v, [0, 2, 1, 3]);
    if (cache !== null) {
      const full = appendToCache(cache.cache, cache.layer, keys, values);
      keys = full.keys;
      values = full.values;
    }
    const attended = groupedAttention(qRot, keys, values, inputs.bias, numKvHeads);
    const h = tf.add(x, applyLinear(params.o, attended, useLora));
    const n = rmsNorm(h, params.postAttentionNorm, eps);
    const mlp = tf.mul(silu(applyLinear(params.gate, n, useLora)), applyLinear(params.up, n, useLora));
    return tf.add(h, applyLinear(params.down, mlp, useLora));
  });
}

/**
 * All layers and the final norm: `inputsEmbeds` `[B, Lq, D]` → hidden states `[B, Lq, D]`.
 * cos/sin `[B, Lq, d]`; bias `[B, 1, Lq, Lk]`.
 */
export function decoderStack(
  config: DecoderConfig,
  params: DecoderParams,
  inputsEmbeds: Tensor,
  rotary: { cos: Tensor; sin: Tensor },
  bias: Tensor,
  options: DecoderRunOptions & { cache?: KvCache | null } = {},
): Tensor {
  return tf.tidy(() => {
    const useLora = options.useLora ?? true;
    const inputs: LayerInputs = {
      cos: tf.expandDims(rotary.cos, 2),
      sin: tf.expandDims(rotary.sin, 2),
      bias,
    };
    let x = inputsEmbeds;
    params.layers.forEach((layer, index) => {
      const cache = options.cache ? { cache: options.cache, layer: index } : null;
      x = decoderLayer(config, layer, x, inputs, useLora, cache);
    });
    return rmsNorm(x, params.norm, config.rmsNormEps);
  });
}

/** `h · lm_headᵀ` over the last axis. */
export function lmHeadLogits(params: DecoderParams, hidden: Tensor): Tensor {
  return linear(hidden, params.lmHead, null);
}

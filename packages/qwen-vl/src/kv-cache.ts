// Key/value cache of the decoder for generation: per layer the rotated keys and the values
// `[B, KV, Lc, d]` of every position seen so far, and which of those positions are padding.
// A new token costs one attention row over Lc keys (O(T) per token), not a new prefill.
import { tf } from './tf.js';

export interface KvCache {
  keys: (tf.Tensor | null)[];
  values: (tf.Tensor | null)[];
  /** Per row, 1 for a real key and 0 for padding, over all cached positions. */
  keyValid: number[][];
  /** Cached positions (pads included). */
  length: number;
}

export function createKvCache(numLayers: number, batch: number): KvCache {
  return {
    keys: new Array<tf.Tensor | null>(numLayers).fill(null),
    values: new Array<tf.Tensor | null>(numLayers).fill(null),
    keyValid: Array.from({ length: batch }, () => []),
    length: 0,
  };
}

/**
 * Appends `[B, KV, Ln, d]` keys/values to one layer and returns the full `[B, KV, Lc+Ln, d]`
 * tensors. The cache owns them (kept out of any enclosing tidy); the previous ones are freed.
 */
export function appendToCache(
  cache: KvCache,
  layer: number,
  keys: tf.Tensor,
  values: tf.Tensor,
): { keys: tf.Tensor; values: tf.Tensor } {
  const oldKeys = cache.keys[layer] ?? null;
  const oldValues = cache.values[layer] ?? null;
  const fullKeys = tf.keep(oldKeys === null ? tf.clone(keys) : tf.concat([oldKeys, keys], 2));
  const fullValues = tf.keep(oldValues === null ? tf.clone(values) : tf.concat([oldValues, values], 2));
  oldKeys?.dispose();
  oldValues?.dispose();
  cache.keys[layer] = fullKeys;
  cache.values[layer] = fullValues;
  return { keys: fullKeys, values: fullValues };
}

/** Records that `valid[b]` (per row, one entry per new position) were appended. */
export function advanceCache(cache: KvCache, valid: readonly (readonly number[])[]): void {
  valid.forEach((row, b) => cache.keyValid[b]!.push(...row));
  cache.length += valid[0]?.length ?? 0;
}

export function disposeKvCache(cache: KvCache): void {
  for (const t of [...cache.keys, ...cache.values]) t?.dispose();
  cache.keys.fill(null);
  cache.values.fill(null);
}

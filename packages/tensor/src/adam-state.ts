// One byte layout for AdamW's moments in every checkpoint format of the project (the small
// policy's and the Qwen runs'): every first moment in variable order, then every second moment.
import type { AdamState } from './adam.js';

export interface AdamMoments {
  m: Float32Array[];
  v: Float32Array[];
}

/** `state.m` then `state.v`, concatenated into one float32 array. */
export function packAdamMoments(state: Pick<AdamState, 'm' | 'v'>): Float32Array {
  const arrays = [...state.m, ...state.v];
  const out = new Float32Array(arrays.reduce((total, a) => total + a.length, 0));
  let offset = 0;
  for (const a of arrays) {
    out.set(a, offset);
    offset += a.length;
  }
  return out;
}

/**
 * Splits what `packAdamMoments` wrote back into per-variable moments of `sizes` elements
 * (copies, so the result owns its memory); null when `data` does not hold exactly 2·Σsizes floats.
 */
export function unpackAdamMoments(data: Float32Array, sizes: readonly number[]): AdamMoments | null {
  const total = sizes.reduce((a, b) => a + b, 0);
  if (data.length !== 2 * total) return null;
  const m: Float32Array[] = [];
  const v: Float32Array[] = [];
  let offset = 0;
  for (const size of sizes) {
    m.push(data.slice(offset, offset + size));
    v.push(data.slice(total + offset, total + offset + size));
    offset += size;
  }
  return { m, v };
}

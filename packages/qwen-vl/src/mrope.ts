// Multimodal rotary position embedding of the Qwen2.5-VL decoder (transformers'
// `Qwen2_5_VLRotaryEmbedding` + `apply_multimodal_rotary_pos_emb`).
//
// inv[i] = 1/θ^(2i/d) for i < d/2; each of the three position axes (t, h, w) gives angles
// pos·inv; emb = [ang, ang]; the channels are cut into chunks of sizes mrope_section × 2
// ([s0, s1, s2, s0, s1, s2]) and chunk j takes axis j mod 3. Because emb repeats the d/2
// frequencies, channel c and channel c + d/2 take the same axis: frequency i uses axis a when
// s0 + … + s(a−1) ≤ i < s0 + … + sa.
import { tf } from './tf.js';

/** Position ids on the three M-RoPE axes: `[3][B][L]`. */
export type MropePositions = readonly (readonly (readonly number[])[])[];

export interface RotaryTables {
  /** `[B, L, d]` float32. */
  cos: tf.Tensor3D;
  sin: tf.Tensor3D;
}

/** Which position axis (0 t, 1 h, 2 w) each of the d/2 frequencies takes. */
export function frequencyAxes(headDim: number, mropeSection: readonly number[]): Int32Array {
  const half = headDim / 2;
  const total = mropeSection.reduce((a, b) => a + b, 0);
  if (mropeSection.length !== 3 || total !== half) {
    throw new Error(
      `mrope_section [${mropeSection.join(', ')}] must have three entries summing to head_dim/2 = ${half}.`,
    );
  }
  const axes = new Int32Array(half);
  let i = 0;
  for (let a = 0; a < 3; a++) for (let k = 0; k < (mropeSection[a] as number); k++) axes[i++] = a;
  return axes;
}

/**
 * cos/sin tables for the given positions. Angles are computed in float64 and rounded once
 * (transformers rounds inv_freq and the angle to float32 first; the difference is far below
 * the parity tolerances and the float64 reference is closer to this).
 */
export function rotaryTables(
  positions: MropePositions,
  headDim: number,
  theta: number,
  mropeSection: readonly number[],
): RotaryTables {
  const axes = frequencyAxes(headDim, mropeSection);
  const half = headDim / 2;
  const batch = positions[0]?.length ?? 0;
  const length = positions[0]?.[0]?.length ?? 0;
  const inv = new Float64Array(half);
  for (let i = 0; i < half; i++) inv[i] = 1 / Math.pow(theta, (2 * i) / headDim);
  const cos = new Float32Array(batch * length * headDim);
  const sin = new Float32Array(batch * length * headDim);
  for (let b = 0; b < batch; b++) {
    for (let l = 0; l < length; l++) {
      const base = (b * length + l) * headDim;
      for (let i = 0; i < half; i++) {
        const pos = positions[axes[i] as number]![b]![l] as number;
        const angle = pos * (inv[i] as number);
        const c = Math.cos(angle);
        const s = Math.sin(angle);
        cos[base + i] = c;
        cos[base + half + i] = c;
        sin[base + i] = s;
        sin[base + half + i] = s;
      }
    }
  }
  return {
    cos: tf.tensor3d(cos, [batch, length, headDim]),
    sin: tf.tensor3d(sin, [batch, length, headDim]),
  };
}

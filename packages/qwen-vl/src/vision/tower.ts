import { applyRotary, linear, lookupRows, rmsNorm, silu } from '../ops.js';
import { VisualInputError } from '../processor/errors.js';
import { tf } from '../tf.js';
import type { VisionTowerConfig } from './config.js';
import { visionLayout, type VisionLayout } from './layout.js';

/**
 * Weights by their hub-layout name (`visual.patch_embed.proj.weight`, `visual.blocks.N.attn.qkv.weight`,
 * `visual.merger.mlp.0.bias`, …). The tower does not own them, so a model's tf.Variables passed here get
 * their gradients through it.
 */
export type VisionWeightLookup = (name: string) => tf.Tensor;

/** Hub-layout names of every vision tensor, in checkpoint order (for loaders and gradient reports). */
export function visionWeightNames(config: Pick<VisionTowerConfig, 'depth'>): string[] {
  const names = ['visual.patch_embed.proj.weight'];
  for (let b = 0; b < config.depth; b++) {
    const p = `visual.blocks.${b}`;
    names.push(`${p}.norm1.weight`, `${p}.norm2.weight`, `${p}.attn.qkv.weight`, `${p}.attn.qkv.bias`, `${p}.attn.proj.weight`, `${p}.attn.proj.bias`);
    for (const lin of ['gate_proj', 'up_proj', 'down_proj']) names.push(`${p}.mlp.${lin}.weight`, `${p}.mlp.${lin}.bias`);
  }
  names.push('visual.merger.ln_q.weight', 'visual.merger.mlp.0.weight', 'visual.merger.mlp.0.bias', 'visual.merger.mlp.2.weight', 'visual.merger.mlp.2.bias');
  return names;
}

/** Consecutive segments of equal length, as [start, length, count] runs (one batched attention each). */
function equalRuns(segments: readonly number[]): Array<[number, number, number]> {
  const runs: Array<[number, number, number]> = [];
  let start = 0;
  for (const len of segments) {
    const last = runs[runs.length - 1];
    if (last && last[1] === len) last[2]++;
    else runs.push([start, len, 1]);
    start += len;
  }
  return runs;
}

/**
 * Block-diagonal attention: q, k, v `[N, H, d]`, attention only inside each segment (cu_seqlens
 * semantics). Runs of equal-length segments are batched as `[count, H, len, d]`.
 */
function segmentAttention(q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor3D, segments: readonly number[]): tf.Tensor2D {
  const [n, heads, d] = q.shape;
  const scale = 1 / Math.sqrt(d);
  const parts = equalRuns(segments).map(([start, len, count]) => {
    const take = (x: tf.Tensor3D): tf.Tensor4D =>
      tf.transpose(tf.reshape(tf.slice(x, [start, 0, 0], [len * count, heads, d]), [count, len, heads, d]), [0, 2, 1, 3]);
    const scores = tf.mul(tf.matMul(take(q), take(k), false, true), scale);
    const out = tf.matMul(tf.softmax(scores), take(v));
    return tf.reshape(tf.transpose(out, [0, 2, 1, 3]), [len * count, heads * d]);
  });
  const out = parts.length === 1 ? (parts[0] as tf.Tensor) : tf.concat(parts, 0);
  if (out.shape[0] !== n) throw new Error(`segmentAttention: segments cover ${out.shape[0]} of ${n} rows`);
  return out as tf.Tensor2D;
}

/** Exact GELU `x·Φ(x) = ½x(1 + erf(x/√2))` (nn.GELU() default, not the tanh form). */
function geluExact(x: tf.Tensor): tf.Tensor {
  return tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1));
}

/**
 * `Qwen2_5_VisionTransformerPretrainedModel.forward`: `pixelValues [Σ t·h·w, C·tps·p·p]` (processor order,
 * several visuals concatenated) → `[Σ t·h·w / m², out_hidden_size]` in processor order. Differentiable in
 * every weight (and in pixelValues); every kernel used has a gradient on cpu and wasm.
 */
export function visionForward(
  weight: VisionWeightLookup,
  config: VisionTowerConfig,
  pixelValues: tf.Tensor2D,
  gridThw: readonly (readonly number[])[],
  layout: VisionLayout = visionLayout(config, gridThw),
): tf.Tensor2D {
  if (pixelValues.shape[0] !== layout.patches) {
    throw new VisualInputError('INVALID_ARGUMENT', `pixel_values has ${pixelValues.shape[0]} rows but grid_thw accounts for ${layout.patches} patches`);
  }
  const dv = config.hiddenSize;
  const heads = config.numHeads;
  const hd = layout.headDim;
  const eps = config.rmsNormEps;
  const unit = config.spatialMergeSize * config.spatialMergeSize;
  const full = new Set(config.fullattBlockIndexes);
  return tf.tidy(() => {
    // Conv3d with kernel = stride over [C, tps, p, p] patches is one product with the flattened kernel.
    const proj = weight('visual.patch_embed.proj.weight');
    let x = linear(pixelValues, tf.reshape(proj, [dv, -1]), null);
    x = lookupRows(x, layout.patchOrder);
    const cos = tf.tensor3d(layout.cos, [layout.patches, 1, hd]);
    const sin = tf.tensor3d(layout.sin, [layout.patches, 1, hd]);
    for (let b = 0; b < config.depth; b++) {
      const p = `visual.blocks.${b}`;
      const n1 = rmsNorm(x, weight(`${p}.norm1.weight`), eps);
      const qkv = linear(n1, weight(`${p}.attn.qkv.weight`), weight(`${p}.attn.qkv.bias`));
      // qkv columns are [3][heads][head_dim] (reshape(seq, 3, heads, -1) in transformers).
      const [q, k, v] = tf.split(qkv, 3, 1).map((t: tf.Tensor) => tf.reshape(t, [layout.patches, heads, hd]) as tf.Tensor3D) as [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D];
      const attn = segmentAttention(
        applyRotary(q, cos, sin) as tf.Tensor3D,
        applyRotary(k, cos, sin) as tf.Tensor3D,
        v,
        full.has(b) ? layout.frameSegments : layout.windowSegments,
      );
      x = tf.add(x, linear(attn, weight(`${p}.attn.proj.weight`), weight(`${p}.attn.proj.bias`)));
      const n2 = rmsNorm(x, weight(`${p}.norm2.weight`), eps);
      const gate = silu(linear(n2, weight(`${p}.mlp.gate_proj.weight`), weight(`${p}.mlp.gate_proj.bias`)));
      const up = linear(n2, weight(`${p}.mlp.up_proj.weight`), weight(`${p}.mlp.up_proj.bias`));
      x = tf.add(x, linear(tf.mul(gate, up), weight(`${p}.mlp.down_proj.weight`), weight(`${p}.mlp.down_proj.bias`)));
    }
    const merged = tf.reshape(rmsNorm(x, weight('visual.merger.ln_q.weight'), eps), [layout.patches / unit, unit * dv]);
    const hidden = geluExact(linear(merged, weight('visual.merger.mlp.0.weight'), weight('visual.merger.mlp.0.bias')));
    const out = linear(hidden, weight('visual.merger.mlp.2.weight'), weight('visual.merger.mlp.2.bias'));
    return lookupRows(out, layout.restoreOrder) as tf.Tensor2D;
  });
}

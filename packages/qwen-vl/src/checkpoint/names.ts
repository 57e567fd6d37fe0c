// Tensor names. The canonical naming is the hub layout (transformers ≤ 4.51, what save_pretrained
// writes): `model.embed_tokens.weight`, `model.layers.N.…`, `model.norm.weight`, `visual.…`,
// `lm_head.weight`. transformers ≥ 4.52 state dicts use `model.language_model.…` and `model.visual.…`.
import type { Qwen25VLConfig } from './config.js';

/** Which naming a checkpoint's files use. */
export type KeyLayout = 'hub' | 'language_model';

const NEW_TEXT = 'model.language_model.';
const NEW_VISION = 'model.visual.';

/** The layout a stored name belongs to, or undefined for names both layouts share (`lm_head.weight`). */
export function layoutOfStoredName(name: string): KeyLayout | undefined {
  if (name.startsWith(NEW_TEXT) || name.startsWith(NEW_VISION)) return 'language_model';
  if (name.startsWith('model.') || name.startsWith('visual.')) return 'hub';
  return undefined;
}

/** Stored name (either layout) → canonical (hub) name. */
export function toCanonicalName(stored: string): string {
  if (stored.startsWith(NEW_TEXT)) return `model.${stored.slice(NEW_TEXT.length)}`;
  if (stored.startsWith(NEW_VISION)) return `visual.${stored.slice(NEW_VISION.length)}`;
  return stored;
}

/** Canonical name → the name the given layout stores. */
export function toStoredName(canonical: string, layout: KeyLayout): string {
  if (layout === 'hub') return canonical;
  if (canonical.startsWith('model.')) return `${NEW_TEXT}${canonical.slice('model.'.length)}`;
  if (canonical.startsWith('visual.')) return `${NEW_VISION}${canonical.slice('visual.'.length)}`;
  return canonical;
}

/**
 * Every tensor a Qwen2_5_VLForConditionalGeneration state dict holds for this config (canonical names,
 * in a stable order: vision tower, LLM, head). `lm_head.weight` is listed only for an untied head.
 */
export function expectedTensorShapes(config: Qwen25VLConfig): Map<string, number[]> {
  const shapes = new Map<string, number[]>();
  const v = config.vision;
  const dv = v.hiddenSize;
  const merged = dv * v.spatialMergeSize * v.spatialMergeSize;
  shapes.set('visual.patch_embed.proj.weight', [dv, v.inChannels, v.temporalPatchSize, v.patchSize, v.patchSize]);
  for (let b = 0; b < v.depth; b++) {
    const p = `visual.blocks.${b}.`;
    shapes.set(`${p}norm1.weight`, [dv]);
    shapes.set(`${p}norm2.weight`, [dv]);
    shapes.set(`${p}attn.qkv.weight`, [3 * dv, dv]);
    shapes.set(`${p}attn.qkv.bias`, [3 * dv]);
    shapes.set(`${p}attn.proj.weight`, [dv, dv]);
    shapes.set(`${p}attn.proj.bias`, [dv]);
    shapes.set(`${p}mlp.gate_proj.weight`, [v.intermediateSize, dv]);
    shapes.set(`${p}mlp.gate_proj.bias`, [v.intermediateSize]);
    shapes.set(`${p}mlp.up_proj.weight`, [v.intermediateSize, dv]);
    shapes.set(`${p}mlp.up_proj.bias`, [v.intermediateSize]);
    shapes.set(`${p}mlp.down_proj.weight`, [dv, v.intermediateSize]);
    shapes.set(`${p}mlp.down_proj.bias`, [dv]);
  }
  shapes.set('visual.merger.ln_q.weight', [dv]);
  shapes.set('visual.merger.mlp.0.weight', [merged, merged]);
  shapes.set('visual.merger.mlp.0.bias', [merged]);
  shapes.set('visual.merger.mlp.2.weight', [v.outHiddenSize, merged]);
  shapes.set('visual.merger.mlp.2.bias', [v.outHiddenSize]);

  const d = config.hiddenSize;
  const kv = config.numKeyValueHeads * config.headDim;
  shapes.set('model.embed_tokens.weight', [config.vocabSize, d]);
  for (let l = 0; l < config.numHiddenLayers; l++) {
    const p = `model.layers.${l}.`;
    shapes.set(`${p}input_layernorm.weight`, [d]);
    shapes.set(`${p}self_attn.q_proj.weight`, [d, d]);
    shapes.set(`${p}self_attn.q_proj.bias`, [d]);
    shapes.set(`${p}self_attn.k_proj.weight`, [kv, d]);
    shapes.set(`${p}self_attn.k_proj.bias`, [kv]);
    shapes.set(`${p}self_attn.v_proj.weight`, [kv, d]);
    shapes.set(`${p}self_attn.v_proj.bias`, [kv]);
    shapes.set(`${p}self_attn.o_proj.weight`, [d, d]);
    shapes.set(`${p}post_attention_layernorm.weight`, [d]);
    shapes.set(`${p}mlp.gate_proj.weight`, [config.intermediateSize, d]);
    shapes.set(`${p}mlp.up_proj.weight`, [config.intermediateSize, d]);
    shapes.set(`${p}mlp.down_proj.weight`, [d, config.intermediateSize]);
  }
  shapes.set('model.norm.weight', [d]);
  if (!config.tieWordEmbeddings) shapes.set('lm_head.weight', [config.vocabSize, d]);
  return shapes;
}

/** Parameter count of the model (the tied head counted once). */
export function parameterCount(config: Qwen25VLConfig): number {
  let n = 0;
  for (const shape of expectedTensorShapes(config).values()) n += shape.reduce((a, b) => a * b, 1);
  return n;
}

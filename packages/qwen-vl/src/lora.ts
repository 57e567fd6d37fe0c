// LoRA on the decoder's linears, PEFT semantics with dropout 0:
//   y = x Wᵀ + b + (alpha / r) · (x Aᵀ) Bᵀ,   A [r, in], B [out, r].
// The pairs are tf.Variables keyed by their adapter-file keys
// (`base_model.model.<module as stored>.lora_A.weight`), so gradients and saves use PEFT's names.
// The vision tower is never adapted.
import { createRng } from '@video-r1/tensor';

import type { Qwen25VLConfig } from './checkpoint/config.js';
import { type KeyLayout, toStoredName } from './checkpoint/names.js';
import type { LoraPair } from './decoder.js';
import { QwenVLModelError } from './model-error.js';
import { tf } from './tf.js';

/** The decoder linears LoRA can adapt (PEFT's usual Qwen2 targets). */
export const LORA_TARGETS = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] as const;

export interface LoraSpec {
  r: number;
  alpha: number;
  /**
   * PEFT `target_modules`: a regex string full-matched against module names as the checkpoint
   * stores them (`model.layers.0.self_attn.q_proj`, or `model.language_model.…`), or a list of
   * module-name suffixes (`["q_proj", "v_proj"]`; applied to the decoder only).
   */
  targetModules: string | readonly string[];
}

export interface LoraModule {
  /** Canonical module name, e.g. `model.layers.0.self_attn.q_proj`. */
  module: string;
  keyA: string;
  keyB: string;
  a: tf.Variable;
  b: tf.Variable;
}

/** Canonical names of every decoder linear LoRA could adapt, with their [out, in] shapes. */
export function adaptableModules(config: Qwen25VLConfig): Map<string, [number, number]> {
  const d = config.hiddenSize;
  const kv = config.numKeyValueHeads * config.headDim;
  const ff = config.intermediateSize;
  const shapes: Record<(typeof LORA_TARGETS)[number], [number, number]> = {
    q_proj: [d, d],
    k_proj: [kv, d],
    v_proj: [kv, d],
    o_proj: [d, d],
    gate_proj: [ff, d],
    up_proj: [ff, d],
    down_proj: [d, ff],
  };
  const out = new Map<string, [number, number]>();
  for (let l = 0; l < config.numHiddenLayers; l++) {
    for (const t of LORA_TARGETS) {
      const group = t === 'gate_proj' || t === 'up_proj' || t === 'down_proj' ? 'mlp' : 'self_attn';
      out.set(`model.layers.${l}.${group}.${t}`, shapes[t]);
    }
  }
  return out;
}

/** Module name as the checkpoint of `layout` names it (PEFT matches target_modules against these). */
export function storedModuleName(canonicalModule: string, layout: KeyLayout): string {
  return toStoredName(`${canonicalModule}.weight`, layout).slice(0, -'.weight'.length);
}

/** The adapter-file key of one half of a pair. */
export function loraKey(canonicalModule: string, half: 'A' | 'B', layout: KeyLayout): string {
  return `base_model.model.${storedModuleName(canonicalModule, layout)}.lora_${half}.weight`;
}

/** PEFT's `check_target_module_exists`: regex full match, or exact name / `.suffix` match. */
export function targetsModule(targetModules: string | readonly string[], moduleName: string): boolean {
  if (typeof targetModules === 'string') return new RegExp(`^(?:${targetModules})$`).test(moduleName);
  return targetModules.some((t) => moduleName === t || moduleName.endsWith(`.${t}`));
}

export class LoraState {
  readonly r: number;
  readonly alpha: number;
  readonly scale: number;
  readonly targetModules: string | readonly string[];
  readonly layout: KeyLayout;
  readonly modules = new Map<string, LoraModule>();
  /** Off: the model computes the base weights alone (a frozen reference without a copy). */
  enabled = true;

  constructor(spec: LoraSpec, layout: KeyLayout) {
    if (!Number.isInteger(spec.r) || spec.r < 1) throw new QwenVLModelError('INVALID_ADAPTER', `LoRA r must be a positive integer, got ${spec.r}`);
    if (!(spec.alpha > 0)) throw new QwenVLModelError('INVALID_ADAPTER', `LoRA alpha must be positive, got ${spec.alpha}`);
    this.r = spec.r;
    this.alpha = spec.alpha;
    this.scale = spec.alpha / spec.r;
    this.targetModules = spec.targetModules;
    this.layout = layout;
  }

  /** Adds one pair (values copied into new variables). */
  add(module: string, a: tf.Tensor, b: tf.Tensor, trainable = true): void {
    const keyA = loraKey(module, 'A', this.layout);
    const keyB = loraKey(module, 'B', this.layout);
    this.modules.set(module, {
      module,
      keyA,
      keyB,
      a: tf.variable(a, trainable),
      b: tf.variable(b, trainable),
    });
  }

  /** The pair of a canonical module, or undefined when not adapted or disabled. */
  pair(module: string): LoraPair | undefined {
    if (!this.enabled) return undefined;
    const m = this.modules.get(module);
    return m === undefined ? undefined : { a: m.a, b: m.b, scale: this.scale };
  }

  variablesByKey(): Map<string, tf.Variable> {
    const out = new Map<string, tf.Variable>();
    for (const m of this.modules.values()) {
      out.set(m.keyA, m.a);
      out.set(m.keyB, m.b);
    }
    return out;
  }

  dispose(): void {
    for (const m of this.modules.values()) {
      m.a.dispose();
      m.b.dispose();
    }
    this.modules.clear();
  }
}

/** Modules of `config` that `targetModules` selects (decoder linears only), in layer order. */
export function selectModules(config: Qwen25VLConfig, layout: KeyLayout, targetModules: string | readonly string[]): string[] {
  const out: string[] = [];
  for (const module of adaptableModules(config).keys()) {
    if (targetsModule(targetModules, storedModuleName(module, layout))) out.push(module);
  }
  return out;
}

/**
 * A fresh adapter with PEFT's default init: A ~ kaiming_uniform(a=√5) = U(−1/√in, 1/√in),
 * B = 0 (so the adapted model starts equal to the base), drawn from a seeded generator.
 */
export function initLora(config: Qwen25VLConfig, layout: KeyLayout, spec: LoraSpec, seed = 0): LoraState {
  const state = new LoraState(spec, layout);
  const modules = selectModules(config, layout, spec.targetModules);
  if (modules.length === 0) {
    throw new QwenVLModelError('INVALID_ADAPTER', `LoRA target_modules ${JSON.stringify(spec.targetModules)} select no decoder linear of this model`);
  }
  const shapes = adaptableModules(config);
  const rng = createRng(seed);
  for (const module of modules) {
    const [out, inDim] = shapes.get(module)!;
    const bound = 1 / Math.sqrt(inDim);
    const a = new Float32Array(spec.r * inDim);
    for (let i = 0; i < a.length; i++) a[i] = (2 * rng() - 1) * bound;
    tf.tidy(() => state.add(module, tf.tensor2d(a, [spec.r, inDim]), tf.zeros([out, spec.r])));
  }
  return state;
}

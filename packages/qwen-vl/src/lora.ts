// LoRA on the decoder's linears, PEFT semantics with dropout 0:
//   y = x Wᵀ + b + (alpha / r) · (x Aᵀ) Bᵀ,   A [r, in], B [out, r].
// The pairs are tf.Variables keyed by their adapter-file keys
// (`base_model.model.<module as stored>.lora_A.weight`), so gradients and saves use PEFT's names.
// The vision tower is never adapted.
import { createRng } from '@video-r1/tensor';

import { adapterKey, llmLinearModules, matchesTargetModules } from './checkpoint/adapter.js';
import type { Qwen25VLConfig } from './checkpoint/config.js';
import { type KeyLayout, toStoredName } from './checkpoint/names.js';
import type { LoraPair } from './decoder.js';
import { QwenVLModelError } from './model-error.js';
import { tf } from './tf.js';

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

export interface AdaptedModule {
  /** Canonical module name, e.g. `model.layers.0.self_attn.q_proj`. */
  module: string;
  keyA: string;
  keyB: string;
  a: tf.Variable;
  b: tf.Variable;
}

/** Canonical names of every decoder linear LoRA can adapt → `[out, in]`. */
export function adaptableModules(config: Qwen25VLConfig): Map<string, [number, number]> {
  const out = new Map<string, [number, number]>();
  for (const [module, dims] of llmLinearModules(config)) out.set(module, [dims.outFeatures, dims.inFeatures]);
  return out;
}

let loraCounter = 0;

export class LoraState {
  readonly r: number;
  readonly alpha: number;
  readonly scale: number;
  readonly targetModules: string | readonly string[];
  readonly layout: KeyLayout;
  readonly modules = new Map<string, AdaptedModule>();
  /** Off: the model computes the base weights alone (a frozen reference without a copy). */
  enabled = true;
  private readonly id = ++loraCounter;

  constructor(spec: LoraSpec, layout: KeyLayout) {
    if (!Number.isInteger(spec.r) || spec.r < 1) throw new QwenVLModelError('INVALID_ADAPTER', `LoRA r must be a positive integer, got ${spec.r}`);
    if (!(spec.alpha > 0)) throw new QwenVLModelError('INVALID_ADAPTER', `LoRA alpha must be positive, got ${spec.alpha}`);
    this.r = spec.r;
    this.alpha = spec.alpha;
    this.scale = spec.alpha / spec.r;
    this.targetModules = spec.targetModules;
    this.layout = layout;
  }

  /** Adds one pair; the variables take over the tensors' storage (callers may dispose theirs). */
  add(module: string, a: tf.Tensor, b: tf.Tensor): void {
    const keyA = adapterKey(module, 'A', this.layout);
    const keyB = adapterKey(module, 'B', this.layout);
    this.modules.set(module, {
      module,
      keyA,
      keyB,
      a: tf.variable(a, true, `lora${this.id}/${keyA}`),
      b: tf.variable(b, true, `lora${this.id}/${keyB}`),
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
  return [...llmLinearModules(config).keys()].filter((module) => matchesTargetModules(targetModules, toStoredName(module, layout)));
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

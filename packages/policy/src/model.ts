// The policy: a pre-LN decoder-only transformer over [visual tokens | prompt | completion],
// written with raw tfjs-core ops and tf.variable so that every kernel it needs forward and
// backward exists on the cpu, wasm and tensorflow backends.
import { createRng } from '@video-r1/tensor';
import type { FrameStack } from '@video-r1/video-io';

import { type PolicyConfig, type PolicyConfigInput, type VisionConfig, resolvePolicyConfig } from './config.js';
import { dense, gelu, layerNorm, lookupRows, matmul, placeRows } from './ops.js';
import { tf } from './tf.js';
import type { Tensor, Tensor2D, Tensor3D, Tensor4D, Variable } from './tf.js';
import type { Tokenizer } from './tokenizer.js';
import { type Patches, framesToPatches, patchDim, spatialPatchCount, temporalPositions } from './vision.js';

/** One model input: the prompt text and, for videos and images, its frames. */
export interface PolicyInput {
  prompt: string;
  /** THWC RGB frames (an image is one frame); absent or null for text-only prompts. */
  frames?: FrameStack | null;
}

type Init = { kind: 'normal'; std: number } | { kind: 'zeros' } | { kind: 'ones' };

export interface ParameterSpec {
  name: string;
  shape: number[];
  init: Init;
}

/** Every parameter of a configuration, in a fixed order (the checkpoint order). */
export function parameterSpecs(config: PolicyConfig): ParameterSpec[] {
  const { dModel: d, dFF: ff, vocabSize: v, initStd: std, nLayers } = config;
  // GPT-2: residual output projections scaled down by depth so the residual stream stays O(1).
  const residualStd = std / Math.sqrt(2 * nLayers);
  const specs: ParameterSpec[] = [
    { name: 'tok_emb', shape: [v, d], init: { kind: 'normal', std } },
    { name: 'text_pos', shape: [config.maxTextLength, d], init: { kind: 'normal', std } },
    { name: 'patch_w', shape: [patchDim(config.vision), d], init: { kind: 'normal', std } },
    { name: 'patch_b', shape: [d], init: { kind: 'zeros' } },
    { name: 'vis_spatial', shape: [spatialPatchCount(config.vision), d], init: { kind: 'normal', std } },
    { name: 'vis_temporal', shape: [temporalPositions(config.vision), d], init: { kind: 'normal', std } },
  ];
  for (let l = 0; l < nLayers; l++) {
    specs.push(
      { name: `layers.${l}.ln1.g`, shape: [d], init: { kind: 'ones' } },
      { name: `layers.${l}.ln1.b`, shape: [d], init: { kind: 'zeros' } },
      { name: `layers.${l}.attn.qkv_w`, shape: [d, 3 * d], init: { kind: 'normal', std } },
      { name: `layers.${l}.attn.qkv_b`, shape: [3 * d], init: { kind: 'zeros' } },
      { name: `layers.${l}.attn.out_w`, shape: [d, d], init: { kind: 'normal', std: residualStd } },
      { name: `layers.${l}.attn.out_b`, shape: [d], init: { kind: 'zeros' } },
      { name: `layers.${l}.ln2.g`, shape: [d], init: { kind: 'ones' } },
      { name: `layers.${l}.ln2.b`, shape: [d], init: { kind: 'zeros' } },
      { name: `layers.${l}.mlp.in_w`, shape: [d, ff], init: { kind: 'normal', std } },
      { name: `layers.${l}.mlp.in_b`, shape: [ff], init: { kind: 'zeros' } },
      { name: `layers.${l}.mlp.out_w`, shape: [ff, d], init: { kind: 'normal', std: residualStd } },
      { name: `layers.${l}.mlp.out_b`, shape: [d], init: { kind: 'zeros' } },
    );
  }
  specs.push({ name: 'ln_f.g', shape: [d], init: { kind: 'ones' } }, { name: 'ln_f.b', shape: [d], init: { kind: 'zeros' } });
  return specs;
}

function initialValues(specs: readonly ParameterSpec[], seed: number): Float32Array[] {
  const rng = createRng(seed);
  // Box–Muller on the project's seeded generator: identical weights on every backend.
  const normal = (): number => {
    const u = 1 - rng();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
  };
  return specs.map((spec) => {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(size);
    if (spec.init.kind === 'ones') values.fill(1);
    else if (spec.init.kind === 'normal') for (let i = 0; i < size; i++) values[i] = normal() * spec.init.std;
    return values;
  });
}

export class Policy {
  readonly config: PolicyConfig;
  readonly tokenizer: Tokenizer;
  /** Frozen copies (the KL reference) are not trainable: `tf.variableGrads` skips them. */
  readonly trainable: boolean;
  readonly #params: Map<string, Variable>;
  #disposed = false;

  /** Use `createPolicy`, `clonePolicy` or `loadCheckpoint`. */
  constructor(config: PolicyConfig, tokenizer: Tokenizer, values: readonly Float32Array[], trainable: boolean) {
    if (tokenizer.vocabSize !== config.vocabSize) {
      throw new Error(`the tokenizer has ${tokenizer.vocabSize} tokens but the model config says vocabSize ${config.vocabSize}`);
    }
    this.config = config;
    this.tokenizer = tokenizer;
    this.trainable = trainable;
    const specs = parameterSpecs(config);
    if (values.length !== specs.length) throw new Error(`expected ${specs.length} parameter arrays, got ${values.length}`);
    this.#params = new Map(
      specs.map((spec, i) => {
        const value = values[i]!;
        const size = spec.shape.reduce((a, b) => a * b, 1);
        if (value.length !== size) {
          throw new Error(`parameter ${spec.name} needs ${size} values (shape [${spec.shape}]), got ${value.length}`);
        }
        const initial = tf.tensor(value, spec.shape, 'float32');
        const variable = tf.variable(initial, trainable);
        initial.dispose();
        return [spec.name, variable];
      }),
    );
  }

  /** Parameter names in checkpoint order. */
  get parameterNames(): string[] {
    return [...this.#params.keys()];
  }

  /** The tf.Variables, in `parameterNames` order (pass them to `tf.variableGrads`). */
  get variables(): Variable[] {
    this.#assertLive();
    return [...this.#params.values()];
  }

  param(name: string): Variable {
    this.#assertLive();
    const p = this.#params.get(name);
    if (p === undefined) throw new Error(`the policy has no parameter ${name}`);
    return p;
  }

  get parameterCount(): number {
    let n = 0;
    for (const p of this.#params.values()) n += p.size;
    return n;
  }

  /** Current weights as plain arrays (checkpoint order). */
  readWeights(): Float32Array[] {
    this.#assertLive();
    return this.variables.map((v) => v.dataSync() as Float32Array).map((a) => Float32Array.from(a));
  }

  get disposed(): boolean {
    return this.#disposed;
  }

  dispose(): void {
    if (this.#disposed) return;
    for (const p of this.#params.values()) p.dispose();
    this.#disposed = true;
  }

  #assertLive(): void {
    if (this.#disposed) throw new Error('this policy has been disposed');
  }
}

/** A new, randomly initialised policy (seeded by `config.seed`) for the tokenizer's vocabulary. */
export function createPolicy(config: PolicyConfigInput, tokenizer: Tokenizer): Policy {
  const resolved = resolvePolicyConfig(config, tokenizer.vocabSize);
  return new Policy(resolved, tokenizer, initialValues(parameterSpecs(resolved), resolved.seed), true);
}

/** An independent copy with the same weights; `trainable: false` gives a frozen reference model. */
export function clonePolicy(policy: Policy, options: { trainable?: boolean } = {}): Policy {
  return new Policy(policy.config, policy.tokenizer, policy.readWeights(), options.trainable ?? policy.trainable);
}

/** Copies the weights of `from` into `to` (same configuration). */
export function copyWeights(from: Policy, to: Policy): void {
  const names = from.parameterNames;
  if (names.join() !== to.parameterNames.join()) throw new Error('copyWeights: the two policies have different parameters');
  for (const name of names) {
    const src = from.param(name);
    const dst = to.param(name);
    if (src.shape.join() !== dst.shape.join()) {
      throw new Error(`copyWeights: ${name} has shape [${src.shape}] vs [${dst.shape}]`);
    }
    dst.assign(src);
  }
}

// ---------------------------------------------------------------------------------------
// Batches: every row is [left padding | visual tokens | text tokens], so prompts end in
// the same column and generation appends one column per step.

export interface RowLayout {
  leftPad: number;
  patches: Patches | null;
  /** Prompt ids, then (for scoring) completion ids. */
  textIds: number[];
}

export interface BatchLayout {
  rows: RowLayout[];
  /** Columns (equal for every row). */
  length: number;
}

// A GRPO group passes the same frames object for all its rows: cut it into patches once.
const patchCache = new WeakMap<FrameStack, { vision: VisionConfig; patches: Patches }>();

function patchesOf(frames: FrameStack, vision: VisionConfig): Patches {
  const hit = patchCache.get(frames);
  if (hit !== undefined && hit.vision === vision) return hit.patches;
  const patches = framesToPatches(frames, vision);
  patchCache.set(frames, { vision, patches });
  return patches;
}

/** Encodes prompts and frames into left-padded rows (text positions start at 0 per row). */
export function layoutInputs(policy: Policy, inputs: readonly PolicyInput[], completions?: readonly number[][]): BatchLayout {
  const rows = inputs.map((input, i) => {
    const patches = input.frames ? patchesOf(input.frames, policy.config.vision) : null;
    const textIds = [...policy.tokenizer.encode(input.prompt), ...(completions?.[i] ?? [])];
    if (textIds.length > policy.config.maxTextLength) {
      throw new Error(
        `input ${i} has ${textIds.length} text tokens but the policy takes at most ${policy.config.maxTextLength} ` +
          `(config.maxTextLength)`,
      );
    }
    return { leftPad: 0, patches, textIds };
  });
  const sizes = rows.map((r) => (r.patches?.tokens ?? 0) + r.textIds.length);
  const length = Math.max(0, ...sizes);
  rows.forEach((r, i) => (r.leftPad = length - sizes[i]!));
  return { rows, length };
}

/** [B, L, d] input embeddings of a layout. Rows sharing one frames object share one visual embedding. */
export function embedLayout(policy: Policy, layout: BatchLayout): Tensor3D {
  return tf.tidy(() => {
    const { rows, length } = layout;
    const d = policy.config.dModel;
    const dim = patchDim(policy.config.vision);
    const uniquePatches = [...new Set(rows.flatMap((r) => (r.patches ? [r.patches] : [])))];
    const patchOffset = new Map<Patches, number>();
    let visualCount = 0;
    for (const p of uniquePatches) {
      patchOffset.set(p, visualCount);
      visualCount += p.tokens;
    }
    const textCount = rows.reduce((n, r) => n + r.textIds.length, 0);

    const patchData = new Float32Array(visualCount * dim);
    const temporal = new Int32Array(visualCount);
    const spatial = new Int32Array(visualCount);
    for (const p of uniquePatches) {
      const offset = patchOffset.get(p)!;
      patchData.set(p.data, offset * dim);
      temporal.set(p.temporal, offset);
      spatial.set(p.spatial, offset);
    }
    const textIds = new Int32Array(textCount);
    const textPos = new Int32Array(textCount);
    const place = new Int32Array(rows.length * length).fill(-1);
    let t = 0;
    rows.forEach((row, b) => {
      let col = b * length + row.leftPad;
      if (row.patches) {
        const offset = patchOffset.get(row.patches)!;
        for (let k = 0; k < row.patches.tokens; k++) place[col++] = offset + k;
      }
      row.textIds.forEach((id, k) => {
        textIds[t] = id;
        textPos[t] = k;
        place[col++] = visualCount + t++;
      });
    });

    const parts: Tensor2D[] = [];
    if (visualCount > 0) {
      const patches = tf.tensor2d(patchData, [visualCount, dim]);
      parts.push(
        tf.addN([
          dense(patches, policy.param('patch_w'), policy.param('patch_b')) as Tensor2D,
          lookupRows(policy.param('vis_spatial') as Tensor2D, spatial),
          lookupRows(policy.param('vis_temporal') as Tensor2D, temporal),
        ]),
      );
    }
    if (textCount > 0) {
      parts.push(
        tf.add(
          lookupRows(policy.param('tok_emb') as Tensor2D, textIds),
          lookupRows(policy.param('text_pos') as Tensor2D, textPos),
        ),
      );
    }
    if (parts.length === 0) return tf.zeros([rows.length, length, d]) as Tensor3D;
    const source = parts.length === 1 ? parts[0]! : (tf.concat(parts, 0) as Tensor2D);
    return tf.reshape(placeRows(source, place), [rows.length, length, d]) as Tensor3D;
  });
}

const MASKED = -1e9;

/** Additive attention mask [B, 1, L, L]: causal, and left padding never attended to. */
export function causalMask(layout: BatchLayout): Tensor4D {
  const { rows, length: L } = layout;
  const mask = new Float32Array(rows.length * L * L);
  rows.forEach((row, b) => {
    for (let i = 0; i < L; i++) {
      const base = (b * L + i) * L;
      for (let j = 0; j < L; j++) if (j > i || j < row.leftPad) mask[base + j] = MASKED;
    }
  });
  return tf.tensor4d(mask, [rows.length, 1, L, L]);
}

/** Keys and values of every layer, [B, H, L, dh] each. */
export type KVCache = {
  keys: Tensor4D[];
  values: Tensor4D[];
};

function splitHeads(x: Tensor, heads: number): Tensor4D {
  const [b, l, d] = x.shape as [number, number, number];
  return tf.transpose(tf.reshape(x, [b, l, heads, d / heads]), [0, 2, 1, 3]) as Tensor4D;
}

function mergeHeads(x: Tensor): Tensor3D {
  const [b, h, l, dh] = x.shape as [number, number, number, number];
  return tf.reshape(tf.transpose(x, [0, 2, 1, 3]), [b, l, h * dh]) as Tensor3D;
}

/**
 * The transformer blocks over x [B, L, d]. With `past`, x holds only new columns and
 * attends to the cached keys/values as well; the mask covers [past | new] keys.
 * Returns the hidden states (before the final norm) and the cache including x.
 */
export function runBlocks(
  policy: Policy,
  x: Tensor3D,
  mask: Tensor4D,
  past?: KVCache,
): { hidden: Tensor3D; cache: KVCache } {
  const { nHeads, nLayers, layerNormEps: eps, dModel } = policy.config;
  const scale = 1 / Math.sqrt(dModel / nHeads);
  const p = (name: string): Variable => policy.param(name);
  const cache: KVCache = { keys: [], values: [] };
  let h: Tensor = x;
  for (let l = 0; l < nLayers; l++) {
    const a = layerNorm(h, p(`layers.${l}.ln1.g`), p(`layers.${l}.ln1.b`), eps);
    const [q, k, v] = tf.split(dense(a, p(`layers.${l}.attn.qkv_w`), p(`layers.${l}.attn.qkv_b`)), 3, -1) as [
      Tensor,
      Tensor,
      Tensor,
    ];
    let keys = splitHeads(k, nHeads);
    let values = splitHeads(v, nHeads);
    if (past) {
      keys = tf.concat([past.keys[l]!, keys], 2);
      values = tf.concat([past.values[l]!, values], 2);
    }
    cache.keys.push(keys);
    cache.values.push(values);
    const scores = tf.add(matmul(tf.mul(splitHeads(q, nHeads), scale), tf.transpose(keys, [0, 1, 3, 2])), mask);
    const attended = mergeHeads(matmul(tf.softmax(scores), values));
    h = tf.add(h, dense(attended, p(`layers.${l}.attn.out_w`), p(`layers.${l}.attn.out_b`)));
    const m = layerNorm(h, p(`layers.${l}.ln2.g`), p(`layers.${l}.ln2.b`), eps);
    h = tf.add(h, dense(gelu(dense(m, p(`layers.${l}.mlp.in_w`), p(`layers.${l}.mlp.in_b`))), p(`layers.${l}.mlp.out_w`), p(`layers.${l}.mlp.out_b`)));
  }
  return { hidden: h as Tensor3D, cache };
}

/** Next-token logits [..., V] from hidden states (final norm, output matrix tied to the token embedding). */
export function logitsFrom(policy: Policy, hidden: Tensor): Tensor {
  return tf.tidy(() => {
    const normed = layerNorm(hidden, policy.param('ln_f.g'), policy.param('ln_f.b'), policy.config.layerNormEps);
    const d = policy.config.dModel;
    const flat = tf.reshape(normed, [-1, d]) as Tensor2D;
    const logits = matmul(flat, tf.transpose(policy.param('tok_emb')));
    return tf.reshape(logits, [...hidden.shape.slice(0, -1), policy.config.vocabSize]);
  });
}

/** Embeddings [N, T, d] of text tokens `ids[n][t]` at text positions `positions[n][t]` (equal-length rows). */
export function embedTokens(
  policy: Policy,
  ids: readonly (readonly number[])[],
  positions: readonly (readonly number[])[],
): Tensor3D {
  return tf.tidy(() => {
    const max = policy.config.maxTextLength;
    const n = ids.length;
    const t = ids[0]?.length ?? 0;
    const flatIds = new Int32Array(n * t);
    const flatPos = new Int32Array(n * t);
    ids.forEach((row, r) => {
      if (row.length !== t || positions[r]?.length !== t) throw new Error('embedTokens: rows of unequal length');
      row.forEach((id, k) => {
        const pos = positions[r]![k]!;
        if (pos >= max) throw new Error(`row ${r} reached text position ${pos}; the policy takes at most ${max} text tokens`);
        flatIds[r * t + k] = id;
        flatPos[r * t + k] = pos;
      });
    });
    const e = tf.add(
      lookupRows(policy.param('tok_emb') as Tensor2D, flatIds),
      lookupRows(policy.param('text_pos') as Tensor2D, flatPos),
    );
    return tf.reshape(e, [n, t, policy.config.dModel]) as Tensor3D;
  });
}

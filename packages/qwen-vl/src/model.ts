// Qwen2_5_VLForConditionalGeneration: the vision tower's embeddings replace the image/video
// placeholder tokens, the Qwen2 decoder runs over the result with 3-D M-RoPE positions, and the
// head maps to vocabulary logits. Every weight is a tf.Variable under its canonical (hub) name,
// so autodiff reaches all of them, vision tower included (through the placeholders), and the tied
// embedding collects the gradients of both of its uses.
import type { Qwen25VLConfig } from './checkpoint/config.js';
import { readAdapter, writeAdapter } from './checkpoint/adapter.js';
import { readCheckpoint } from './checkpoint/read.js';
import { type SaveCheckpointOptions, type SavedCheckpoint, saveCheckpoint } from './checkpoint/save.js';
import { type StoredDtype } from './checkpoint/dtype.js';
import { type TensorSource, tensorSource } from './checkpoint/write.js';
import { type KeyLayout, toStoredName } from './checkpoint/names.js';
import {
  type DecoderConfig,
  type DecoderLayerParams,
  type DecoderParams,
  type LinearParams,
  attentionBias,
  decoderStack,
  lmHeadLogits,
} from './decoder.js';
import { type KvCache, advanceCache } from './kv-cache.js';
import { type LoraSpec, LoraState, adaptableModules, initLora } from './lora.js';
import { type MropePositions, rotaryTables } from './mrope.js';
import { QwenVLModelError } from './model-error.js';
import { lookupRows } from './ops.js';
import type { GridThw } from './processor/patches.js';
import { tf } from './tf.js';
import { type VisionTowers, defaultVisionTowers } from './towers.js';

export { QwenVLModelError, type QwenVLModelErrorCode } from './model-error.js';

/** One batch of model inputs, as the processor and the placeholder expansion give them. */
export interface ModelInputs {
  /** Expanded token ids (one placeholder per visual token), left-padded to one length. */
  inputIds: readonly (readonly number[])[];
  /** 1 = token, 0 = padding; absent = all ones. */
  attentionMask?: readonly (readonly number[])[] | null;
  /** `[Σ t·h·w, C·2·14·14]` rows of every image, in prompt order (row-major over the batch). */
  pixelValues?: tf.Tensor2D | null;
  imageGridThw?: readonly GridThw[] | null;
  pixelValuesVideos?: tf.Tensor2D | null;
  videoGridThw?: readonly GridThw[] | null;
  /** Seconds per temporal grid step of each video (temporal_patch_size / fps). */
  secondPerGridTs?: readonly number[] | null;
  /**
   * Vision tower outputs computed beforehand (`model.visionEmbeddings`), one row per image
   * (video) placeholder in row-major order; they replace `pixelValues` (`pixelValuesVideos`) —
   * e.g. one tower call for a GRPO group that shares a prompt. The grids are still needed (rope index).
   */
  imageEmbeds?: tf.Tensor2D | null;
  videoEmbeds?: tf.Tensor2D | null;
}

export interface ForwardOptions {
  /** Apply the LoRA adapter when one is attached and enabled (default true). */
  useLora?: boolean;
}

export interface HiddenStates {
  /** `[B, L, D]` after the final norm. */
  hidden: tf.Tensor3D;
  /** `[3][B][L]`. */
  positionIds: number[][][];
  ropeDeltas: number[];
}

export function decoderConfigOf(config: Qwen25VLConfig): DecoderConfig {
  return {
    hiddenSize: config.hiddenSize,
    intermediateSize: config.intermediateSize,
    numLayers: config.numHiddenLayers,
    numHeads: config.numAttentionHeads,
    numKvHeads: config.numKeyValueHeads,
    headDim: config.headDim,
    vocabSize: config.vocabSize,
    rmsNormEps: config.rmsNormEps,
    ropeTheta: config.ropeTheta,
    mropeSection: config.mropeSection,
    tieWordEmbeddings: config.tieWordEmbeddings,
  };
}

export interface ModelFromTensorsOptions {
  /** Layout of the files the weights came from, so gradients and saves use the stored names (default hub). */
  layout?: KeyLayout;
  /** Make the base weights trainable (default true; attaching LoRA freezes them). */
  trainable?: boolean;
  /** Vision tower, rope index (default: this package's). */
  towers?: VisionTowers;
}

let modelCounter = 0;

export class QwenVLModel {
  readonly config: Qwen25VLConfig;
  readonly decoderConfig: DecoderConfig;
  readonly layout: KeyLayout;
  /** Every weight under its canonical (hub) name; `lm_head.weight` only for an untied head. */
  readonly variables: Map<string, tf.Variable>;
  readonly towers: VisionTowers;
  /** The attached LoRA adapter, if any. */
  lora: LoraState | null = null;
  private readonly id = ++modelCounter;

  private constructor(config: Qwen25VLConfig, variables: Map<string, tf.Variable>, layout: KeyLayout, towers: VisionTowers) {
    this.config = config;
    this.decoderConfig = decoderConfigOf(config);
    this.variables = variables;
    this.layout = layout;
    this.towers = towers;
  }

  /**
   * Builds the model around `tensors` (canonical names, float32). The tensors become the
   * variables' initial values and are disposed (no second copy is kept).
   */
  static fromTensors(config: Qwen25VLConfig, tensors: Map<string, tf.Tensor>, options: ModelFromTensorsOptions = {}): QwenVLModel {
    const trainable = options.trainable ?? true;
    const id = modelCounter + 1;
    const variables = new Map<string, tf.Variable>();
    for (const [name, tensor] of tensors) {
      const value = tensor.dtype === 'float32' ? tensor : tf.cast(tensor, 'float32');
      variables.set(name, tf.variable(value, trainable, `qwenvl${id}/${name}`));
      if (value !== tensor) value.dispose();
      tensor.dispose();
    }
    const model = new QwenVLModel(config, variables, options.layout ?? 'hub', options.towers ?? defaultVisionTowers);
    model.weight('model.embed_tokens.weight');
    if (!config.tieWordEmbeddings) model.weight('lm_head.weight');
    return model;
  }

  /**
   * Loads a Hugging Face model directory (config.json + safetensors, either key layout),
   * streaming tensor by tensor: each one is read, widened to float32 and becomes a variable
   * before the next is read.
   */
  static load(dir: string, options: Omit<ModelFromTensorsOptions, 'layout'> = {}): QwenVLModel {
    const checkpoint = readCheckpoint(dir);
    const trainable = options.trainable ?? true;
    const id = modelCounter + 1;
    const variables = new Map<string, tf.Variable>();
    try {
      for (const [name, handle] of checkpoint.tensors) {
        const tensor = tf.tensor(handle.read(), handle.shape, 'float32');
        variables.set(name, tf.variable(tensor, trainable, `qwenvl${id}/${name}`));
        tensor.dispose();
      }
    } catch (error) {
      for (const v of variables.values()) v.dispose();
      throw error;
    }
    return new QwenVLModel(checkpoint.config, variables, checkpoint.layout, options.towers ?? defaultVisionTowers);
  }

  /** The variable of a canonical name. */
  weight(name: string): tf.Variable {
    const v = this.variables.get(name);
    if (v === undefined) {
      throw new QwenVLModelError('MISSING_WEIGHT', `the model has no weight ${JSON.stringify(name)} (canonical hub-layout name)`);
    }
    return v;
  }

  /** The name a canonical weight has in the checkpoint's files. */
  storedName(canonical: string): string {
    return toStoredName(canonical, this.layout);
  }

  /** Decoder parameters, with the LoRA pairs of the attached adapter. */
  decoderParams(): DecoderParams {
    const lin = (prefix: string, bias: boolean): LinearParams => ({
      weight: this.weight(`${prefix}.weight`),
      bias: bias ? this.weight(`${prefix}.bias`) : null,
      lora: this.lora?.pair(prefix),
    });
    const layers: DecoderLayerParams[] = [];
    for (let l = 0; l < this.config.numHiddenLayers; l++) {
      const p = `model.layers.${l}`;
      layers.push({
        inputNorm: this.weight(`${p}.input_layernorm.weight`),
        postAttentionNorm: this.weight(`${p}.post_attention_layernorm.weight`),
        q: lin(`${p}.self_attn.q_proj`, true),
        k: lin(`${p}.self_attn.k_proj`, true),
        v: lin(`${p}.self_attn.v_proj`, true),
        o: lin(`${p}.self_attn.o_proj`, false),
        gate: lin(`${p}.mlp.gate_proj`, false),
        up: lin(`${p}.mlp.up_proj`, false),
        down: lin(`${p}.mlp.down_proj`, false),
      });
    }
    const embedTokens = this.weight('model.embed_tokens.weight');
    return {
      embedTokens,
      layers,
      norm: this.weight('model.norm.weight'),
      lmHead: this.config.tieWordEmbeddings ? embedTokens : this.weight('lm_head.weight'),
    };
  }

  /** `get_rope_index` of these inputs: positions `[3][B][L]` and per-row deltas. */
  ropeIndex(inputs: ModelInputs): { positionIds: number[][][]; ropeDeltas: number[] } {
    return this.towers.ropeIndex(this.config, {
      inputIds: inputs.inputIds,
      attentionMask: inputs.attentionMask ?? null,
      imageGridThw: inputs.imageGridThw ?? null,
      videoGridThw: inputs.videoGridThw ?? null,
      secondPerGridTs: inputs.secondPerGridTs ?? null,
    });
  }

  /**
   * `embed_tokens[ids]` with the image (video) placeholders replaced, in row-major order, by the
   * vision tower's image (video) embeddings → `[B, L, D]`.
   */
  inputEmbeddings(inputs: ModelInputs): tf.Tensor3D {
    const { inputIds } = inputs;
    const batch = inputIds.length;
    const length = inputIds[0]?.length ?? 0;
    const { imageTokenId, videoTokenId, hiddenSize } = this.config;
    const flat = new Int32Array(batch * length);
    const imageSlots: number[] = [];
    const videoSlots: number[] = [];
    inputIds.forEach((row, b) => {
      if (row.length !== length) {
        throw new QwenVLModelError('INVALID_INPUT', `input_ids row ${b} has ${row.length} tokens, row 0 has ${length}; pad rows to one length`);
      }
      row.forEach((id, l) => {
        if (!Number.isInteger(id) || id < 0 || id >= this.config.vocabSize) {
          throw new QwenVLModelError('INVALID_INPUT', `input_ids[${b}][${l}] = ${id} is not a token id in [0, ${this.config.vocabSize})`);
        }
        flat[b * length + l] = id;
        if (id === imageTokenId) imageSlots.push(b * length + l);
        else if (id === videoTokenId) videoSlots.push(b * length + l);
      });
    });
    return tf.tidy(() => {
      const text = lookupRows(this.weight('model.embed_tokens.weight'), flat) as tf.Tensor2D;
      const parts: tf.Tensor2D[] = [text];
      const source = Int32Array.from({ length: batch * length }, (_, i) => i);
      let offset = batch * length;
      const place = (
        kind: string,
        slots: number[],
        pixels: tf.Tensor2D | null | undefined,
        grid: readonly (readonly number[])[] | null | undefined,
        given: tf.Tensor2D | null | undefined,
      ): void => {
        const missing = (pixels === null || pixels === undefined) && (given === null || given === undefined);
        if (slots.length === 0 && missing) return;
        if (missing || grid === null || grid === undefined) {
          throw new QwenVLModelError(
            'PLACEHOLDER_MISMATCH',
            `input_ids hold ${slots.length} ${kind} placeholder tokens but no ${kind} pixel values / grid were given`,
          );
        }
        const embeds = given ?? this.visionEmbeddings(pixels!, grid);
        const rows = embeds.shape[0];
        if (rows !== slots.length) {
          throw new QwenVLModelError(
            'PLACEHOLDER_MISMATCH',
            `${kind} features and ${kind} tokens do not match: tokens ${slots.length}, features ${rows} (grid ${JSON.stringify(grid)})`,
          );
        }
        if (embeds.shape[1] !== hiddenSize) {
          throw new QwenVLModelError('INVALID_INPUT', `the vision tower gives ${embeds.shape[1]} features per token, the decoder needs ${hiddenSize}`);
        }
        slots.forEach((slot, i) => (source[slot] = offset + i));
        offset += rows;
        parts.push(embeds);
      };
      place('image', imageSlots, inputs.pixelValues, inputs.imageGridThw, inputs.imageEmbeds);
      place('video', videoSlots, inputs.pixelValuesVideos, inputs.videoGridThw, inputs.videoEmbeds);
      const table = parts.length === 1 ? text : tf.concat(parts, 0);
      const merged = parts.length === 1 ? text : lookupRows(table, source);
      return tf.reshape(merged, [batch, length, hiddenSize]) as tf.Tensor3D;
    });
  }

  /** The vision tower on pixel rows of several visuals → `[Σ t·h·w / merge², D]`, differentiable. */
  visionEmbeddings(pixelValues: tf.Tensor2D, gridThw: readonly (readonly number[])[]): tf.Tensor2D {
    return this.towers.vision(this.visionWeight, this.config.vision, pixelValues, gridThw);
  }

  /** Canonical-name weight getter handed to the vision tower. */
  private readonly visionWeight = (name: string): tf.Tensor => this.weight(name);

  /**
   * Full forward to the final norm. With `cache`, the prompt's keys/values are stored in it
   * (prefill for generation).
   */
  hiddenStates(inputs: ModelInputs, options: ForwardOptions & { cache?: KvCache | null } = {}): HiddenStates {
    const { inputIds } = inputs;
    const batch = inputIds.length;
    const length = inputIds[0]?.length ?? 0;
    if (batch === 0 || length === 0) throw new QwenVLModelError('INVALID_INPUT', 'input_ids must hold at least one row of at least one token');
    const mask = inputs.attentionMask ?? inputIds.map((row) => row.map(() => 1));
    if (mask.length !== batch || mask.some((row) => row.length !== length)) {
      throw new QwenVLModelError('INVALID_INPUT', `attention_mask must be [${batch}, ${length}] like input_ids`);
    }
    const { positionIds, ropeDeltas } = this.ropeIndex({ ...inputs, attentionMask: mask });
    const cache = options.cache ?? null;
    if (cache !== null && cache.length !== 0) throw new QwenVLModelError('INVALID_INPUT', 'hiddenStates: the cache must be empty (prefill)');
    const hidden = tf.tidy(() => {
      const embeds = this.inputEmbeddings(inputs);
      const rotary = rotaryTables(positionIds, this.decoderConfig.headDim, this.config.ropeTheta, this.config.mropeSection);
      const bias = attentionBias(mask, length, 0);
      return decoderStack(this.decoderConfig, this.decoderParams(), embeds, rotary, bias, {
        useLora: options.useLora ?? true,
        cache,
      }) as tf.Tensor3D;
    });
    if (cache !== null) advanceCache(cache, mask);
    return { hidden, positionIds, ropeDeltas };
  }

  /**
   * One cached decoding step: `tokens[b]` at cache position c = cache.length gets position
   * `c + ropeDeltas[b]` on all three axes. Returns the logits `[B, V]`.
   */
  decodeStep(tokens: readonly number[], ropeDeltas: readonly number[], cache: KvCache, options: ForwardOptions = {}): tf.Tensor2D {
    const batch = tokens.length;
    const c = cache.length;
    const positions: MropePositions = [0, 1, 2].map(() => ropeDeltas.map((delta) => [c + delta]));
    const valid = tokens.map(() => [1]);
    const keyValid = cache.keyValid.map((row) => [...row, 1]);
    const logits = tf.tidy(() => {
      const embeds = tf.reshape(lookupRows(this.weight('model.embed_tokens.weight'), tokens), [batch, 1, this.config.hiddenSize]);
      const rotary = rotaryTables(positions, this.decoderConfig.headDim, this.config.ropeTheta, this.config.mropeSection);
      const bias = attentionBias(keyValid, 1, c);
      const params = this.decoderParams();
      const hidden = decoderStack(this.decoderConfig, params, embeds, rotary, bias, { useLora: options.useLora ?? true, cache });
      return tf.reshape(lmHeadLogits(params, hidden), [batch, this.config.vocabSize]) as tf.Tensor2D;
    });
    advanceCache(cache, valid);
    return logits;
  }

  /** Vocabulary logits of hidden states `[..., D]` → `[..., V]`. */
  logitsOf(hidden: tf.Tensor): tf.Tensor {
    return lmHeadLogits(this.decoderParams(), hidden);
  }

  /**
   * Logits `[B, P, V]` at the given positions of each row (all positions when absent), and
   * the rope deltas.
   */
  forward(inputs: ModelInputs, options: ForwardOptions & { positions?: readonly (readonly number[])[] } = {}): { logits: tf.Tensor3D; ropeDeltas: number[] } {
    let ropeDeltas: number[] = [];
    const logits = tf.tidy(() => {
      const states = this.hiddenStates(inputs, options);
      ropeDeltas = states.ropeDeltas;
      const hidden = states.hidden;
      const [batch, length, d] = hidden.shape;
      let picked: tf.Tensor = hidden;
      if (options.positions !== undefined) {
        const rows: number[] = [];
        const count = options.positions[0]?.length ?? 0;
        options.positions.forEach((row, b) => {
          if (row.length !== count) throw new QwenVLModelError('INVALID_INPUT', 'positions must have the same count in every row');
          for (const p of row) {
            if (!Number.isInteger(p) || p < 0 || p >= length) throw new QwenVLModelError('INVALID_INPUT', `position ${p} is outside [0, ${length})`);
            rows.push(b * length + p);
          }
        });
        picked = tf.reshape(lookupRows(tf.reshape(hidden, [batch * length, d]), rows), [batch, count, d]);
      }
      return this.logitsOf(picked) as tf.Tensor3D;
    });
    return { logits, ropeDeltas };
  }

  /**
   * Attaches a LoRA adapter on the decoder linears `spec.targetModules` selects and freezes the
   * base weights (only the adapter trains). Without `weights`: PEFT's init (B = 0, the model is
   * unchanged until trained). With `weights` (canonical module → A `[r, in]`, B `[out, r]`): those
   * values; every module given must be an adaptable decoder linear.
   */
  attachLora(spec: LoraSpec, options: { seed?: number; weights?: ReadonlyMap<string, { a: tf.Tensor; b: tf.Tensor }> } = {}): LoraState {
    if (this.lora !== null) throw new QwenVLModelError('INVALID_ADAPTER', 'a LoRA adapter is already attached; detachLora() or mergeLora() first');
    let state: LoraState;
    if (options.weights === undefined) {
      state = initLora(this.config, this.layout, spec, options.seed ?? 0);
    } else {
      state = new LoraState(spec, this.layout);
      const shapes = adaptableModules(this.config);
      try {
        for (const [module, { a, b }] of options.weights) {
          const shape = shapes.get(module);
          if (shape === undefined) {
            throw new QwenVLModelError('INVALID_ADAPTER', `the adapter targets ${JSON.stringify(module)}, which is not a decoder linear of this model (LoRA applies to ${[...new Set([...shapes.keys()].map((k) => k.split('.').pop()))].join(', ')} of model.layers.N)`);
          }
          const [out, inDim] = shape;
          if (a.rank !== 2 || a.shape[0] !== spec.r || a.shape[1] !== inDim || b.rank !== 2 || b.shape[0] !== out || b.shape[1] !== spec.r) {
            throw new QwenVLModelError(
              'INVALID_ADAPTER',
              `${module}: lora_A is [${a.shape.join(', ')}] and lora_B [${b.shape.join(', ')}]; with r = ${spec.r} they must be [${spec.r}, ${inDim}] and [${out}, ${spec.r}]`,
            );
          }
          state.add(module, a, b);
        }
      } catch (error) {
        state.dispose();
        throw error;
      }
    }
    this.lora = state;
    this.setBaseTrainable(false);
    return state;
  }

  /**
   * Reads a PEFT LoRA adapter directory (adapter_config.json + adapter_model.safetensors, either
   * key layout; checked against this model) and attaches it.
   */
  loadAdapter(dir: string): LoraState {
    const adapter = readAdapter(dir, this.config);
    const weights = new Map<string, { a: tf.Tensor; b: tf.Tensor }>();
    try {
      for (const [module, { a, b }] of adapter.modules) {
        weights.set(module, { a: tf.tensor(a.read(), a.shape, 'float32'), b: tf.tensor(b.read(), b.shape, 'float32') });
      }
      return this.attachLora(
        { r: adapter.config.r, alpha: adapter.config.loraAlpha, targetModules: adapter.config.targetModules },
        { weights },
      );
    } finally {
      for (const { a, b } of weights.values()) tf.dispose([a, b]);
    }
  }

  /**
   * Writes the attached adapter as a PEFT directory that PEFT and vLLM load (hub-layout keys by
   * default; target_modules: the adapter's own, else the LLM-only regex).
   */
  saveAdapter(
    dir: string,
    options: { layout?: KeyLayout; dtype?: StoredDtype; baseModelNameOrPath?: string | null } = {},
  ): { configFile: string; weightsFile: string } {
    const lora = this.lora;
    if (lora === null) throw new QwenVLModelError('INVALID_ADAPTER', 'saveAdapter: no LoRA adapter is attached');
    const layout = options.layout ?? 'hub';
    // A regex names modules in one layout; in another it would select nothing, so the
    // LLM-only default regex of that layout is written instead.
    const targetModules =
      typeof lora.targetModules === 'string' ? (layout === lora.layout ? lora.targetModules : undefined) : [...lora.targetModules];
    const modules: Array<[string, { a: TensorSource; b: TensorSource }]> = [...lora.modules.values()].map((m) => [
      m.module,
      { a: tensorSource(m.a), b: tensorSource(m.b) },
    ]);
    return writeAdapter(dir, this.config, modules, {
      r: lora.r,
      loraAlpha: lora.alpha,
      layout,
      ...(targetModules === undefined ? {} : { targetModules }),
      ...(options.dtype === undefined ? {} : { dtype: options.dtype }),
      ...(options.baseModelNameOrPath === undefined ? {} : { baseModelNameOrPath: options.baseModelNameOrPath }),
    });
  }

  /** Saves config.json + safetensors (the base weights; merge an adapter first to include it). */
  save(dir: string, options: SaveCheckpointOptions = {}): SavedCheckpoint {
    return saveCheckpoint(
      dir,
      this.config,
      [...this.variables].map(([name, v]): [string, TensorSource] => [name, tensorSource(v)]),
      options,
    );
  }

  /** Removes the adapter (its variables are freed); the base weights become trainable again. */
  detachLora(): void {
    this.lora?.dispose();
    this.lora = null;
    this.setBaseTrainable(true);
  }

  /** `W += (alpha/r) · B·A` for every adapted linear, then detaches the adapter. */
  mergeLora(): void {
    const lora = this.lora;
    if (lora === null) throw new QwenVLModelError('INVALID_ADAPTER', 'mergeLora: no LoRA adapter is attached');
    for (const m of lora.modules.values()) {
      const w = this.weight(`${m.module}.weight`);
      tf.tidy(() => w.assign(tf.add(w, tf.mul(tf.matMul(m.b, m.a), lora.scale))));
    }
    this.detachLora();
  }

  /** Base weights trainable or frozen (LoRA freezes them; full fine-tuning unfreezes). */
  setBaseTrainable(trainable: boolean): void {
    for (const v of this.variables.values()) v.trainable = trainable;
  }

  /** Variables an optimiser should update, keyed by their file names (adapter keys with LoRA attached). */
  trainableVariables(): Map<string, tf.Variable> {
    const out = new Map<string, tf.Variable>();
    if (this.lora !== null) for (const [key, v] of this.lora.variablesByKey()) if (v.trainable) out.set(key, v);
    for (const [name, v] of this.variables) if (v.trainable) out.set(this.storedName(name), v);
    return out;
  }

  /** Frees every variable (the model cannot be used afterwards). */
  dispose(): void {
    for (const v of this.variables.values()) v.dispose();
    this.variables.clear();
    this.lora?.dispose();
    this.lora = null;
  }

  /** A unique id (variable names of two models never collide). */
  get instanceId(): number {
    return this.id;
  }
}

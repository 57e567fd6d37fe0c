// config.json → a typed Qwen2.5-VL config. Omitted keys take the defaults of transformers 4.49's
// `Qwen2_5_VLConfig` / `Qwen2_5_VLVisionConfig` (not the values of any particular checkpoint); the
// special-token ids, which 4.49 has no defaults for, take the Qwen2.5-VL hub values.
import { readFileSync } from 'node:fs';

import { CheckpointError, quote } from './errors.js';

export const QWEN25_VL_ARCHITECTURE = 'Qwen2_5_VLForConditionalGeneration';

export interface Qwen25VLVisionConfig {
  depth: number;
  hiddenSize: number;
  intermediateSize: number;
  numHeads: number;
  inChannels: number;
  patchSize: number;
  spatialMergeSize: number;
  temporalPatchSize: number;
  tokensPerSecond: number;
  /** In pixels (112 → 112/14/2 = 4 merged cells per window side). */
  windowSize: number;
  outHiddenSize: number;
  fullattBlockIndexes: number[];
  hiddenAct: 'silu';
  /** Fixed at 1e-6 in transformers (not a config key). */
  rmsNormEps: number;
}

export interface Qwen25VLConfig {
  architecture: typeof QWEN25_VL_ARCHITECTURE;
  vocabSize: number;
  hiddenSize: number;
  intermediateSize: number;
  numHiddenLayers: number;
  numAttentionHeads: number;
  numKeyValueHeads: number;
  /** hidden_size / num_attention_heads. */
  headDim: number;
  hiddenAct: 'silu';
  maxPositionEmbeddings: number;
  rmsNormEps: number;
  ropeTheta: number;
  /** M-RoPE channel split over (t, h, w), in pairs: sum = headDim / 2. */
  mropeSection: [number, number, number];
  tieWordEmbeddings: boolean;
  /** As written in config.json (`torch_dtype`), e.g. "bfloat16"; weights are computed in float32 anyway. */
  torchDtype: string | undefined;
  visionStartTokenId: number;
  visionEndTokenId: number;
  visionTokenId: number;
  imageTokenId: number;
  videoTokenId: number;
  bosTokenId: number | undefined;
  /** One id or several (generation stops at any). */
  eosTokenId: number | number[] | undefined;
  padTokenId: number | undefined;
  vision: Qwen25VLVisionConfig;
  /** config.json as read, so saving keeps keys this type does not model. */
  raw: Record<string, unknown>;
}

/** transformers 4.49 defaults (Qwen2_5_VLConfig.__init__). */
const TEXT_DEFAULTS = {
  vocab_size: 152064,
  hidden_size: 8192,
  intermediate_size: 29568,
  num_hidden_layers: 80,
  num_attention_heads: 64,
  num_key_value_heads: 8,
  hidden_act: 'silu',
  max_position_embeddings: 32768,
  rms_norm_eps: 1e-5,
  tie_word_embeddings: false,
  rope_theta: 1000000.0,
} as const;

/** transformers 4.49 defaults (Qwen2_5_VLVisionConfig.__init__). */
const VISION_DEFAULTS = {
  depth: 32,
  hidden_size: 3584,
  hidden_act: 'silu',
  intermediate_size: 3420,
  num_heads: 16,
  in_channels: 3,
  patch_size: 14,
  spatial_merge_size: 2,
  temporal_patch_size: 2,
  tokens_per_second: 4,
  window_size: 112,
  out_hidden_size: 3584,
  fullatt_block_indexes: [7, 15, 23, 31],
} as const;

/** Qwen2.5-VL hub token ids (Qwen/Qwen2.5-VL-7B-Instruct config.json). */
const TOKEN_DEFAULTS = {
  vision_start_token_id: 151652,
  vision_end_token_id: 151653,
  vision_token_id: 151654,
  image_token_id: 151655,
  video_token_id: 151656,
} as const;

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function readJsonFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new CheckpointError('FILE_NOT_FOUND', `cannot read ${quote(file)}: ${(cause as Error).message}`, { file, cause });
  }
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new CheckpointError('INVALID_JSON', `${quote(file)} is not valid JSON: ${(cause as Error).message}`, {
      file,
      cause,
    });
  }
}

class FieldReader {
  constructor(
    private readonly file: string,
    private readonly prefix: string,
    private readonly sources: Json[],
  ) {}

  private lookup(key: string): unknown {
    for (const source of this.sources) if (source[key] !== undefined && source[key] !== null) return source[key];
    return undefined;
  }

  private fail(key: string, detail: string): never {
    throw new CheckpointError('INVALID_CONFIG', `${quote(this.file)}: ${this.prefix}${key} ${detail}`, { file: this.file });
  }

  int(key: string, fallback: number | undefined, min = 1): number {
    const value = this.lookup(key) ?? fallback;
    if (value === undefined) this.fail(key, 'is required');
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
      this.fail(key, `must be an integer ≥ ${min}, got ${JSON.stringify(value)}`);
    }
    return value;
  }

  optionalInt(key: string): number | undefined {
    const value = this.lookup(key);
    if (value === undefined) return undefined;
    return this.int(key, undefined, 0);
  }

  positive(key: string, fallback: number): number {
    const value = this.lookup(key) ?? fallback;
    if (typeof value !== 'number' || !(value > 0)) this.fail(key, `must be a positive number, got ${JSON.stringify(value)}`);
    return value;
  }

  bool(key: string, fallback: boolean): boolean {
    const value = this.lookup(key) ?? fallback;
    if (typeof value !== 'boolean') this.fail(key, `must be true or false, got ${JSON.stringify(value)}`);
    return value;
  }

  intList(key: string, fallback: readonly number[]): number[] {
    const value = this.lookup(key) ?? fallback;
    if (!Array.isArray(value) || !value.every((v) => Number.isInteger(v) && v >= 0)) {
      this.fail(key, `must be a list of integers, got ${JSON.stringify(value)}`);
    }
    return [...(value as number[])];
  }

  silu(key: string): 'silu' {
    const value = this.lookup(key) ?? 'silu';
    if (value !== 'silu') this.fail(key, `is ${JSON.stringify(value)}; Qwen2.5-VL uses "silu" and only that is implemented`);
    return 'silu';
  }

  raw(key: string): unknown {
    return this.lookup(key);
  }
}

/** Validate a parsed config.json (`file` is only used in messages). */
export function parseQwen25VLConfig(json: unknown, file = 'config.json'): Qwen25VLConfig {
  if (!isObject(json)) throw new CheckpointError('INVALID_JSON', `${quote(file)} is not a JSON object`, { file });
  const architectures = json['architectures'];
  const listed = Array.isArray(architectures) ? architectures : architectures === undefined ? [] : [architectures];
  if (listed.length !== 1 || listed[0] !== QWEN25_VL_ARCHITECTURE) {
    const named = listed.length === 0 ? `no architectures (model_type ${JSON.stringify(json['model_type'])})` : listed.map((a) => JSON.stringify(a)).join(', ');
    throw new CheckpointError(
      'UNKNOWN_ARCHITECTURE',
      `${quote(file)} describes ${named}; only ${QWEN25_VL_ARCHITECTURE} (Qwen2.5-VL) is supported`,
      { file },
    );
  }
  // transformers ≥ 4.53 may nest the language-model fields under text_config; top-level keys win there
  // only when text_config lacks them.
  const textConfig = isObject(json['text_config']) ? json['text_config'] : {};
  const text = new FieldReader(file, '', [textConfig, json]);
  const top = new FieldReader(file, '', [json, textConfig]);
  const visionJson = isObject(json['vision_config']) ? json['vision_config'] : {};
  const vis = new FieldReader(file, 'vision_config.', [visionJson]);

  const hiddenSize = text.int('hidden_size', TEXT_DEFAULTS.hidden_size);
  const numAttentionHeads = text.int('num_attention_heads', TEXT_DEFAULTS.num_attention_heads);
  const numKeyValueHeads = text.int('num_key_value_heads', TEXT_DEFAULTS.num_key_value_heads);
  if (hiddenSize % numAttentionHeads !== 0) {
    throw new CheckpointError('INVALID_CONFIG', `${quote(file)}: hidden_size ${hiddenSize} is not a multiple of num_attention_heads ${numAttentionHeads}`, { file });
  }
  if (numAttentionHeads % numKeyValueHeads !== 0) {
    throw new CheckpointError('INVALID_CONFIG', `${quote(file)}: num_attention_heads ${numAttentionHeads} is not a multiple of num_key_value_heads ${numKeyValueHeads}`, { file });
  }
  const headDim = hiddenSize / numAttentionHeads;
  // transformers ≥ 5 writes `rope_parameters` (with rope_theta inside) where 4.x wrote `rope_scaling`.
  const ropeScaling = text.raw('rope_scaling') ?? text.raw('rope_parameters');
  const section = isObject(ropeScaling) ? ropeScaling['mrope_section'] : undefined;
  const nestedTheta = isObject(ropeScaling) ? ropeScaling['rope_theta'] : undefined;
  if (!Array.isArray(section) || section.length !== 3 || !section.every((v) => Number.isInteger(v) && v >= 0)) {
    throw new CheckpointError(
      'INVALID_CONFIG',
      `${quote(file)}: rope_scaling.mrope_section must be three integers (Qwen2.5-VL's M-RoPE split, e.g. [16, 24, 24]), got ${JSON.stringify(section)}`,
      { file },
    );
  }
  const mropeSection = section as [number, number, number];
  if (2 * (mropeSection[0] + mropeSection[1] + mropeSection[2]) !== headDim) {
    throw new CheckpointError(
      'INVALID_CONFIG',
      `${quote(file)}: rope_scaling.mrope_section ${JSON.stringify(mropeSection)} sums to ${mropeSection[0] + mropeSection[1] + mropeSection[2]}, but head_dim/2 is ${headDim / 2}`,
      { file },
    );
  }
  if (text.bool('use_sliding_window', false)) {
    throw new CheckpointError('INVALID_CONFIG', `${quote(file)}: use_sliding_window true is not implemented (Qwen2.5-VL checkpoints set false)`, { file });
  }

  const visionHidden = vis.int('hidden_size', VISION_DEFAULTS.hidden_size);
  const visionHeads = vis.int('num_heads', VISION_DEFAULTS.num_heads);
  if (visionHidden % visionHeads !== 0 || (visionHidden / visionHeads) % 4 !== 0) {
    throw new CheckpointError(
      'INVALID_CONFIG',
      `${quote(file)}: vision_config.hidden_size ${visionHidden} / num_heads ${visionHeads} must be a whole multiple of 4 (2-D rotary halves)`,
      { file },
    );
  }
  const depth = vis.int('depth', VISION_DEFAULTS.depth);
  const vision: Qwen25VLVisionConfig = {
    depth,
    hiddenSize: visionHidden,
    intermediateSize: vis.int('intermediate_size', VISION_DEFAULTS.intermediate_size),
    numHeads: visionHeads,
    inChannels: vis.int('in_channels', (visionJson['in_chans'] as number | undefined) ?? VISION_DEFAULTS.in_channels),
    patchSize: vis.int('patch_size', (visionJson['spatial_patch_size'] as number | undefined) ?? VISION_DEFAULTS.patch_size),
    spatialMergeSize: vis.int('spatial_merge_size', VISION_DEFAULTS.spatial_merge_size),
    temporalPatchSize: vis.int('temporal_patch_size', VISION_DEFAULTS.temporal_patch_size),
    tokensPerSecond: vis.positive('tokens_per_second', VISION_DEFAULTS.tokens_per_second),
    windowSize: vis.int('window_size', VISION_DEFAULTS.window_size),
    outHiddenSize: vis.int('out_hidden_size', VISION_DEFAULTS.out_hidden_size),
    fullattBlockIndexes: vis.intList('fullatt_block_indexes', VISION_DEFAULTS.fullatt_block_indexes),
    hiddenAct: vis.silu('hidden_act'),
    rmsNormEps: 1e-6,
  };
  if (vision.outHiddenSize !== hiddenSize) {
    throw new CheckpointError(
      'INVALID_CONFIG',
      `${quote(file)}: vision_config.out_hidden_size ${vision.outHiddenSize} must equal hidden_size ${hiddenSize} (the merger feeds the LLM)`,
      { file },
    );
  }

  const eos = top.raw('eos_token_id');
  if (eos !== undefined && !(Number.isInteger(eos) || (Array.isArray(eos) && eos.every((v) => Number.isInteger(v))))) {
    throw new CheckpointError('INVALID_CONFIG', `${quote(file)}: eos_token_id must be an integer or a list of integers, got ${JSON.stringify(eos)}`, { file });
  }
  const torchDtype = top.raw('torch_dtype') ?? top.raw('dtype');

  return {
    architecture: QWEN25_VL_ARCHITECTURE,
    vocabSize: text.int('vocab_size', TEXT_DEFAULTS.vocab_size),
    hiddenSize,
    intermediateSize: text.int('intermediate_size', TEXT_DEFAULTS.intermediate_size),
    numHiddenLayers: text.int('num_hidden_layers', TEXT_DEFAULTS.num_hidden_layers),
    numAttentionHeads,
    numKeyValueHeads,
    headDim,
    hiddenAct: text.silu('hidden_act'),
    maxPositionEmbeddings: text.int('max_position_embeddings', TEXT_DEFAULTS.max_position_embeddings),
    rmsNormEps: text.positive('rms_norm_eps', TEXT_DEFAULTS.rms_norm_eps),
    ropeTheta: text.positive('rope_theta', typeof nestedTheta === 'number' ? nestedTheta : TEXT_DEFAULTS.rope_theta),
    mropeSection: [...mropeSection],
    tieWordEmbeddings: top.bool('tie_word_embeddings', TEXT_DEFAULTS.tie_word_embeddings),
    torchDtype: typeof torchDtype === 'string' ? torchDtype : undefined,
    visionStartTokenId: top.int('vision_start_token_id', TOKEN_DEFAULTS.vision_start_token_id, 0),
    visionEndTokenId: top.int('vision_end_token_id', TOKEN_DEFAULTS.vision_end_token_id, 0),
    visionTokenId: top.int('vision_token_id', TOKEN_DEFAULTS.vision_token_id, 0),
    imageTokenId: top.int('image_token_id', TOKEN_DEFAULTS.image_token_id, 0),
    videoTokenId: top.int('video_token_id', TOKEN_DEFAULTS.video_token_id, 0),
    bosTokenId: top.optionalInt('bos_token_id'),
    eosTokenId: eos as number | number[] | undefined,
    padTokenId: top.optionalInt('pad_token_id'),
    vision,
    raw: json,
  };
}

/** Read and validate `<dir>/config.json`. */
export function readQwen25VLConfig(file: string): Qwen25VLConfig {
  return parseQwen25VLConfig(readJsonFile(file), file);
}

/**
 * The config as Hugging Face writes it (snake_case, hub style): keys of `raw` this type does not
 * model are kept, the modelled ones come from the typed fields.
 */
export function qwen25VLConfigToJson(config: Qwen25VLConfig): Record<string, unknown> {
  const { raw } = config;
  const rawVision = isObject(raw['vision_config']) ? raw['vision_config'] : {};
  const rawRope = isObject(raw['rope_scaling']) ? raw['rope_scaling'] : {};
  const json: Record<string, unknown> = {
    ...raw,
    architectures: [QWEN25_VL_ARCHITECTURE],
    model_type: 'qwen2_5_vl',
    vocab_size: config.vocabSize,
    hidden_size: config.hiddenSize,
    intermediate_size: config.intermediateSize,
    num_hidden_layers: config.numHiddenLayers,
    num_attention_heads: config.numAttentionHeads,
    num_key_value_heads: config.numKeyValueHeads,
    hidden_act: config.hiddenAct,
    max_position_embeddings: config.maxPositionEmbeddings,
    rms_norm_eps: config.rmsNormEps,
    rope_theta: config.ropeTheta,
    rope_scaling: { type: 'mrope', ...rawRope, mrope_section: [...config.mropeSection] },
    tie_word_embeddings: config.tieWordEmbeddings,
    vision_start_token_id: config.visionStartTokenId,
    vision_end_token_id: config.visionEndTokenId,
    vision_token_id: config.visionTokenId,
    image_token_id: config.imageTokenId,
    video_token_id: config.videoTokenId,
    vision_config: {
      ...rawVision,
      depth: config.vision.depth,
      hidden_size: config.vision.hiddenSize,
      intermediate_size: config.vision.intermediateSize,
      num_heads: config.vision.numHeads,
      in_channels: config.vision.inChannels,
      in_chans: config.vision.inChannels,
      patch_size: config.vision.patchSize,
      spatial_patch_size: config.vision.patchSize,
      spatial_merge_size: config.vision.spatialMergeSize,
      temporal_patch_size: config.vision.temporalPatchSize,
      tokens_per_second: config.vision.tokensPerSecond,
      window_size: config.vision.windowSize,
      out_hidden_size: config.vision.outHiddenSize,
      fullatt_block_indexes: [...config.vision.fullattBlockIndexes],
      hidden_act: config.vision.hiddenAct,
    },
  };
  if (config.torchDtype !== undefined) json['torch_dtype'] = config.torchDtype;
  if (config.bosTokenId !== undefined) json['bos_token_id'] = config.bosTokenId;
  if (config.eosTokenId !== undefined) json['eos_token_id'] = config.eosTokenId;
  if (config.padTokenId !== undefined) json['pad_token_id'] = config.padTokenId;
  delete json['text_config'];
  return json;
}

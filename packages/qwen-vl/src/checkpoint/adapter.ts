// PEFT LoRA adapter directories: adapter_config.json + adapter_model.safetensors with keys
// `base_model.model.<module>.lora_A.weight` [r, in] and `….lora_B.weight` [out, r] (adapter name
// "default" removed, as PEFT saves). <module> is the module name in the base model's layout: hub
// `model.layers.0.self_attn.q_proj`, ≥ 4.52 `model.language_model.layers.0.self_attn.q_proj`.
// Only what this package computes is accepted: plain LoRA on the LLM's linear layers with
// scaling alpha / r (no DoRA, rsLoRA, per-module ranks, bias training or modules_to_save).
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { type Qwen25VLConfig, readJsonFile } from './config.js';
import type { StoredDtype } from './dtype.js';
import { CheckpointError, quote } from './errors.js';
import { type KeyLayout, toCanonicalName, toStoredName } from './names.js';
import { readSafetensorsHeader, readSafetensorsTensor, type SafetensorsEntry } from './safetensors.js';
import { type TensorSource, writeSafetensors } from './write.js';

export const ADAPTER_CONFIG_FILE = 'adapter_config.json';
export const ADAPTER_WEIGHTS_FILE = 'adapter_model.safetensors';
const KEY_PREFIX = 'base_model.model.';

/** The LoRA-adaptable linear modules of each LLM layer, with their PEFT names. */
export const LLM_LINEAR_MODULES = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] as const;
export type LlmLinearModule = (typeof LLM_LINEAR_MODULES)[number];

export interface LoraAdapterConfig {
  r: number;
  loraAlpha: number;
  /** PEFT semantics: a string is full-matched against module names, a list matches name suffixes. */
  targetModules: string | string[];
  /** PEFT's `exclude_modules` (same matching rules): modules the target would select but must not adapt. */
  excludeModules: string | string[] | null;
  /** Dropout used in training; computation here is always without dropout (as at inference). */
  loraDropout: number;
  baseModelNameOrPath: string | null;
  /** adapter_config.json as read (or as written). */
  raw: Record<string, unknown>;
}

export interface AdapterTensor {
  /** Key in adapter_model.safetensors. */
  key: string;
  shape: number[];
  dtype: StoredDtype;
  read(target?: Float32Array): Float32Array;
}

export interface LoraModule {
  /** Canonical (hub-layout) module name, e.g. `model.layers.0.self_attn.q_proj`. */
  module: string;
  /** A: [r, in]. */
  a: AdapterTensor;
  /** B: [out, r]. */
  b: AdapterTensor;
}

export interface PeftAdapter {
  dir: string;
  config: LoraAdapterConfig;
  /** The naming its keys use. */
  layout: KeyLayout;
  /** By canonical module name, in layer order then LLM_LINEAR_MODULES order. */
  modules: Map<string, LoraModule>;
}

/** The file key of a module's A or B matrix. */
export function adapterKey(canonicalModule: string, matrix: 'A' | 'B', layout: KeyLayout = 'hub'): string {
  return `${KEY_PREFIX}${toStoredName(canonicalModule, layout)}.lora_${matrix}.weight`;
}

/**
 * PEFT's target matching (`check_target_module_exists`): a string target is a regular expression that
 * must match the whole module name; a list matches a module whose name equals an entry or ends with
 * `.` + entry.
 */
export function matchesTargetModules(targetModules: string | readonly string[], moduleName: string): boolean {
  if (typeof targetModules === 'string') return new RegExp(`^(?:${targetModules})$`).test(moduleName);
  return targetModules.some((t) => moduleName === t || moduleName.endsWith(`.${t}`));
}

/**
 * The regex target that adapts every LLM linear layer and nothing in the vision tower, in the given
 * layout (the form the reference adapters use; the list form would also hit the vision MLPs).
 */
export function llmTargetModulesPattern(layout: KeyLayout = 'hub'): string {
  const layers = layout === 'hub' ? 'model\\.layers' : 'model\\.language_model\\.layers';
  return `^${layers}\\.\\d+\\.(self_attn\\.(q_proj|k_proj|v_proj|o_proj)|mlp\\.(gate_proj|up_proj|down_proj))$`;
}

/** Every LLM linear module of the base config: canonical name → [in, out] features. */
export function llmLinearModules(base: Qwen25VLConfig): Map<string, { inFeatures: number; outFeatures: number }> {
  const d = base.hiddenSize;
  const kv = base.numKeyValueHeads * base.headDim;
  const dims: Record<LlmLinearModule, [number, number]> = {
    q_proj: [d, d],
    k_proj: [d, kv],
    v_proj: [d, kv],
    o_proj: [d, d],
    gate_proj: [d, base.intermediateSize],
    up_proj: [d, base.intermediateSize],
    down_proj: [base.intermediateSize, d],
  };
  const modules = new Map<string, { inFeatures: number; outFeatures: number }>();
  for (let l = 0; l < base.numHiddenLayers; l++) {
    for (const name of LLM_LINEAR_MODULES) {
      const group = name === 'gate_proj' || name === 'up_proj' || name === 'down_proj' ? 'mlp' : 'self_attn';
      const [inFeatures, outFeatures] = dims[name];
      modules.set(`model.layers.${l}.${group}.${name}`, { inFeatures, outFeatures });
    }
  }
  return modules;
}

function unsupported(file: string, detail: string): CheckpointError {
  return new CheckpointError('UNSUPPORTED_ADAPTER', `${quote(file)}: ${detail}`, { file });
}

function parseAdapterConfig(file: string): LoraAdapterConfig {
  const json = readJsonFile(file);
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new CheckpointError('INVALID_JSON', `${quote(file)} is not a JSON object`, { file });
  }
  const raw = json as Record<string, unknown>;
  if (raw['peft_type'] !== 'LORA') throw unsupported(file, `peft_type ${JSON.stringify(raw['peft_type'])}; only "LORA" adapters are supported`);
  const r = raw['r'];
  const alpha = raw['lora_alpha'];
  if (typeof r !== 'number' || !Number.isInteger(r) || r < 1) {
    throw new CheckpointError('INVALID_JSON', `${quote(file)}: r must be a positive integer, got ${JSON.stringify(r)}`, { file });
  }
  if (typeof alpha !== 'number' || !Number.isFinite(alpha)) {
    throw new CheckpointError('INVALID_JSON', `${quote(file)}: lora_alpha must be a number, got ${JSON.stringify(alpha)}`, { file });
  }
  const target = raw['target_modules'];
  if (!(typeof target === 'string' || (Array.isArray(target) && target.length > 0 && target.every((t) => typeof t === 'string')))) {
    throw new CheckpointError('INVALID_JSON', `${quote(file)}: target_modules must be a regex string or a list of module names, got ${JSON.stringify(target)}`, {
      file,
    });
  }
  if (typeof target === 'string') {
    try {
      new RegExp(target);
    } catch (cause) {
      throw new CheckpointError('INVALID_JSON', `${quote(file)}: target_modules ${JSON.stringify(target)} is not a valid regular expression`, { file, cause });
    }
  }
  if (raw['use_dora'] === true) throw unsupported(file, 'use_dora true (DoRA) is not supported; train a plain LoRA adapter');
  if (raw['use_rslora'] === true) throw unsupported(file, 'use_rslora true (scaling alpha/√r) is not supported; only alpha/r');
  if ((raw['bias'] ?? 'none') !== 'none') throw unsupported(file, `bias ${JSON.stringify(raw['bias'])} is not supported; only "none"`);
  if (raw['fan_in_fan_out'] === true) throw unsupported(file, 'fan_in_fan_out true is not supported (the Qwen2 linears are not Conv1D)');
  const modulesToSave = raw['modules_to_save'];
  if (modulesToSave !== undefined && modulesToSave !== null && !(Array.isArray(modulesToSave) && modulesToSave.length === 0)) {
    throw unsupported(file, `modules_to_save ${JSON.stringify(modulesToSave)} is not supported; only LoRA matrices are loaded`);
  }
  for (const key of ['rank_pattern', 'alpha_pattern']) {
    const pattern = raw[key];
    if (pattern !== undefined && pattern !== null && Object.keys(pattern as object).length > 0) {
      throw unsupported(file, `${key} ${JSON.stringify(pattern)} is not supported; one r and lora_alpha for every module`);
    }
  }
  if (raw['lora_bias'] === true) throw unsupported(file, 'lora_bias true (a bias on lora_B) is not supported');
  const tokens = raw['trainable_token_indices'];
  if (tokens !== undefined && tokens !== null) throw unsupported(file, 'trainable_token_indices (trainable embedding rows) is not supported');
  const exclude = raw['exclude_modules'] ?? null;
  if (!(exclude === null || typeof exclude === 'string' || (Array.isArray(exclude) && exclude.every((t) => typeof t === 'string')))) {
    throw new CheckpointError('INVALID_JSON', `${quote(file)}: exclude_modules must be a regex string, a list of names or null, got ${JSON.stringify(exclude)}`, { file });
  }
  for (const key of ['layers_to_transform', 'layers_pattern']) {
    if (raw[key] !== undefined && raw[key] !== null) throw unsupported(file, `${key} is not supported; select layers with a target_modules regex`);
  }
  const dropout = raw['lora_dropout'] ?? 0;
  const base = raw['base_model_name_or_path'];
  return {
    r,
    loraAlpha: alpha,
    targetModules: Array.isArray(target) ? [...(target as string[])] : (target as string),
    excludeModules: Array.isArray(exclude) ? [...(exclude as string[])] : (exclude as string | null),
    loraDropout: typeof dropout === 'number' ? dropout : 0,
    baseModelNameOrPath: typeof base === 'string' ? base : null,
    raw,
  };
}

function adapterTensor(file: string, entry: SafetensorsEntry): AdapterTensor {
  return { key: entry.name, shape: entry.shape, dtype: entry.dtype, read: (target) => readSafetensorsTensor(file, entry, target) };
}

const KEY_PATTERN = /^base_model\.model\.(.+)\.lora_(A|B)\.weight$/u;

/**
 * Open a PEFT adapter directory. With `base`, every key is checked against the base model's LLM
 * linear layers ([r, in] / [out, r]) and every module the target selects must be present.
 */
export function readAdapter(dir: string, base?: Qwen25VLConfig): PeftAdapter {
  const root = path.resolve(dir);
  const configFile = path.join(root, ADAPTER_CONFIG_FILE);
  const weightsFile = path.join(root, ADAPTER_WEIGHTS_FILE);
  if (!existsSync(configFile)) throw new CheckpointError('FILE_NOT_FOUND', `adapter directory ${quote(root)} has no ${ADAPTER_CONFIG_FILE}`, { file: configFile });
  const config = parseAdapterConfig(configFile);
  if (!existsSync(weightsFile)) {
    throw new CheckpointError(
      'FILE_NOT_FOUND',
      `adapter directory ${quote(root)} has no ${ADAPTER_WEIGHTS_FILE} (adapter_model.bin is not read: convert it to safetensors)`,
      { file: weightsFile },
    );
  }
  const entries = readSafetensorsHeader(weightsFile).entries;
  const layouts = new Set<KeyLayout>();
  const pairs = new Map<string, { a?: AdapterTensor; b?: AdapterTensor; stored: string }>();
  const known = base === undefined ? undefined : llmLinearModules(base);
  for (const entry of entries) {
    const match = KEY_PATTERN.exec(entry.name);
    if (match === null) {
      throw new CheckpointError(
        'UNEXPECTED_TENSOR',
        `${quote(weightsFile)}: key ${entry.name} is not a LoRA matrix (base_model.model.<module>.lora_A/B.weight); ` +
          `embedding LoRA, DoRA magnitudes and saved modules are not supported`,
        { file: weightsFile, tensor: entry.name },
      );
    }
    const stored = match[1] as string;
    const canonical = toCanonicalName(stored);
    if (canonical.startsWith('visual.')) {
      throw unsupported(weightsFile, `key ${entry.name} adapts the vision tower; only LLM layers can carry LoRA here`);
    }
    layouts.add(stored.startsWith('model.language_model.') ? 'language_model' : 'hub');
    if (known !== undefined && !known.has(canonical)) {
      throw new CheckpointError(
        'UNEXPECTED_TENSOR',
        `${quote(weightsFile)}: key ${entry.name} names module ${stored}, which the base model has no LoRA-able linear layer for`,
        { file: weightsFile, tensor: entry.name },
      );
    }
    const pair = pairs.get(canonical) ?? { stored };
    pair[match[2] === 'A' ? 'a' : 'b'] = adapterTensor(weightsFile, entry);
    pairs.set(canonical, pair);
  }
  if (layouts.size > 1) {
    throw new CheckpointError('DUPLICATE_TENSOR', `${quote(weightsFile)} mixes hub (model.layers.…) and 4.52 (model.language_model.…) keys`, {
      file: weightsFile,
    });
  }
  const layout: KeyLayout = layouts.has('language_model') ? 'language_model' : 'hub';

  const modules = new Map<string, LoraModule>();
  const order = known === undefined ? [...pairs.keys()] : [...known.keys()];
  for (const module of order) {
    const pair = pairs.get(module);
    const stored = toStoredName(module, layout);
    const targeted =
      matchesTargetModules(config.targetModules, stored) && !(config.excludeModules !== null && matchesTargetModules(config.excludeModules, stored));
    if (pair === undefined) {
      if (known !== undefined && targeted) {
        throw new CheckpointError(
          'MISSING_TENSOR',
          `${quote(weightsFile)} has no LoRA matrices for ${stored}, which target_modules ${JSON.stringify(config.targetModules)} selects`,
          { file: weightsFile, tensor: adapterKey(module, 'A', layout) },
        );
      }
      continue;
    }
    for (const matrix of ['A', 'B'] as const) {
      if (pair[matrix === 'A' ? 'a' : 'b'] === undefined) {
        const key = adapterKey(module, matrix, layout);
        throw new CheckpointError('MISSING_TENSOR', `${quote(weightsFile)} has the other LoRA matrix of ${stored} but not ${key}`, {
          file: weightsFile,
          tensor: key,
        });
      }
    }
    const a = pair.a as AdapterTensor;
    const b = pair.b as AdapterTensor;
    if (!targeted) {
      throw new CheckpointError(
        'UNEXPECTED_TENSOR',
        `${quote(weightsFile)}: ${a.key} adapts ${stored}, which target_modules ${JSON.stringify(config.targetModules)} does not select`,
        { file: weightsFile, tensor: a.key },
      );
    }
    const dims = known?.get(module);
    const expectA = [config.r, dims?.inFeatures ?? a.shape[1] ?? -1];
    const expectB = [dims?.outFeatures ?? b.shape[0] ?? -1, config.r];
    for (const [tensor, expected] of [
      [a, expectA],
      [b, expectB],
    ] as const) {
      if (tensor.shape.length !== 2 || tensor.shape[0] !== expected[0] || tensor.shape[1] !== expected[1]) {
        throw new CheckpointError(
          'SHAPE_MISMATCH',
          `${quote(weightsFile)}: ${tensor.key} has shape [${tensor.shape.join(', ')}], expected [${expected.join(', ')}] ` +
            `(r = ${config.r} from ${ADAPTER_CONFIG_FILE}${dims === undefined ? '' : ' and the base model'})`,
          { file: weightsFile, tensor: tensor.key },
        );
      }
    }
    modules.set(module, { module, a, b });
  }
  if (modules.size === 0) {
    throw new CheckpointError('MISSING_TENSOR', `${quote(weightsFile)} holds no LoRA matrices`, { file: weightsFile });
  }
  return { dir: root, config, layout, modules };
}

export interface WriteAdapterOptions {
  r: number;
  loraAlpha: number;
  /** Default: the regex that selects every LLM linear layer of the chosen layout. */
  targetModules?: string | string[];
  baseModelNameOrPath?: string | null;
  /** Key naming (default 'hub', which every PEFT/vLLM version reads). */
  layout?: KeyLayout;
  dtype?: StoredDtype;
  /** Recorded for training provenance (computation never applies dropout). */
  loraDropout?: number;
}

/**
 * Write a PEFT adapter directory. `modules` maps canonical module names to their A [r, in] and
 * B [out, r] matrices; `base` checks names and shapes. Returns the two files written.
 */
export function writeAdapter(
  dir: string,
  base: Qwen25VLConfig,
  modules: Iterable<[string, { a: TensorSource; b: TensorSource }]>,
  options: WriteAdapterOptions,
): { configFile: string; weightsFile: string } {
  const root = path.resolve(dir);
  const layout = options.layout ?? 'hub';
  const targetModules = options.targetModules ?? llmTargetModulesPattern(layout);
  const known = llmLinearModules(base);
  const entries: Array<{ name: string; source: TensorSource }> = [];
  for (const [module, { a, b }] of modules) {
    const dims = known.get(module);
    if (dims === undefined) {
      throw new CheckpointError('INVALID_ARGUMENT', `cannot write adapter ${quote(root)}: ${module} is not an LLM linear module of the base model`, {
        file: root,
        tensor: module,
      });
    }
    const stored = toStoredName(module, layout);
    if (!matchesTargetModules(targetModules, stored)) {
      throw new CheckpointError(
        'INVALID_ARGUMENT',
        `cannot write adapter ${quote(root)}: target_modules ${JSON.stringify(targetModules)} does not select ${stored}, so PEFT would not load its matrices`,
        { file: root, tensor: module },
      );
    }
    for (const [matrix, source, expected] of [
      ['A', a, [options.r, dims.inFeatures]],
      ['B', b, [dims.outFeatures, options.r]],
    ] as const) {
      if (source.shape.length !== 2 || source.shape[0] !== expected[0] || source.shape[1] !== expected[1]) {
        throw new CheckpointError(
          'SHAPE_MISMATCH',
          `cannot write adapter ${quote(root)}: lora_${matrix} of ${module} has shape [${source.shape.join(', ')}], expected [${expected.join(', ')}]`,
          { file: root, tensor: adapterKey(module, matrix, layout) },
        );
      }
      entries.push({ name: adapterKey(module, matrix, layout), source });
    }
  }
  if (entries.length === 0) throw new CheckpointError('INVALID_ARGUMENT', `cannot write adapter ${quote(root)} without any module`, { file: root });
  const raw: Record<string, unknown> = {
    peft_type: 'LORA',
    task_type: 'CAUSAL_LM',
    base_model_name_or_path: options.baseModelNameOrPath ?? null,
    r: options.r,
    lora_alpha: options.loraAlpha,
    lora_dropout: options.loraDropout ?? 0,
    bias: 'none',
    fan_in_fan_out: false,
    inference_mode: true,
    init_lora_weights: true,
    use_rslora: false,
    use_dora: false,
    modules_to_save: null,
    layers_to_transform: null,
    layers_pattern: null,
    rank_pattern: {},
    alpha_pattern: {},
    target_modules: targetModules,
  };
  mkdirSync(root, { recursive: true });
  const weightsFile = path.join(root, ADAPTER_WEIGHTS_FILE);
  const configFile = path.join(root, ADAPTER_CONFIG_FILE);
  writeSafetensors(weightsFile, entries, { dtype: options.dtype ?? 'F32' });
  const temporary = `${configFile}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(raw, null, 2)}\n`);
  renameSync(temporary, configFile);
  return { configFile, weightsFile };
}

// A PEFT LoRA adapter directory as the model attaches it: spec (r, alpha, target_modules) and
// per canonical decoder module its A / B tensors.
import path from 'node:path';

import { readJsonFile } from './checkpoint/config.js';
import { toCanonicalName } from './checkpoint/names.js';
import { readSafetensorsHeader, readSafetensorsTensor } from './checkpoint/safetensors.js';
import type { LoraSpec } from './lora.js';
import { QwenVLModelError } from './model-error.js';
import { tf } from './tf.js';

export interface AdapterWeights {
  spec: LoraSpec;
  /** Canonical module (`model.layers.0.self_attn.q_proj`) → A `[r, in]`, B `[out, r]`. */
  weights: Map<string, { a: tf.Tensor; b: tf.Tensor }>;
}

const KEY = /^base_model\.model\.(.+)\.lora_([AB])\.weight$/;

export function readAdapterWeights(dir: string): AdapterWeights {
  const configFile = path.join(dir, 'adapter_config.json');
  const config = readJsonFile(configFile) as Record<string, unknown>;
  const r = config['r'];
  const alpha = config['lora_alpha'];
  const targetModules = config['target_modules'];
  if (typeof r !== 'number' || typeof alpha !== 'number') {
    throw new QwenVLModelError('INVALID_ADAPTER', `${configFile}: r and lora_alpha must be numbers`);
  }
  if (typeof targetModules !== 'string' && !Array.isArray(targetModules)) {
    throw new QwenVLModelError('INVALID_ADAPTER', `${configFile}: target_modules must be a regex string or a list`);
  }
  const file = path.join(dir, 'adapter_model.safetensors');
  const header = readSafetensorsHeader(file);
  const halves = new Map<string, { a?: tf.Tensor; b?: tf.Tensor }>();
  for (const entry of header.entries) {
    const match = KEY.exec(entry.name);
    if (match === null) throw new QwenVLModelError('INVALID_ADAPTER', `${file}: tensor ${entry.name} is not a LoRA A/B weight`);
    const module = toCanonicalName(`${match[1]}.weight`).slice(0, -'.weight'.length);
    const pair = halves.get(module) ?? {};
    const tensor = tf.tensor(readSafetensorsTensor(file, entry), entry.shape, 'float32');
    if (match[2] === 'A') pair.a = tensor;
    else pair.b = tensor;
    halves.set(module, pair);
  }
  const weights = new Map<string, { a: tf.Tensor; b: tf.Tensor }>();
  for (const [module, pair] of halves) {
    if (pair.a === undefined || pair.b === undefined) {
      throw new QwenVLModelError('INVALID_ADAPTER', `${file}: ${module} has only lora_${pair.a ? 'A' : 'B'}`);
    }
    weights.set(module, { a: pair.a, b: pair.b });
  }
  return { spec: { r, alpha, targetModules: targetModules as string | string[] }, weights };
}

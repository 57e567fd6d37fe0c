// A Hugging Face Qwen2.5-VL model directory: config.json + model.safetensors, or shards listed in
// model.safetensors.index.json. Opening reads only config.json and the safetensors headers, checks
// every tensor against the config, and returns lazy handles: `read()` streams one tensor from its file.
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';

import { type Qwen25VLConfig, readJsonFile, readQwen25VLConfig } from './config.js';
import type { StoredDtype } from './dtype.js';
import { CheckpointError, quote } from './errors.js';
import { expectedTensorShapes, type KeyLayout, layoutOfStoredName, toCanonicalName, toStoredName } from './names.js';
import { readSafetensorsHeader, readSafetensorsTensor, type SafetensorsEntry } from './safetensors.js';

export const CONFIG_FILE = 'config.json';
export const SINGLE_WEIGHTS_FILE = 'model.safetensors';
export const WEIGHTS_INDEX_FILE = 'model.safetensors.index.json';

export interface CheckpointTensor {
  /** Canonical (hub-layout) name, e.g. `model.layers.0.self_attn.q_proj.weight`. */
  name: string;
  /** The name in the file (differs from `name` in the ≥ 4.52 layout). */
  storedName: string;
  /** Absolute path of the safetensors file holding it. */
  file: string;
  dtype: StoredDtype;
  shape: number[];
  /** Stream the tensor from disk as float32 (into `target` when given: no other full-size buffer). */
  read(target?: Float32Array): Float32Array;
}

export interface Qwen25VLCheckpoint {
  dir: string;
  config: Qwen25VLConfig;
  /** The naming the files use; saving with `layout: checkpoint.layout` reproduces it. */
  layout: KeyLayout;
  /** Every tensor the config requires, by canonical name, in a stable order (vision, LLM, head). */
  tensors: Map<string, CheckpointTensor>;
  /** Stored names the model does not use (e.g. `lm_head.weight` of a tied checkpoint); ignored as transformers does. */
  unexpected: string[];
  /** The safetensors files, absolute paths. */
  files: string[];
  /** The tensor by canonical name; a name outside the config is refused. */
  read(name: string, target?: Float32Array): Float32Array;
}

function shardFiles(dir: string): { files: string[]; mapped: Map<string, string> } {
  const indexPath = path.join(dir, WEIGHTS_INDEX_FILE);
  if (existsSync(indexPath)) {
    const index = readJsonFile(indexPath) as { weight_map?: unknown } | null;
    const weightMap = index?.weight_map;
    if (weightMap === null || typeof weightMap !== 'object' || Array.isArray(weightMap)) {
      throw new CheckpointError('INVALID_JSON', `${quote(indexPath)} has no weight_map object`, { file: indexPath });
    }
    const mapped = new Map<string, string>();
    const files: string[] = [];
    for (const [tensor, shard] of Object.entries(weightMap as Record<string, unknown>)) {
      if (typeof shard !== 'string' || shard.includes('/') || shard.includes('\\')) {
        throw new CheckpointError('INVALID_JSON', `${quote(indexPath)}: weight_map[${tensor}] must be a file name in the directory, got ${JSON.stringify(shard)}`, {
          file: indexPath,
          tensor,
        });
      }
      const shardPath = path.join(dir, shard);
      if (!files.includes(shardPath)) {
        if (!existsSync(shardPath)) {
          throw new CheckpointError(
            'MISSING_SHARD',
            `shard ${quote(shardPath)} listed in ${quote(indexPath)} (for tensor ${tensor}) does not exist; download the missing shard`,
            { file: shardPath, tensor },
          );
        }
        files.push(shardPath);
      }
      mapped.set(tensor, shardPath);
    }
    return { files, mapped };
  }
  const single = path.join(dir, SINGLE_WEIGHTS_FILE);
  if (!existsSync(single)) {
    throw new CheckpointError('NO_WEIGHTS', `${quote(dir)} holds neither ${SINGLE_WEIGHTS_FILE} nor ${WEIGHTS_INDEX_FILE}`, { file: dir });
  }
  return { files: [single], mapped: new Map() };
}

function handle(name: string, entry: SafetensorsEntry, file: string): CheckpointTensor {
  return {
    name,
    storedName: entry.name,
    file,
    dtype: entry.dtype,
    shape: entry.shape,
    read: (target) => readSafetensorsTensor(file, entry, target),
  };
}

/** Open a Qwen2.5-VL model directory: config and headers are read and checked, tensor data stays on disk. */
export function readCheckpoint(dir: string): Qwen25VLCheckpoint {
  const root = path.resolve(dir);
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    throw new CheckpointError('FILE_NOT_FOUND', `checkpoint directory ${quote(root)} does not exist`, { file: root });
  }
  const config = readQwen25VLConfig(path.join(root, CONFIG_FILE));
  const { files, mapped } = shardFiles(root);

  const found = new Map<string, { entry: SafetensorsEntry; file: string }>();
  const layouts = new Set<KeyLayout>();
  for (const file of files) {
    for (const entry of readSafetensorsHeader(file).entries) {
      const canonical = toCanonicalName(entry.name);
      const previous = found.get(canonical);
      if (previous !== undefined) {
        throw new CheckpointError(
          'DUPLICATE_TENSOR',
          `tensor ${entry.name} in ${quote(file)} is the same weight as ${previous.entry.name} in ${quote(previous.file)}; keep one`,
          { file, tensor: entry.name },
        );
      }
      found.set(canonical, { entry, file });
      const layout = layoutOfStoredName(entry.name);
      if (layout !== undefined) layouts.add(layout);
    }
  }
  for (const [tensor, shard] of mapped) {
    const hit = found.get(toCanonicalName(tensor));
    if (hit === undefined || hit.file !== shard) {
      throw new CheckpointError(
        'MISSING_TENSOR',
        `${quote(shard)} does not hold tensor ${tensor}, which ${WEIGHTS_INDEX_FILE} places there; the shard and the index disagree`,
        { file: shard, tensor },
      );
    }
  }
  const layout: KeyLayout = layouts.has('language_model') ? 'language_model' : 'hub';

  const tensors = new Map<string, CheckpointTensor>();
  const fileList = files.map((f) => quote(f)).join(', ');
  for (const [name, shape] of expectedTensorShapes(config)) {
    const hit = found.get(name);
    if (hit === undefined) {
      const stored = toStoredName(name, layout);
      throw new CheckpointError(
        'MISSING_TENSOR',
        `tensor ${stored} required by ${quote(path.join(root, CONFIG_FILE))} is in none of ${fileList}`,
        { file: files[0] as string, tensor: stored },
      );
    }
    const { entry, file } = hit;
    if (entry.shape.length !== shape.length || entry.shape.some((d, i) => d !== shape[i])) {
      throw new CheckpointError(
        'SHAPE_MISMATCH',
        `${quote(file)}: tensor ${entry.name} has shape [${entry.shape.join(', ')}] but config.json implies [${shape.join(', ')}]; ` +
          `the weights do not belong to this config`,
        { file, tensor: entry.name },
      );
    }
    tensors.set(name, handle(name, entry, file));
  }
  const unexpected = [...found.entries()].filter(([name]) => !tensors.has(name)).map(([, { entry }]) => entry.name);

  return {
    dir: root,
    config,
    layout,
    tensors,
    unexpected,
    files,
    read(name, target) {
      const tensor = tensors.get(name);
      if (tensor === undefined) {
        throw new CheckpointError('MISSING_TENSOR', `checkpoint ${quote(root)} has no tensor named ${name} (names are canonical hub-layout names)`, {
          file: root,
          tensor: name,
        });
      }
      return tensor.read(target);
    },
  };
}

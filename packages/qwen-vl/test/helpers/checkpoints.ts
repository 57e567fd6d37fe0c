// Checkpoints that tests generate: a valid random one from a config, and raw safetensors files with
// whatever (possibly broken) header a test wants.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll } from 'vitest';

import { CheckpointError, expectedTensorShapes, parseQwen25VLConfig, type Qwen25VLConfig } from '../../src/checkpoint/index.js';
import { saveCheckpoint, type SaveCheckpointOptions } from '../../src/checkpoint/save.js';
import { pseudoRandom } from './pseudo-random.js';

export { pseudoRandom };

export const FIXTURES = path.join(import.meta.dirname, '..', 'fixtures');
export const MODELS = path.join(FIXTURES, 'models');
export const ADAPTERS = path.join(FIXTURES, 'adapters');

const created: string[] = [];
// Registered while the importing test file is collected, so it runs after that file's tests.
afterAll(() => {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
});

export function tempDir(prefix = 'qwen-vl-test-'): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  created.push(dir);
  return dir;
}

/** A small valid config (tiny-a's shape, 1 LLM layer, 2 vision blocks) with overrides on the JSON. */
export function smallConfigJson(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    architectures: ['Qwen2_5_VLForConditionalGeneration'],
    model_type: 'qwen2_5_vl',
    hidden_size: 32,
    intermediate_size: 48,
    num_hidden_layers: 1,
    num_attention_heads: 4,
    num_key_value_heads: 2,
    vocab_size: 40,
    rms_norm_eps: 1e-6,
    rope_scaling: { type: 'mrope', mrope_section: [1, 1, 2] },
    tie_word_embeddings: false,
    vision_config: {
      depth: 2,
      hidden_size: 16,
      intermediate_size: 24,
      num_heads: 2,
      window_size: 112,
      fullatt_block_indexes: [1],
      tokens_per_second: 2,
      out_hidden_size: 32,
    },
    vision_start_token_id: 30,
    vision_end_token_id: 31,
    vision_token_id: 32,
    image_token_id: 33,
    video_token_id: 34,
    eos_token_id: 35,
    pad_token_id: 36,
    ...overrides,
  };
}

/** Random weights for every tensor the config implies, by canonical name. */
export function randomWeights(config: Qwen25VLConfig, seed = 1): Map<string, Float32Array> {
  const weights = new Map<string, Float32Array>();
  let i = 0;
  for (const [name, shape] of expectedTensorShapes(config)) {
    weights.set(name, pseudoRandom(shape.reduce((a, b) => a * b, 1), seed * 1000 + i++));
  }
  return weights;
}

/** Save a random checkpoint of the given config JSON into a fresh temp dir; returns dir, config, weights. */
export function randomCheckpoint(
  json: Record<string, unknown> = smallConfigJson(),
  options: SaveCheckpointOptions = {},
): { dir: string; config: Qwen25VLConfig; weights: Map<string, Float32Array> } {
  const dir = tempDir();
  const config = parseQwen25VLConfig(json);
  const weights = randomWeights(config);
  const shapes = expectedTensorShapes(config);
  saveCheckpoint(
    dir,
    config,
    [...weights].map(([name, data]) => [name, { shape: shapes.get(name)!, data }] as [string, { shape: number[]; data: Float32Array }]),
    options,
  );
  return { dir, config, weights };
}

export interface RawTensor {
  name: string;
  dtype: string;
  shape: number[];
  bytes: Uint8Array;
}

/** A safetensors file written byte by byte from `tensors` (any dtype string, no checks). */
export function writeRawSafetensors(file: string, tensors: RawTensor[]): void {
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  let offset = 0;
  for (const t of tensors) {
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + t.bytes.byteLength] };
    offset += t.bytes.byteLength;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.byteLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.byteLength), true);
  out.set(json, 8);
  let at = 8 + json.byteLength;
  for (const t of tensors) {
    out.set(t.bytes, at);
    at += t.bytes.byteLength;
  }
  writeFileSync(file, out);
}

export function writeJson(file: string, value: unknown): void {
  writeFileSync(file, JSON.stringify(value, null, 2));
}

/** The CheckpointError `run` throws (anything else thrown is rethrown; throwing nothing fails). */
export function checkpointFailure(run: () => unknown): CheckpointError {
  try {
    run();
  } catch (error) {
    if (error instanceof CheckpointError) return error;
    throw error;
  }
  throw new Error('expected a CheckpointError, nothing was thrown');
}

import { readFileSync, rmSync, truncateSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { readCheckpoint } from '../src/checkpoint/index.js';
import { checkpointFailure as failure, randomCheckpoint, smallConfigJson, tempDir, writeJson, writeRawSafetensors } from './helpers/checkpoints.js';

describe('readCheckpoint refuses bad checkpoints, naming the file and tensor', () => {
  it('missing shard', () => {
    const { dir } = randomCheckpoint(smallConfigJson(), { maxShardBytes: 20_000 });
    const index = JSON.parse(readFileSync(path.join(dir, 'model.safetensors.index.json'), 'utf8')) as {
      weight_map: Record<string, string>;
    };
    const shards = [...new Set(Object.values(index.weight_map))];
    expect(shards.length).toBeGreaterThan(2);
    const gone = shards[1]!;
    rmSync(path.join(dir, gone));
    const error = failure(() => readCheckpoint(dir));
    expect(error.code).toBe('MISSING_SHARD');
    expect(error.file).toBe(path.join(dir, gone));
    expect(error.message).toContain(gone);
    expect(index.weight_map[error.tensor!]).toBe(gone);
  });

  it('unsupported dtype', () => {
    const { dir } = randomCheckpoint();
    const file = path.join(dir, 'model.safetensors');
    // Same-length dtype string in the header: the bytes stay consistent, only the dtype is foreign.
    const bytes = readFileSync(file);
    const text = bytes.toString('latin1');
    const at = text.indexOf('"model.norm.weight":{"dtype":"F32"');
    expect(at).toBeGreaterThan(0);
    bytes.write('"model.norm.weight":{"dtype":"I32"', at, 'latin1');
    writeFileSync(file, bytes);
    const error = failure(() => readCheckpoint(dir));
    expect(error.code).toBe('UNSUPPORTED_DTYPE');
    expect(error.tensor).toBe('model.norm.weight');
    expect(error.file).toBe(file);
    expect(error.message).toMatch(/I32/);
  });

  it('a dtype whose byte size disagrees with the offsets', () => {
    const dir = tempDir();
    writeJson(path.join(dir, 'config.json'), smallConfigJson());
    writeRawSafetensors(path.join(dir, 'model.safetensors'), [
      { name: 'model.norm.weight', dtype: 'BF16', shape: [32], bytes: new Uint8Array(32 * 4) },
    ]);
    const error = failure(() => readCheckpoint(dir));
    expect(error.code).toBe('INVALID_HEADER');
    expect(error.tensor).toBe('model.norm.weight');
  });

  it('truncated file', () => {
    const { dir } = randomCheckpoint();
    const file = path.join(dir, 'model.safetensors');
    truncateSync(file, statSync(file).size - 10);
    const error = failure(() => readCheckpoint(dir));
    expect(error.code).toBe('TRUNCATED_FILE');
    expect(error.file).toBe(file);
    // The last tensor in the file is the one cut off.
    expect(error.tensor).toBe('lm_head.weight');
    expect(error.message).toContain('lm_head.weight');
  });

  it('a file cut inside its header', () => {
    const { dir } = randomCheckpoint();
    const file = path.join(dir, 'model.safetensors');
    truncateSync(file, 100);
    expect(failure(() => readCheckpoint(dir)).code).toBe('TRUNCATED_FILE');
  });

  it('unknown architecture', () => {
    const { dir } = randomCheckpoint();
    writeJson(path.join(dir, 'config.json'), smallConfigJson({ architectures: ['Qwen2VLForConditionalGeneration'] }));
    const error = failure(() => readCheckpoint(dir));
    expect(error.code).toBe('UNKNOWN_ARCHITECTURE');
    expect(error.message).toContain('Qwen2VLForConditionalGeneration');
    expect(error.file).toBe(path.join(dir, 'config.json'));
  });

  it('shapes that do not match the config', () => {
    const { dir } = randomCheckpoint();
    writeJson(path.join(dir, 'config.json'), smallConfigJson({ intermediate_size: 64 }));
    const error = failure(() => readCheckpoint(dir));
    expect(error.code).toBe('SHAPE_MISMATCH');
    expect(error.tensor).toBe('model.layers.0.mlp.gate_proj.weight');
    expect(error.file).toBe(path.join(dir, 'model.safetensors'));
    expect(error.message).toContain('[48, 32]');
    expect(error.message).toContain('[64, 32]');
  });

  it('missing tensor (an untied config without lm_head.weight)', () => {
    const { dir } = randomCheckpoint(smallConfigJson({ tie_word_embeddings: true }));
    writeJson(path.join(dir, 'config.json'), smallConfigJson({ tie_word_embeddings: false }));
    const error = failure(() => readCheckpoint(dir));
    expect(error.code).toBe('MISSING_TENSOR');
    expect(error.tensor).toBe('lm_head.weight');
    expect(error.message).toContain('model.safetensors');
  });

  it('missing tensor reported with its ≥4.52 stored name', () => {
    const { dir } = randomCheckpoint(smallConfigJson({ tie_word_embeddings: true }), { layout: 'language_model' });
    writeJson(path.join(dir, 'config.json'), smallConfigJson({ num_hidden_layers: 2, tie_word_embeddings: true }));
    const error = failure(() => readCheckpoint(dir));
    expect(error.code).toBe('MISSING_TENSOR');
    expect(error.tensor).toBe('model.language_model.layers.1.input_layernorm.weight');
  });

  it('an index that places a tensor in a shard that lacks it', () => {
    const { dir } = randomCheckpoint(smallConfigJson(), { maxShardBytes: 20_000 });
    const indexFile = path.join(dir, 'model.safetensors.index.json');
    const index = JSON.parse(readFileSync(indexFile, 'utf8')) as { weight_map: Record<string, string> };
    const shards = [...new Set(Object.values(index.weight_map))];
    index.weight_map['model.norm.weight'] = shards[0] === index.weight_map['model.norm.weight'] ? shards[1]! : shards[0]!;
    writeJson(indexFile, index);
    const error = failure(() => readCheckpoint(dir));
    expect(error.code).toBe('MISSING_TENSOR');
    expect(error.tensor).toBe('model.norm.weight');
    expect(error.file).toBe(path.join(dir, index.weight_map['model.norm.weight']));
  });

  it('the same weight in both layouts', () => {
    const dir = tempDir();
    writeJson(path.join(dir, 'config.json'), smallConfigJson());
    const bytes = new Uint8Array(32 * 4);
    writeRawSafetensors(path.join(dir, 'model.safetensors'), [
      { name: 'model.norm.weight', dtype: 'F32', shape: [32], bytes },
      { name: 'model.language_model.norm.weight', dtype: 'F32', shape: [32], bytes },
    ]);
    const error = failure(() => readCheckpoint(dir));
    expect(error.code).toBe('DUPLICATE_TENSOR');
  });

  it('no weights, no directory, broken config', () => {
    const dir = tempDir();
    writeJson(path.join(dir, 'config.json'), smallConfigJson());
    expect(failure(() => readCheckpoint(dir)).code).toBe('NO_WEIGHTS');
    expect(failure(() => readCheckpoint(path.join(dir, 'nope'))).code).toBe('FILE_NOT_FOUND');
    writeFileSync(path.join(dir, 'config.json'), '{"architectures": [');
    const error = failure(() => readCheckpoint(dir));
    expect(error.code).toBe('INVALID_JSON');
    expect(error.file).toBe(path.join(dir, 'config.json'));
  });

  it('unknown tensors are listed, not loaded', () => {
    const { dir } = randomCheckpoint(smallConfigJson({ tie_word_embeddings: false }));
    writeJson(path.join(dir, 'config.json'), smallConfigJson({ tie_word_embeddings: true }));
    const ckpt = readCheckpoint(dir);
    expect(ckpt.unexpected).toEqual(['lm_head.weight']);
    expect(ckpt.tensors.has('lm_head.weight')).toBe(false);
    expect(failure(() => ckpt.read('lm_head.weight')).code).toBe('MISSING_TENSOR');
  });
});

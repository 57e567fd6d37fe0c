import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import {
  readCheckpoint,
  readSafetensorsHeader,
  saveCheckpoint,
  tensorSource,
  type TensorSource,
} from '../src/checkpoint/index.js';
import { floatToBf16Bits } from '../src/checkpoint/dtype.js';
import { MODELS, randomCheckpoint, smallConfigJson, tempDir } from './helpers/checkpoints.js';

/** Bitwise equality of two float arrays (fast for large arrays, NaN-safe). */
function sameBits(a: Float32Array, b: Float32Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

function sources(ckpt: ReturnType<typeof readCheckpoint>): Array<[string, TensorSource]> {
  return [...ckpt.tensors].map(([name, t]) => [name, { shape: t.shape, data: () => t.read() }]);
}

describe('saveCheckpoint', () => {
  it('round-trips tiny-a bit for bit in F32, hub layout, one file', () => {
    const original = readCheckpoint(path.join(MODELS, 'tiny-a'));
    const dir = tempDir();
    saveCheckpoint(dir, original.config, sources(original));
    expect(readdirSync(dir).sort()).toEqual(['config.json', 'model.safetensors']);
    const copy = readCheckpoint(dir);
    expect(copy.layout).toBe('hub');
    expect(copy.config).toEqual({ ...original.config, raw: copy.config.raw });
    for (const [name, t] of original.tensors) expect(sameBits(copy.read(name), t.read()), name).toBe(true);
  });

  it('writes headers transformers and safetensors accept: format pt, 8-byte aligned, contiguous offsets from 0', () => {
    const { dir } = randomCheckpoint();
    const file = path.join(dir, 'model.safetensors');
    const bytes = readFileSync(file);
    const headerLength = Number(bytes.readBigUInt64LE(0));
    expect(headerLength % 8).toBe(0);
    const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8')) as Record<string, unknown>;
    expect(header['__metadata__']).toEqual({ format: 'pt' });
    const spans = Object.entries(header)
      .filter(([k]) => k !== '__metadata__')
      .map(([, v]) => (v as { data_offsets: [number, number] }).data_offsets)
      .sort((a, b) => a[0] - b[0]);
    let at = 0;
    for (const [begin, end] of spans) {
      expect(begin).toBe(at);
      at = end;
    }
    expect(8 + headerLength + at).toBe(bytes.byteLength);
  });

  it('shards above the size limit with an index, in the ≥4.52 layout when asked, BF16 rounded to nearest even', () => {
    const original = readCheckpoint(path.join(MODELS, 'tiny-c'));
    const dir = tempDir();
    const saved = saveCheckpoint(dir, original.config, sources(original), {
      layout: 'language_model',
      dtype: 'BF16',
      maxShardBytes: 60_000,
    });
    expect(saved.files.length).toBeGreaterThan(1);
    const index = JSON.parse(readFileSync(path.join(dir, 'model.safetensors.index.json'), 'utf8')) as {
      metadata: { total_size: number };
      weight_map: Record<string, string>;
    };
    expect(index.metadata.total_size).toBe(saved.totalBytes);
    expect(Object.keys(index.weight_map)).toContain('model.language_model.layers.0.self_attn.q_proj.weight');
    expect(path.basename(saved.files[0]!)).toBe(`model-00001-of-0000${saved.files.length}.safetensors`);
    // Each shard stays under the limit unless it holds a single tensor larger than the limit.
    for (const file of saved.files) {
      const entries = readSafetensorsHeader(file).entries;
      const bytes = entries.reduce((sum, e) => sum + e.byteLength, 0);
      if (entries.length > 1) expect(bytes).toBeLessThanOrEqual(60_000);
    }
    expect(saved.files.some((f) => readSafetensorsHeader(f).entries.length === 1)).toBe(true);
    const copy = readCheckpoint(dir);
    expect(copy.layout).toBe('language_model');
    expect(JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8')).torch_dtype).toBe('bfloat16');
    const rounded = new Float32Array(1);
    const bits = new Uint32Array(rounded.buffer);
    for (const [name, t] of original.tensors) {
      expect(copy.tensors.get(name)!.dtype).toBe('BF16');
      const values = t.read();
      const back = copy.read(name);
      let mismatches = 0;
      for (let i = 0; i < values.length; i++) {
        bits[0] = floatToBf16Bits(values[i]!) << 16;
        if (back[i] !== rounded[0]) mismatches++;
      }
      expect(mismatches, name).toBe(0);
    }
  });

  it('F16 saves are exact for values that are already half precision (tiny-c)', () => {
    const original = readCheckpoint(path.join(MODELS, 'tiny-c'));
    const dir = tempDir();
    saveCheckpoint(dir, original.config, sources(original), { dtype: 'F16' });
    const copy = readCheckpoint(dir);
    expect(copy.layout).toBe('hub');
    for (const [name, t] of original.tensors) expect(sameBits(copy.read(name), t.read()), name).toBe(true);
  });

  it('drops lm_head of a tied config, as save_pretrained does', () => {
    const original = readCheckpoint(path.join(MODELS, 'tiny-b'));
    const dir = tempDir();
    const withHead: Array<[string, TensorSource]> = [
      ...sources(original),
      ['lm_head.weight', { shape: [288, 64], data: new Float32Array(288 * 64) }],
    ];
    saveCheckpoint(dir, original.config, withHead);
    const names = readSafetensorsHeader(path.join(dir, 'model.safetensors')).entries.map((e) => e.name);
    expect(names).not.toContain('lm_head.weight');
    expect(readCheckpoint(dir).config.tieWordEmbeddings).toBe(true);
  });

  it('overwrites the directory it lazily reads from, and removes stale shards', () => {
    const { dir, weights } = randomCheckpoint(smallConfigJson(), { maxShardBytes: 20_000 });
    const before = readCheckpoint(dir);
    saveCheckpoint(dir, before.config, sources(before));
    expect(readdirSync(dir).sort()).toEqual(['config.json', 'model.safetensors']);
    const after = readCheckpoint(dir);
    for (const [name, data] of weights) expect(sameBits(after.read(name), data), name).toBe(true);
  });

  it('refuses incomplete or inconsistent tensors', () => {
    const { config, weights } = randomCheckpoint();
    const entries = [...weights].map(([name, data]): [string, TensorSource] => [
      name,
      { shape: readCheckpoint(path.join(MODELS, 'tiny-a')).tensors.get(name)?.shape ?? [data.length], data },
    ]);
    expect(() => saveCheckpoint(tempDir(), config, entries)).toThrow(expect.objectContaining({ code: 'SHAPE_MISMATCH' }));
    const some = [...weights].slice(1).map(([name, data]): [string, TensorSource] => [name, tensorSource({ shape: [data.length], dataSync: () => data })]);
    expect(() => saveCheckpoint(tempDir(), config, some)).toThrow(expect.objectContaining({ code: 'SHAPE_MISMATCH' }));
    expect(() => saveCheckpoint(tempDir(), config, [['model.bogus.weight', { shape: [1], data: new Float32Array(1) }]])).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', tensor: 'model.bogus.weight' }),
    );
  });
});

import { readFileSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { expectedTensorShapes, readCheckpoint, readSafetensorsHeader } from '../src/checkpoint/index.js';
import { MODELS } from './helpers/checkpoints.js';

/** Values decoded by hand from the raw little-endian bytes (DataView), independent of the reader. */
function rawValue(file: string, tensor: string, index: number): number {
  const bytes = readFileSync(file);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8')) as Record<
    string,
    { dtype: string; data_offsets: [number, number] }
  >;
  const entry = header[tensor]!;
  const at = 8 + headerLength + entry.data_offsets[0];
  if (entry.dtype === 'F32') return view.getFloat32(at + index * 4, true);
  const bits = view.getUint16(at + index * 2, true);
  if (entry.dtype === 'BF16') {
    const wide = new DataView(new ArrayBuffer(4));
    wide.setUint32(0, bits << 16);
    return wide.getFloat32(0);
  }
  const exponent = (bits >> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  const magnitude = exponent === 0 ? mantissa * 2 ** -24 : (1 + mantissa / 1024) * 2 ** (exponent - 15);
  return bits & 0x8000 ? -magnitude : magnitude;
}

describe('readCheckpoint on the three tiny checkpoints', () => {
  it('tiny-a: F32, one file, hub layout, untied head', () => {
    const ckpt = readCheckpoint(path.join(MODELS, 'tiny-a'));
    expect(ckpt.layout).toBe('hub');
    expect(ckpt.files.map((f) => path.basename(f))).toEqual(['model.safetensors']);
    expect([...ckpt.tensors.keys()]).toEqual([...expectedTensorShapes(ckpt.config).keys()]);
    expect(ckpt.tensors.has('lm_head.weight')).toBe(true);
    expect(ckpt.unexpected).toEqual([]);
    const head = ckpt.tensors.get('lm_head.weight')!;
    expect(head.dtype).toBe('F32');
    expect(head.shape).toEqual([320, 64]);
    const values = head.read();
    for (const i of [0, 1, 777, values.length - 1]) expect(values[i]).toBe(rawValue(head.file, 'lm_head.weight', i));
  });

  it('tiny-b: BF16, two shards through the index, tied head without lm_head.weight', () => {
    const ckpt = readCheckpoint(path.join(MODELS, 'tiny-b'));
    expect(ckpt.config.tieWordEmbeddings).toBe(true);
    expect(ckpt.tensors.has('lm_head.weight')).toBe(false);
    expect(ckpt.files.map((f) => path.basename(f))).toEqual([
      'model-00001-of-00002.safetensors',
      'model-00002-of-00002.safetensors',
    ]);
    const shardsUsed = new Set([...ckpt.tensors.values()].map((t) => path.basename(t.file)));
    expect(shardsUsed.size).toBe(2);
    const embed = ckpt.tensors.get('model.embed_tokens.weight')!;
    expect(embed.dtype).toBe('BF16');
    const values = embed.read();
    for (const i of [0, 5, values.length - 1]) expect(values[i]).toBe(rawValue(embed.file, embed.storedName, i));
  });

  it('tiny-c: F16 in the ≥4.52 layout maps to canonical names and remembers the stored ones', () => {
    const ckpt = readCheckpoint(path.join(MODELS, 'tiny-c'));
    expect(ckpt.layout).toBe('language_model');
    const q = ckpt.tensors.get('model.layers.2.self_attn.q_proj.weight')!;
    expect(q.storedName).toBe('model.language_model.layers.2.self_attn.q_proj.weight');
    expect(ckpt.tensors.get('visual.blocks.0.attn.qkv.weight')!.storedName).toBe('model.visual.blocks.0.attn.qkv.weight');
    expect(ckpt.tensors.get('lm_head.weight')!.storedName).toBe('lm_head.weight');
    const values = q.read();
    for (const i of [0, 3, values.length - 1]) expect(values[i]).toBe(rawValue(q.file, q.storedName, i));
    // Reading into a caller's buffer writes there and returns it.
    const target = new Float32Array(values.length);
    expect(ckpt.read('model.layers.2.self_attn.q_proj.weight', target)).toBe(target);
    expect(target).toEqual(values);
  });

  it('every fixture tensor is covered by the config and vice versa', () => {
    for (const model of ['tiny-a', 'tiny-b', 'tiny-c']) {
      const ckpt = readCheckpoint(path.join(MODELS, model));
      const stored = ckpt.files.flatMap((f) => readSafetensorsHeader(f).entries.map((e) => e.name));
      expect(stored.length).toBe(ckpt.tensors.size);
    }
  });
});

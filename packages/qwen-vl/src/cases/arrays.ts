// Array encoding of the parity vectors: nested JSON lists, `{"shape","data"}`, or a reference
// `{"bin": path relative to the jsonl file, "offset": bytes, "dtype", "shape"}` (little-endian, C order).
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import path from 'node:path';

import { CaseError } from './errors.js';

export interface BinRef {
  bin: string;
  offset?: number;
  dtype: 'float32' | 'int32' | 'uint8';
  shape: number[];
}

export interface DecodedArray {
  shape: number[];
  data: Float32Array | Int32Array | Uint8Array | Float64Array;
}

function isBinRef(value: unknown): value is BinRef {
  return value !== null && typeof value === 'object' && 'bin' in value && 'shape' in value;
}

/** Reads arrays of one cases file; the bins are read once and kept. */
export class ArrayReader {
  private readonly files = new Map<string, Buffer>();
  constructor(readonly baseDir: string) {}

  private file(rel: string): Buffer {
    const full = path.resolve(this.baseDir, rel);
    let buf = this.files.get(full);
    if (buf === undefined) {
      try {
        buf = readFileSync(full);
      } catch (cause) {
        throw new CaseError('BAD_INPUT', `cannot read array file ${full}: ${(cause as Error).message}`);
      }
      this.files.set(full, buf);
    }
    return buf;
  }

  /** Any array encoding → flat data + shape (nested lists must be rectangular). */
  read(value: unknown, field: string): DecodedArray {
    if (isBinRef(value)) {
      const count = value.shape.reduce((a, b) => a * b, 1);
      const offset = value.offset ?? 0;
      const size = value.dtype === 'uint8' ? 1 : 4;
      const buf = this.file(value.bin);
      if (offset + count * size > buf.length) {
        throw new CaseError('BAD_INPUT', `${field}: ${value.bin} holds ${buf.length} bytes, the reference needs ${offset + count * size}`);
      }
      const bytes = new Uint8Array(buf.buffer, buf.byteOffset + offset, count * size).slice();
      const data =
        value.dtype === 'uint8'
          ? bytes
          : value.dtype === 'int32'
            ? new Int32Array(bytes.buffer)
            : value.dtype === 'float32'
              ? new Float32Array(bytes.buffer)
              : null;
      if (data === null) throw new CaseError('BAD_INPUT', `${field}: unknown dtype ${JSON.stringify(value.dtype)}`);
      return { shape: [...value.shape], data };
    }
    if (value !== null && typeof value === 'object' && 'data' in value && 'shape' in value) {
      const v = value as { shape: number[]; data: number[] };
      return { shape: [...v.shape], data: Float64Array.from(v.data) };
    }
    const shape: number[] = [];
    const flat: number[] = [];
    const walk = (x: unknown, depth: number): void => {
      if (Array.isArray(x)) {
        if (shape.length <= depth) shape.push(x.length);
        else if (shape[depth] !== x.length) throw new CaseError('BAD_INPUT', `${field}: ragged nested list`);
        for (const y of x) walk(y, depth + 1);
      } else if (typeof x === 'number') {
        flat.push(x);
      } else {
        throw new CaseError('BAD_INPUT', `${field}: expected numbers, got ${JSON.stringify(x)}`);
      }
    };
    walk(value, 0);
    return { shape, data: Float64Array.from(flat) };
  }
}

/**
 * Writes large output arrays into one float32/int32 bin next to the output file and returns
 * references relative to it.
 */
export class BinWriter {
  private fd: number | null = null;
  private offset = 0;
  constructor(
    private readonly file: string,
    private readonly relName: string,
  ) {}

  write(shape: readonly number[], data: Float32Array | Int32Array): BinRef {
    if (this.fd === null) this.fd = openSync(this.file, 'w');
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    writeSync(this.fd, bytes, 0, bytes.length, this.offset);
    const ref: BinRef = {
      bin: this.relName,
      offset: this.offset,
      dtype: data instanceof Int32Array ? 'int32' : 'float32',
      shape: [...shape],
    };
    this.offset += bytes.length;
    return ref;
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

/** Flat data → nested lists of `shape`. */
export function nest(data: ArrayLike<number>, shape: readonly number[]): unknown {
  if (shape.length === 0) return data[0];
  const build = (offset: number, dim: number): unknown => {
    const n = shape[dim] as number;
    if (dim === shape.length - 1) return Array.from({ length: n }, (_, i) => data[offset + i]);
    const stride = shape.slice(dim + 1).reduce((a, b) => a * b, 1);
    return Array.from({ length: n }, (_, i) => build(offset + i * stride, dim + 1));
  };
  return build(0, 0);
}

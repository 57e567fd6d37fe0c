// Writing safetensors: the header (8-byte length, JSON padded with spaces to a multiple of 8, as the
// safetensors library writes it), then each tensor's bytes contiguously in header order. Data is pulled
// from each source only when its turn comes and encoded in bounded chunks, so saving holds one tensor
// (plus a few MB) beyond what the caller already has.
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';

import { BYTES_PER_ELEMENT, narrowInto, type StoredDtype } from './dtype.js';
import { CheckpointError, quote } from './errors.js';
import { elementCount } from './safetensors.js';

/** A tensor to save: its shape and its float32 values (or a function that yields them when needed). */
export interface TensorSource {
  shape: readonly number[];
  data: Float32Array | (() => Float32Array);
}

/** Anything with a shape and dataSync() — a tf.Tensor or tf.Variable — as a lazily read source. */
export function tensorSource(tensor: { shape: readonly number[]; dataSync(): ArrayLike<number> }): TensorSource {
  return {
    shape: tensor.shape,
    data: () => {
      const values = tensor.dataSync();
      return values instanceof Float32Array ? values : Float32Array.from(values);
    },
  };
}

export interface SafetensorsWriteEntry {
  name: string;
  source: TensorSource;
}

const CHUNK_ELEMENTS = 1 << 20;

export function headerBytes(
  entries: ReadonlyArray<{ name: string; shape: readonly number[] }>,
  dtype: StoredDtype,
  metadata: Record<string, string>,
): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const { name, shape } of entries) {
    const bytes = elementCount(shape) * BYTES_PER_ELEMENT[dtype];
    header[name] = { dtype, shape: [...shape], data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  const encoder = new TextEncoder();
  const padding = (8 - (encoder.encode(json).byteLength % 8)) % 8;
  json += ' '.repeat(padding);
  const body = encoder.encode(json);
  const out = new Uint8Array(8 + body.byteLength);
  new DataView(out.buffer).setBigUint64(0, BigInt(body.byteLength), true);
  out.set(body, 8);
  return out;
}

function writeFully(fd: number, bytes: Uint8Array): void {
  let done = 0;
  while (done < bytes.byteLength) done += writeSync(fd, bytes, done, bytes.byteLength - done);
}

/** Bytes a tensor takes in `dtype`. */
export function storedBytes(shape: readonly number[], dtype: StoredDtype): number {
  return elementCount(shape) * BYTES_PER_ELEMENT[dtype];
}

/**
 * Write one safetensors file (atomically: a temporary sibling renamed into place). Values are stored
 * as `dtype` (float32 rounded to nearest even for F16/BF16). `metadata` defaults to `{format: "pt"}`,
 * which transformers requires.
 */
export function writeSafetensors(
  file: string,
  entries: readonly SafetensorsWriteEntry[],
  options: { dtype?: StoredDtype; metadata?: Record<string, string> } = {},
): void {
  renameSync(writeSafetensorsBeside(file, entries, options), file);
}

/**
 * Write the file under a temporary sibling name and return that name; the caller renames it once
 * every source has been read (sources may be lazy reads of the file being replaced).
 */
export function writeSafetensorsBeside(
  file: string,
  entries: readonly SafetensorsWriteEntry[],
  options: { dtype?: StoredDtype; metadata?: Record<string, string> } = {},
): string {
  const dtype = options.dtype ?? 'F32';
  const metadata = options.metadata ?? { format: 'pt' };
  const header = headerBytes(
    entries.map((e) => ({ name: e.name, shape: e.source.shape })),
    dtype,
    metadata,
  );
  const temporary = `${file}.${process.pid}.tmp`;
  const fd = openSync(temporary, 'w');
  let ok = false;
  try {
    writeFully(fd, header);
    const chunk = new Uint8Array(CHUNK_ELEMENTS * 4);
    for (const { name, source } of entries) {
      const values = typeof source.data === 'function' ? source.data() : source.data;
      const count = elementCount(source.shape);
      if (values.length !== count) {
        throw new CheckpointError(
          'INVALID_ARGUMENT',
          `tensor ${name} for ${quote(file)} has ${values.length} values but shape [${source.shape.join(', ')}] needs ${count}`,
          { file, tensor: name },
        );
      }
      for (let start = 0; start < count; start += CHUNK_ELEMENTS) {
        const n = Math.min(CHUNK_ELEMENTS, count - start);
        const bytes = chunk.subarray(0, n * BYTES_PER_ELEMENT[dtype]);
        narrowInto(dtype, values, start, n, bytes);
        writeFully(fd, bytes);
      }
    }
    fsyncSync(fd);
    ok = true;
  } finally {
    closeSync(fd);
    if (!ok) rmSync(temporary, { force: true });
  }
  return temporary;
}

// The safetensors container: an 8-byte little-endian header length, a JSON header
// `{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {…}}`, then the tensor bytes.
// Reading goes tensor by tensor through positioned file reads: a float32 tensor is read straight into
// the Float32Array it is returned in, a 16-bit one through a fixed-size scratch buffer.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

import { BYTES_PER_ELEMENT, isStoredDtype, type StoredDtype, widen16 } from './dtype.js';
import { CheckpointError, quote } from './errors.js';

/** Largest header we accept; real ones are well under 1 MB (the safetensors library caps at 100 MB). */
const MAX_HEADER_BYTES = 100_000_000;
/** Scratch for 16-bit tensors: bounded so widening a large tensor needs no second full-size buffer. */
const SCRATCH_BYTES = 1 << 22;
/** Node's readSync handles at most 2 GiB per call. */
const MAX_READ_BYTES = 1 << 30;

export interface SafetensorsEntry {
  /** Name as stored in the file. */
  name: string;
  dtype: StoredDtype;
  shape: number[];
  /** Absolute byte position of the data in the file. */
  offset: number;
  byteLength: number;
}

export interface SafetensorsHeader {
  file: string;
  /** In file order (by offset). */
  entries: SafetensorsEntry[];
  metadata: Record<string, string>;
  /** Bytes the header promises (8 + header + data). */
  expectedBytes: number;
  /** Bytes the file actually has. */
  fileBytes: number;
}

export function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

function readFully(fd: number, target: Uint8Array, position: number, file: string, tensor?: string): void {
  let done = 0;
  while (done < target.byteLength) {
    const want = Math.min(target.byteLength - done, MAX_READ_BYTES);
    const got = readSync(fd, target, done, want, position + done);
    if (got === 0) {
      throw new CheckpointError(
        'TRUNCATED_FILE',
        `${quote(file)} ends at byte ${position + done}` +
          (tensor === undefined ? '' : ` inside tensor ${tensor}`) +
          `; the file is incomplete (re-download or re-save it)`,
        tensor === undefined ? { file } : { file, tensor },
      );
    }
    done += got;
  }
}

function invalidHeader(file: string, detail: string, tensor?: string): CheckpointError {
  return new CheckpointError(
    'INVALID_HEADER',
    `${quote(file)}: invalid safetensors header: ${detail}`,
    tensor === undefined ? { file } : { file, tensor },
  );
}

/** A read descriptor for `file`; a FILE_NOT_FOUND CheckpointError (naming `tensor` when given) if it cannot be opened. */
function openForReading(file: string, tensor?: string): number {
  try {
    return openSync(file, 'r');
  } catch (cause) {
    throw new CheckpointError('FILE_NOT_FOUND', `cannot open ${quote(file)}: ${(cause as Error).message}`, tensor === undefined ? { file, cause } : { file, tensor, cause });
  }
}

/** Parse and validate the header of one safetensors file (reads only the header bytes). */
export function readSafetensorsHeader(file: string): SafetensorsHeader {
  const fd = openForReading(file);
  try {
    const fileBytes = fstatSync(fd).size;
    if (fileBytes < 8) {
      throw new CheckpointError('TRUNCATED_FILE', `${quote(file)} has ${fileBytes} bytes, fewer than the 8-byte header length`, {
        file,
      });
    }
    const lengthBytes = new Uint8Array(8);
    readFully(fd, lengthBytes, 0, file);
    const headerLength = Number(new DataView(lengthBytes.buffer).getBigUint64(0, true));
    if (headerLength > MAX_HEADER_BYTES) throw invalidHeader(file, `header length ${headerLength} is implausible`);
    if (8 + headerLength > fileBytes) {
      throw new CheckpointError(
        'TRUNCATED_FILE',
        `${quote(file)} has ${fileBytes} bytes but its header alone needs ${8 + headerLength}; the file is incomplete`,
        { file },
      );
    }
    const headerBytes = new Uint8Array(headerLength);
    readFully(fd, headerBytes, 8, file);
    let parsed: unknown;
    try {
      parsed = JSON.parse(new TextDecoder().decode(headerBytes));
    } catch (cause) {
      throw invalidHeader(file, `header is not JSON (${(cause as Error).message})`);
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw invalidHeader(file, 'header is not an object');
    const dataStart = 8 + headerLength;
    const entries: SafetensorsEntry[] = [];
    let metadata: Record<string, string> = {};
    let dataEnd = 0;
    for (const [name, value] of Object.entries(parsed as Record<string, unknown>)) {
      if (name === '__metadata__') {
        metadata = (value ?? {}) as Record<string, string>;
        continue;
      }
      entries.push(parseEntry(file, name, value, dataStart));
      dataEnd = Math.max(dataEnd, entries[entries.length - 1]!.offset - dataStart + entries[entries.length - 1]!.byteLength);
    }
    entries.sort((a, b) => a.offset - b.offset);
    const expectedBytes = dataStart + dataEnd;
    if (fileBytes < expectedBytes) {
      const cut = entries.find((e) => e.offset + e.byteLength > fileBytes);
      throw new CheckpointError(
        'TRUNCATED_FILE',
        `${quote(file)} has ${fileBytes} bytes but its header promises ${expectedBytes}` +
          (cut === undefined ? '' : `; tensor ${cut.name} (bytes ${cut.offset}–${cut.offset + cut.byteLength}) is cut off`) +
          `; the file is incomplete (re-download or re-save it)`,
        cut === undefined ? { file } : { file, tensor: cut.name },
      );
    }
    return { file, entries, metadata, expectedBytes, fileBytes };
  } finally {
    closeSync(fd);
  }
}

function parseEntry(file: string, name: string, value: unknown, dataStart: number): SafetensorsEntry {
  if (value === null || typeof value !== 'object') throw invalidHeader(file, `entry ${name} is not an object`, name);
  const { dtype, shape, data_offsets: offsets } = value as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
  if (typeof dtype !== 'string') throw invalidHeader(file, `tensor ${name} has no dtype`, name);
  if (!isStoredDtype(dtype)) {
    throw new CheckpointError(
      'UNSUPPORTED_DTYPE',
      `${quote(file)}: tensor ${name} is stored as ${dtype}; only F32, F16 and BF16 weights are supported ` +
        `(convert the checkpoint, e.g. with torch: model.to(torch.bfloat16).save_pretrained(...))`,
      { file, tensor: name },
    );
  }
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw invalidHeader(file, `tensor ${name} has an invalid shape ${JSON.stringify(shape)}`, name);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isInteger(o) && o >= 0)) {
    throw invalidHeader(file, `tensor ${name} has invalid data_offsets ${JSON.stringify(offsets)}`, name);
  }
  const [begin, end] = offsets as [number, number];
  const byteLength = elementCount(shape as number[]) * BYTES_PER_ELEMENT[dtype];
  if (end - begin !== byteLength) {
    throw invalidHeader(
      file,
      `tensor ${name} (${dtype} ${JSON.stringify(shape)}) needs ${byteLength} bytes but data_offsets span ${end - begin}`,
      name,
    );
  }
  return { name, dtype, shape: shape as number[], offset: dataStart + begin, byteLength };
}

let scratch: Uint8Array | undefined;

/**
 * Read one tensor as float32. With `target` (length = element count) the values are written there and
 * no other full-size buffer is allocated.
 */
export function readSafetensorsTensor(file: string, entry: SafetensorsEntry, target?: Float32Array): Float32Array {
  const count = elementCount(entry.shape);
  if (target !== undefined && target.length !== count) {
    throw new CheckpointError(
      'INVALID_ARGUMENT',
      `${quote(file)}: target for tensor ${entry.name} has ${target.length} elements, the tensor ${count}`,
      { file, tensor: entry.name },
    );
  }
  const out = target ?? new Float32Array(count);
  const fd = openForReading(file, entry.name);
  try {
    if (entry.dtype === 'F32') {
      readFully(fd, new Uint8Array(out.buffer, out.byteOffset, count * 4), entry.offset, file, entry.name);
      return out;
    }
    scratch ??= new Uint8Array(SCRATCH_BYTES);
    const perChunk = SCRATCH_BYTES / 2;
    for (let start = 0; start < count; start += perChunk) {
      const n = Math.min(perChunk, count - start);
      const chunk = scratch.subarray(0, n * 2);
      readFully(fd, chunk, entry.offset + start * 2, file, entry.name);
      widen16(entry.dtype, chunk, n, out, start);
    }
    return out;
  } finally {
    closeSync(fd);
  }
}

// Reads parity cases in the vectors' format (nested lists or {bin, offset, dtype, shape} references).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { FrameStack } from '@video-r1/video-io';

export interface BinRef {
  bin: string;
  offset: number;
  dtype: 'float32' | 'int32' | 'uint8';
  shape: number[];
}

export interface VectorCase {
  id: string;
  kind: string;
  model: string;
  input: Record<string, unknown>;
  expect: Record<string, unknown>;
  tol: Record<string, { rtol?: number; atol?: number }>;
}

export function readCases(file: string, kinds?: readonly string[]): VectorCase[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as VectorCase)
    .filter((c) => !kinds || kinds.includes(c.kind));
}

const blobCache = new Map<string, Buffer>();
function blob(file: string): Buffer {
  let b = blobCache.get(file);
  if (!b) {
    b = readFileSync(file);
    blobCache.set(file, b);
  }
  return b;
}

export const isBinRef = (v: unknown): v is BinRef => typeof v === 'object' && v !== null && 'bin' in v && 'shape' in v;

/** The flat values of a reference, as float64. */
export function readRef(ref: BinRef, dir: string): Float64Array {
  const buf = blob(path.resolve(dir, ref.bin));
  const n = ref.shape.reduce((a, b) => a * b, 1);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    out[i] = ref.dtype === 'float32' ? buf.readFloatLE(ref.offset + 4 * i) : ref.dtype === 'int32' ? buf.readInt32LE(ref.offset + 4 * i) : (buf[ref.offset + i] as number);
  }
  return out;
}

/** uint8 frames `[T, H, W, 3]` as a FrameStack (a copy). */
export function readFrames(ref: BinRef, dir: string): FrameStack {
  const buf = blob(path.resolve(dir, ref.bin));
  const [frames, height, width] = ref.shape as [number, number, number, number];
  const n = frames * height * width * 3;
  return { data: new Uint8Array(buf.subarray(ref.offset, ref.offset + n)), frames, height, width };
}

/** Largest `|out − exp| / (atol + rtol·|exp|)`; Infinity on a size mismatch. */
export function worstRatio(out: ArrayLike<number>, exp: ArrayLike<number>, tol: { rtol?: number; atol?: number }): number {
  if (out.length !== exp.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < exp.length; i++) {
    const e = exp[i] as number;
    const allowed = (tol.atol ?? 0) + (tol.rtol ?? 0) * Math.abs(e);
    const err = Math.abs((out[i] as number) - e);
    const r = allowed > 0 ? err / allowed : err === 0 ? 0 : Infinity;
    if (!(r <= worst)) worst = r;
  }
  return worst;
}

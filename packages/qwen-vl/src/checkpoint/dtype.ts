// Stored dtypes and their exact widening to float32 / rounding from float32 (round to nearest even,
// as torch's `.to(torch.bfloat16)` / `.half()` do).

export type StoredDtype = 'F32' | 'F16' | 'BF16';

export const BYTES_PER_ELEMENT: Readonly<Record<StoredDtype, number>> = { F32: 4, F16: 2, BF16: 2 };

export function isStoredDtype(value: unknown): value is StoredDtype {
  return value === 'F32' || value === 'F16' || value === 'BF16';
}

let halfTable: Float32Array | undefined;

/** All 65536 half-precision values as float32 (exact: every f16 is representable in f32). */
function halfToFloatTable(): Float32Array {
  if (halfTable !== undefined) return halfTable;
  const table = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const exponent = (h >> 10) & 0x1f;
    const mantissa = h & 0x3ff;
    let value: number;
    if (exponent === 0) value = mantissa * 2 ** -24;
    else if (exponent === 31) value = mantissa === 0 ? Infinity : NaN;
    else value = (1 + mantissa / 1024) * 2 ** (exponent - 15);
    table[h] = sign * value;
  }
  halfTable = table;
  return table;
}

/** Widen `count` 16-bit values from `src` (little-endian bytes) into `dst` starting at `dstOffset`. */
export function widen16(dtype: 'F16' | 'BF16', src: Uint8Array, count: number, dst: Float32Array, dstOffset: number): void {
  const halves = new Uint16Array(src.buffer, src.byteOffset, count);
  if (dtype === 'BF16') {
    const bits = new Uint32Array(dst.buffer, dst.byteOffset + dstOffset * 4, count);
    for (let i = 0; i < count; i++) bits[i] = (halves[i] as number) << 16;
    return;
  }
  const table = halfToFloatTable();
  for (let i = 0; i < count; i++) dst[dstOffset + i] = table[halves[i] as number] as number;
}

const scratchF32 = new Float32Array(1);
const scratchU32 = new Uint32Array(scratchF32.buffer);

/** float32 → bfloat16 bits, round to nearest even; NaN stays a (quiet) NaN. */
export function floatToBf16Bits(value: number): number {
  scratchF32[0] = value;
  const bits = scratchU32[0] as number;
  if ((bits & 0x7f800000) === 0x7f800000 && (bits & 0x7fffff) !== 0) return ((bits >>> 16) | 0x40) & 0xffff;
  const rounded = bits + 0x7fff + ((bits >>> 16) & 1);
  return (rounded >>> 16) & 0xffff;
}

/** float32 → IEEE half bits, round to nearest even, overflow to ±Inf, subnormals kept. */
export function floatToHalfBits(value: number): number {
  scratchF32[0] = value;
  const bits = scratchU32[0] as number;
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  const mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa !== 0 ? 0x200 : 0);
  const e = exponent - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    // Subnormal half: shift the full significand (implicit 1 included) and round to nearest even.
    const significand = mantissa | 0x800000;
    const shift = 14 - e;
    const half = significand >>> shift;
    const remainder = significand & ((1 << shift) - 1);
    const midpoint = 1 << (shift - 1);
    const up = remainder > midpoint || (remainder === midpoint && (half & 1) === 1);
    return sign | (half + (up ? 1 : 0));
  }
  const half = (e << 10) | (mantissa >>> 13);
  const remainder = mantissa & 0x1fff;
  const up = remainder > 0x1000 || (remainder === 0x1000 && (half & 1) === 1);
  // A carry out of the mantissa correctly bumps the exponent (and reaches Inf at the top).
  return sign | (half + (up ? 1 : 0));
}

/** Encode float32 values into little-endian bytes of `dtype`, into `dst` (length count · bytes). */
export function narrowInto(dtype: StoredDtype, src: Float32Array, start: number, count: number, dst: Uint8Array): void {
  if (dtype === 'F32') {
    dst.set(new Uint8Array(src.buffer, src.byteOffset + start * 4, count * 4));
    return;
  }
  const out = new Uint16Array(dst.buffer, dst.byteOffset, count);
  const encode = dtype === 'BF16' ? floatToBf16Bits : floatToHalfBits;
  for (let i = 0; i < count; i++) out[i] = encode(src[start + i] as number);
}

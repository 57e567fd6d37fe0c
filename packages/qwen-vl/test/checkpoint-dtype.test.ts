import { describe, expect, it } from 'vitest';

import { floatToBf16Bits, floatToHalfBits, widen16 } from '../src/checkpoint/dtype.js';

function widen(dtype: 'F16' | 'BF16', bits: number[]): number[] {
  const src = new Uint8Array(new Uint16Array(bits).buffer);
  const out = new Float32Array(bits.length);
  widen16(dtype, src, bits.length, out, 0);
  return [...out];
}

describe('16-bit dtypes', () => {
  it('widens IEEE half values exactly', () => {
    expect(widen('F16', [0x3c00, 0xc000, 0x0001, 0x03ff, 0x7bff, 0x7c00, 0xfc00, 0x8000])).toEqual([
      1, -2, 2 ** -24, 1023 * 2 ** -24, 65504, Infinity, -Infinity, -0,
    ]);
    expect(Number.isNaN(widen('F16', [0x7e00])[0])).toBe(true);
  });

  it('widens bfloat16 as the top half of a float32', () => {
    expect(widen('BF16', [0x3f80, 0xc040, 0x0001, 0x7f80])).toEqual([1, -3, 2 ** -133, Infinity]);
  });

  it('rounds float32 to half to nearest even, with subnormals and overflow', () => {
    expect(floatToHalfBits(1 + 2 ** -11)).toBe(0x3c00); // tie → even
    expect(floatToHalfBits(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie → even (up)
    expect(floatToHalfBits(1 + 2 ** -11 + 2 ** -20)).toBe(0x3c01);
    expect(floatToHalfBits(65520)).toBe(0x7c00); // rounds past the largest finite half
    expect(floatToHalfBits(65519)).toBe(0x7bff);
    expect(floatToHalfBits(2 ** -25)).toBe(0x0000); // tie between 0 and the smallest subnormal → 0
    expect(floatToHalfBits(3 * 2 ** -26)).toBe(0x0001);
    expect(floatToHalfBits(-(2 ** -14) * 0.75)).toBe(0x8000 | 0x0300);
    expect(floatToHalfBits(Number.NaN) & 0x7c00).toBe(0x7c00);
  });

  it('rounds float32 to bfloat16 to nearest even', () => {
    expect(floatToBf16Bits(1 + 2 ** -8)).toBe(0x3f80);
    expect(floatToBf16Bits(1 + 3 * 2 ** -8)).toBe(0x3f82);
    expect(floatToBf16Bits(1 + 2 ** -8 + 2 ** -20)).toBe(0x3f81);
    expect(floatToBf16Bits(Number.NaN) & 0x7f80).toBe(0x7f80);
  });

  it('every finite half survives widen → narrow', () => {
    const bits = Array.from({ length: 65536 }, (_, i) => i).filter((h) => (h & 0x7c00) !== 0x7c00);
    const values = widen('F16', bits);
    const back = values.map((v) => floatToHalfBits(v));
    expect(back).toEqual(bits);
  });
});

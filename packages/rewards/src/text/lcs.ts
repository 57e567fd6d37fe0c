import { matchMasks, popcount32 } from './bitset.js';

let vBuffer = new Int32Array(64);

/**
 * Length of the longest common subsequence of two id sequences — the value of
 * rouge_score's `_lcs_table(ref, can)[-1][-1]` — with the bit-parallel algorithm of
 * Allison–Dix / Hyyrö: O(⌈m/32⌉·n) word operations, m the shorter length.
 */
export function lcsLength(first: Int32Array, second: Int32Array, alphabetSize: number): number {
  const pattern = first.length <= second.length ? first : second;
  const text = pattern === first ? second : first;
  const m = pattern.length;
  if (m === 0) return 0;
  const words = (m + 31) >>> 5;
  const { masks, row } = matchMasks(pattern, alphabetSize, words);

  if (words === 1) {
    // V holds a 0 bit for every pattern row where the LCS length steps up.
    let v = -1;
    for (let j = 0; j < text.length; j++) {
      const r = row[text[j] as number] as number;
      const u = r < 0 ? 0 : v & (masks[r] as number);
      v = (v + u) | (v & ~u);
    }
    const rowMask = m === 32 ? -1 : (1 << m) - 1;
    return popcount32(~v & rowMask);
  }

  if (vBuffer.length < words) vBuffer = new Int32Array(Math.max(words, vBuffer.length * 2));
  const v = vBuffer.subarray(0, words);
  v.fill(-1);
  for (let j = 0; j < text.length; j++) {
    // Once every pattern row has stepped up the LCS is m and cannot grow: stop early.
    if ((j & 1023) === 1023 && countSteps(v, m) === m) return m;
    const r = row[text[j] as number] as number;
    // A symbol absent from the pattern matches nothing: V is unchanged.
    if (r < 0) continue;
    const base = r * words;
    let carry = 0;
    for (let w = 0; w < words; w++) {
      const vw = v[w] as number;
      const u = vw & (masks[base + w] as number);
      const sum = (vw >>> 0) + (u >>> 0) + carry;
      carry = sum > 0xffffffff ? 1 : 0;
      v[w] = sum | (vw & ~u);
    }
  }
  return countSteps(v, m);
}

/** The LCS so far: the 0 bits of V over the m pattern rows. */
function countSteps(v: Int32Array, m: number): number {
  const words = v.length;
  let lcs = 0;
  for (let w = 0; w < words; w++) {
    const rows = w === words - 1 ? m - 32 * w : 32;
    const rowMask = rows === 32 ? -1 : (1 << rows) - 1;
    lcs += popcount32(~(v[w] as number) & rowMask);
  }
  return lcs;
}

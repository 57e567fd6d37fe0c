import type { tf } from '../src/index.js';

/** mulberry32: a generator independent of the one under test (createRng), for test inputs. */
export function seededRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Every backend the suites run on, with both implementations of the fused ops. */
export const BACKEND_IMPLEMENTATIONS = [
  ['cpu', 'graph'],
  ['cpu', 'fused'],
  ['wasm', 'graph'],
  ['wasm', 'fused'],
] as const;

export function values(x: tf.Tensor): number[] {
  return Array.from(x.dataSync());
}

export function expectAllClose(actual: readonly number[], expected: readonly number[], atol = 1e-5): string | undefined {
  if (actual.length !== expected.length) return `length ${actual.length} vs ${expected.length}`;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i] as number;
    const e = expected[i] as number;
    if (!(Math.abs(a - e) <= atol + 1e-4 * Math.abs(e))) return `[${i}] ${a} vs ${e}`;
  }
  return undefined;
}

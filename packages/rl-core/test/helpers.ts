import type { tf } from '@video-r1/tensor';

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

// Seeded weights for test and bench checkpoints (no vitest import, so the benches can use it).

/** Deterministic pseudo-random values (xorshift), in [-1, 1) times `scale`. */
export function pseudoRandom(count: number, seed: number, scale = 1): Float32Array {
  const out = new Float32Array(count);
  let state = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < count; i++) {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    out[i] = (state / 2 ** 31 - 1) * scale;
  }
  return out;
}

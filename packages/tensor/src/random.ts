// The project's one source of randomness: a seeded generator, a string hash to derive seeds,
// and the Fisher–Yates shuffle every package draws its permutations from. Plain JavaScript,
// no TensorFlow: `@video-r1/tensor/random` loads this module alone.

/** A source of uniform numbers in [0, 1): the project's one randomness interface. */
export type Rng = () => number;

export type RandomErrorCode = 'INVALID_SEED' | 'RNG_OUT_OF_RANGE' | 'INVALID_ARGUMENT';

export class RandomError extends Error {
  override readonly name = 'RandomError';
  constructor(
    readonly code: RandomErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * A seeded generator: sfc32 (Chris Doty-Humphrey's Small Fast Counting generator, 128-bit
 * state, passes PractRand to 2^40+ bytes) with its state filled by splitmix32 from `seed` (any
 * safe integer), so nearby seeds give unrelated streams. Returns 32-bit-resolution floats in
 * [0, 1). The same seed gives the same sequence on every platform and Node version.
 */
export function createRng(seed: number): Rng {
  if (!Number.isSafeInteger(seed)) throw new RandomError('INVALID_SEED', `createRng: seed must be a safe integer, got ${seed}`);
  // Fold the high bits in too, so seeds such as Date.now() values stay distinct.
  let mix = ((seed >>> 0) ^ Math.floor(seed / 0x1_0000_0000)) >>> 0;
  const splitmix32 = (): number => {
    mix = (mix + 0x9e3779b9) >>> 0;
    let z = mix;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix32();
  let b = splitmix32();
  let c = splitmix32();
  let counter = splitmix32();
  const next = (): number => {
    const t = (((a + b) >>> 0) + counter) >>> 0;
    counter = (counter + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t;
  };
  // Discard the first outputs, as sfc32's author recommends, so the state is well mixed.
  for (let i = 0; i < 12; i++) next();
  return () => next() / 0x1_0000_0000;
}

/** 32-bit FNV-1a of the UTF-16 code units; stable across runs and platforms (seeds from names, split placement). */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** `createRng(fnv1a(parts.join('/')))`: a generator named by a path such as `seed/stage/step`. */
export function rngFor(...parts: readonly (string | number)[]): Rng {
  return createRng(fnv1a(parts.join('/')));
}

function draw(rng: Rng, caller: string): number {
  const r = rng();
  if (!(r >= 0 && r < 1)) throw new RandomError('RNG_OUT_OF_RANGE', `${caller}: rng() must return a number in [0, 1), got ${r}`);
  return r;
}

/**
 * A random permutation of 0 … n − 1: Fisher–Yates from the end, `j = ⌊rng() · (i + 1)⌋`,
 * n − 1 draws. `permutation[k]` is the original position of the item that lands at k.
 */
export function permutation(n: number, rng: Rng): number[] {
  if (!Number.isInteger(n) || n < 0) throw new RandomError('INVALID_ARGUMENT', `permutation: n must be a non-negative integer, got ${n}`);
  const out = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(draw(rng, 'permutation') * (i + 1));
    const tmp = out[i] as number;
    out[i] = out[j] as number;
    out[j] = tmp;
  }
  return out;
}

/** The items in the order of `permutation(items.length, rng)`; a new array, the input is untouched. */
export function shuffled<T>(items: readonly T[], rng: Rng): T[] {
  return permutation(items.length, rng).map((from) => items[from] as T);
}

/** An integer in [lo, hi], both inclusive (one draw). */
export function randInt(rng: Rng, lo: number, hi: number): number {
  return lo + Math.floor(draw(rng, 'randInt') * (hi - lo + 1));
}

/** One of `items`, uniformly (one draw). */
export function pick<T>(rng: Rng, items: readonly T[]): T {
  if (items.length === 0) throw new RandomError('INVALID_ARGUMENT', 'pick: items is empty');
  return items[Math.floor(draw(rng, 'pick') * items.length)] as T;
}

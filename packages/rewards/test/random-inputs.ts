// Seeded inputs for the tests and the benches, so a failure or a figure reproduces.

/** mulberry32: a small seeded generator in [0, 1). */
export function createRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** About `bytes` characters of random lower-case words of 3 to 9 letters, space-separated. */
export function randomWords(random: () => number, bytes: number): string {
  const words: string[] = [];
  let size = 0;
  while (size < bytes) {
    let word = '';
    const length = 3 + Math.floor(random() * 7);
    for (let i = 0; i < length; i++) word += String.fromCharCode(97 + Math.floor(random() * 26));
    words.push(word);
    size += length + 1;
  }
  return words.join(' ');
}

/**
 * Rewards on 1 MB completions: CPU milliseconds per call, every call on answers it has not seen
 * (fresh random words, so neither the word table nor the stem memo helps), after one warm-up call.
 *
 *   pnpm --filter @video-r1/rewards bench:huge [-- --runs 7]
 */
import { parseArgs } from 'node:util';
import { accuracyReward } from '../src/index.js';
import { createRandom, randomWords as wordsFrom } from '../test/random-inputs.js';

const { values: options } = parseArgs({ options: { runs: { type: 'string', default: '7' } } });
const RUNS = Number(options.runs);

const random = createRandom(1);
const randomWords = (bytes: number): string => wordsFrom(random, bytes);

/** 1 MB of words drawn from `solution`'s words, in random order: every token matches. */
function shuffledWords(solution: string, bytes: number): string {
  const pool = solution.split(' ');
  const words: string[] = [];
  let size = 0;
  while (size < bytes) {
    const word = pool[Math.floor(random() * pool.length)]!;
    words.push(word);
    size += word.length + 1;
  }
  return words.join(' ');
}

const MB = 1 << 20;
const shortSolution = '<answer>The cat sat on the mat, then it was sitting on the mats.</answer>';
const solution10k = randomWords(10_000);
const longSolution = `<answer>${solution10k}</answer>`;
const wrap = (answer: string): string => `<think>…</think><answer>${answer}</answer>`;

function cpuMs(run: () => void): number {
  const before = process.cpuUsage();
  run();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
}

const rows: [string, number[]][] = [];
function row(name: string, problemType: string, solution: string, answer: () => string): void {
  const inputs = Array.from({ length: RUNS + 1 }, () => wrap(answer()));
  const times = inputs.map((completion) => cpuMs(() => accuracyReward({ problemType, completion, solution })));
  rows.push([name, times.slice(1).sort((a, b) => a - b)]);
}

for (const problemType of ['free-form', 'OCR', 'multiple choice', 'numerical', 'regression']) {
  row(`${problemType}, short solution`, problemType, shortSolution, () => randomWords(MB));
  row(`${problemType}, 10 KB solution`, problemType, longSolution, () => randomWords(MB));
}
row('free-form, 10 KB solution, its words shuffled', 'free-form', longSolution, () => shuffledWords(solution10k, MB));
row('free-form, 10 KB solution ×100', 'free-form', longSolution, () => `${solution10k} `.repeat(Math.ceil(MB / solution10k.length)));

console.log(`@video-r1/rewards — 1 MB completions, node ${process.version}, ${RUNS} calls per row (CPU ms)\n`);
console.log(`${'completion / solution'.padEnd(48)} ${'median'.padStart(8)} ${'max'.padStart(8)}`);
for (const [name, times] of rows) {
  console.log(`${name.padEnd(48)} ${times[Math.floor(times.length / 2)]!.toFixed(1).padStart(8)} ${times.at(-1)!.toFixed(1).padStart(8)}`);
}

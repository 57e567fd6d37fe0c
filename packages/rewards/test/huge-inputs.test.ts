/**
 * Huge answers: every reward stays fast on a 1 MB completion, and the shortcuts that make it
 * fast (a stem filter for ROUGE, a WER cap for OCR, early LCS exit, bigram lookup) give exactly
 * the results of the full computation.
 */
import { describe, expect, it } from 'vitest';
import { accuracyReward, porterStem } from '../src/index.js';
import { computeRouge } from '../src/text/rouge.js';
import { cappedWordErrorRate, computeWordError } from '../src/text/wer.js';
import { clearWordTables } from '../src/text/word-ids.js';
import { createRandom, randomWords } from './random-inputs.js';


const LETTERS = 'abcdefghijklmnopqrstuvwxyz0123456789';
const VOWELS = 'aeiouy';
// Every suffix NLTK's Porter rules look at, plus y-forms and chains of them.
const SUFFIXES = [
  's', 'es', 'ies', 'sses', 'ss', 'ed', 'ied', 'eed', 'ing', 'y', 'ly', 'ily', 'ally', 'ably', 'ibly', 'ation', 'ational',
  'tional', 'enci', 'ency', 'anci', 'ancy', 'izer', 'ization', 'ator', 'alism', 'iveness', 'fulness', 'ousness', 'ality',
  'ivity', 'ability', 'bility', 'fully', 'logy', 'logi', 'icate', 'ative', 'alize', 'icity', 'ical', 'ful', 'ness', 'al',
  'ance', 'ence', 'er', 'ic', 'able', 'ible', 'ant', 'ement', 'ment', 'ent', 'ion', 'sion', 'tion', 'ou', 'ism', 'ate',
  'iti', 'ous', 'ive', 'ize', 'e', 'll', 'bl', 'at', 'iz', 'alli', 'entli', 'eli', 'ousli', 'bli', 'yy', 'ying', 'yed',
];

function inflectedWord(random: () => number): string {
  let word = '';
  const stemLength = Math.floor(random() * 6);
  for (let j = 0; j < stemLength; j++) word += random() < 0.4 ? VOWELS[Math.floor(random() * VOWELS.length)] : LETTERS[Math.floor(random() * LETTERS.length)];
  const chain = Math.floor(random() * 4);
  for (let j = 0; j < chain; j++) word += SUFFIXES[Math.floor(random() * SUFFIXES.length)];
  return word;
}

/** CPU milliseconds of the fastest of `runs` calls, each on its own input. */
function fastestMs(inputs: readonly string[], score: (completion: string) => number): number {
  let best = Infinity;
  for (const input of inputs) {
    const before = process.cpuUsage();
    score(input);
    const used = process.cpuUsage(before);
    best = Math.min(best, (used.user + used.system) / 1000);
  }
  return best;
}

describe('the stem filter rests on what Porter can write', () => {
  it('a stem is its word, or its word minus a final e/i/l or "le" plus those letters, and never longer', () => {
    const random = createRandom(11);
    const irregular = new Set(['dying', 'lying', 'tying']);
    const violations: string[] = [];
    let longestStripped = 0;
    for (let i = 0; i < 300_000; i++) {
      const word = inflectedWord(random);
      if (word.length <= 3 || irregular.has(word)) continue;
      const stem = porterStem(word);
      const prefixOk =
        word.startsWith(stem) ||
        (word.startsWith(stem.slice(0, -1)) && 'eil'.includes(stem.at(-1)!)) ||
        (word.startsWith(stem.slice(0, -2)) && stem.endsWith('le'));
      if (!prefixOk || stem.length > word.length) violations.push(`${word} → ${stem}`);
      longestStripped = Math.max(longestStripped, word.length - stem.length);
    }
    expect(violations).toEqual([]);
    expect(longestStripped).toBeLessThanOrEqual(32); // MAX_STRIPPED in word-ids.ts
    expect(longestStripped).toBeGreaterThan(8); // the generator does reach long suffix chains
  });
});

describe('shortcuts give the full computation’s results', () => {
  it('ROUGE through the stem filter equals ROUGE with every token stemmed, either side long', () => {
    const random = createRandom(5);
    const chain = (): string => Array.from({ length: Math.floor(random() * 3) }, () => SUFFIXES[Math.floor(random() * SUFFIXES.length)]).join('');
    for (let round = 0; round < 100; round++) {
      // Both sides inflect the same bases differently (happy / happiness, hope / hoping, …).
      const bases = Array.from({ length: 12 }, () => inflectedWord(random)).filter((w) => w.length > 0);
      const word = (): string => {
        const r = random();
        if (r < 0.05) return ['die', 'dying', 'lie', 'lying', 'tie', 'tying', 'The', 'a', 'İs', 'KELVIN'][Math.floor(random() * 10)]!;
        return r < 0.7 ? bases[Math.floor(random() * bases.length)]! + chain() : inflectedWord(random);
      };
      const short = Array.from({ length: 1 + Math.floor(random() * 30) }, word).join(' ');
      const long = Array.from({ length: 200 + Math.floor(random() * 800) }, word).join(random() < 0.5 ? ' ' : ', ');
      // Filtered first, on empty word tables: no token's stem may come from an earlier call.
      clearWordTables();
      const filteredForward = computeRouge(short, long);
      clearWordTables();
      const filteredBackward = computeRouge(long, short);
      expect(filteredForward).toEqual(computeRouge(short, long, { filter: false }));
      expect(filteredBackward).toEqual(computeRouge(long, short, { filter: false }));
    }
  });

  it('the capped WER is the WER wherever it is below 1, and 1 elsewhere', () => {
    const random = createRandom(9);
    const vocabulary = ['a', 'b', 'c', 'd', 'e', 'f', 'A', 'b.'];
    const text = (n: number): string => Array.from({ length: n }, () => vocabulary[Math.floor(random() * vocabulary.length)]).join(' ');
    for (let round = 0; round < 500; round++) {
      const reference = text(Math.floor(random() * 12));
      const hypothesis = text(Math.floor(random() * 30));
      expect(cappedWordErrorRate(reference, hypothesis)).toBe(Math.min(1, computeWordError(reference, hypothesis).wer));
    }
  });
});

describe('every reward stays fast on a 1 MB completion', () => {
  // Fresh words every call, so neither the word table nor the stem memo has seen them; the old
  // code (every token stemmed, every bigram sorted, the full WER table) took 75–450 ms here.
  const random = createRandom(3);
  const answers = Array.from({ length: 3 }, () => `<think>…</think><answer>${randomWords(random, 1 << 20)}</answer>`);
  const shortSolution = '<answer>The cat sat on the mat, then it was sitting on the mats.</answer>';
  const longSolution = `<answer>${randomWords(random, 10_000)}</answer>`;
  // README: 10–17 ms on the 2-core build machine; the old code took 250+ ms on these inputs there.
  const BOUND_MS = 80;
  const warmUp = `<answer>${randomWords(random, 1 << 20)}</answer>`;

  for (const problemType of ['free-form', 'OCR', 'multiple choice', 'numerical', 'regression']) {
    it(`${problemType}: under ${BOUND_MS} ms against a short and a 10 KB solution`, () => {
      for (const solution of [shortSolution, longSolution]) {
        accuracyReward({ problemType, completion: warmUp, solution }); // compiled before it is timed
        const ms = fastestMs(answers, (completion) => accuracyReward({ problemType, completion, solution }));
        expect(ms, `${problemType}, ${solution.length}-character solution`).toBeLessThan(BOUND_MS);
      }
    });
  }
});

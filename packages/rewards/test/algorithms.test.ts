import { describe, expect, it } from 'vitest';
import { porterStem, rougeScore, rougeTokens, wordErrorDetails, wordErrorRate } from '../src/index.js';
import { editDistance } from '../src/text/edit-distance.js';
import { lcsLength } from '../src/text/lcs.js';
import { createRandom } from './random-inputs.js';


function randomSequence(random: () => number, length: number, alphabet: number): Int32Array {
  const out = new Int32Array(length);
  for (let i = 0; i < length; i++) out[i] = Math.floor(random() * alphabet);
  return out;
}

/** The textbook O(m·n) tables, as Video-R1's wer and rouge_score's _lcs_table compute them. */
function levenshteinTable(a: Int32Array, b: Int32Array): number {
  const d: number[][] = [];
  for (let i = 0; i <= a.length; i++) d.push(Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const row = d[i] as number[];
      const up = d[i - 1] as number[];
      row[j] = a[i - 1] === b[j - 1] ? (up[j - 1] as number) : 1 + Math.min(up[j] as number, row[j - 1] as number, up[j - 1] as number);
    }
  }
  return (d[a.length] as number[])[b.length] as number;
}

function lcsTable(a: Int32Array, b: Int32Array): number {
  let previous = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    const current = new Array<number>(b.length + 1).fill(0);
    for (let j = 1; j <= b.length; j++) {
      current[j] = a[i - 1] === b[j - 1] ? (previous[j - 1] as number) + 1 : Math.max(previous[j] as number, current[j - 1] as number);
    }
    previous = current;
  }
  return previous[b.length] as number;
}

describe('bit-parallel dynamic programs agree with the O(m·n) tables', () => {
  // Lengths straddle the 32-bit block edges (single block, exact multiples, several blocks).
  const lengths = [0, 1, 2, 5, 31, 32, 33, 63, 64, 65, 97, 130];

  it('editDistance (Myers / Hyyrö, blocked)', () => {
    const random = createRandom(11);
    for (let trial = 0; trial < 400; trial++) {
      const alphabet = 1 + Math.floor(random() * 6);
      const a = randomSequence(random, lengths[trial % lengths.length] as number, alphabet);
      const b = randomSequence(random, lengths[Math.floor(random() * lengths.length)] as number, alphabet);
      expect(editDistance(a, b, alphabet), `trial ${trial}`).toBe(levenshteinTable(a, b));
    }
  });

  it('lcsLength (Allison–Dix / Hyyrö, multi-word carry)', () => {
    const random = createRandom(12);
    for (let trial = 0; trial < 400; trial++) {
      const alphabet = 1 + Math.floor(random() * 6);
      const a = randomSequence(random, lengths[trial % lengths.length] as number, alphabet);
      const b = randomSequence(random, lengths[Math.floor(random() * lengths.length)] as number, alphabet);
      expect(lcsLength(a, b, alphabet), `trial ${trial}`).toBe(lcsTable(a, b));
    }
  });
});

describe('porterStem (NLTK 3.8 PorterStemmer, NLTK_EXTENSIONS)', () => {
  // Outputs of nltk.stem.porter.PorterStemmer().stem(word) under NLTK 3.8.
  const expected: Record<string, string> = {
    caresses: 'caress', ponies: 'poni', ties: 'tie', cats: 'cat', feed: 'feed', agreed: 'agre',
    plastered: 'plaster', motoring: 'motor', conflated: 'conflat', troubled: 'troubl', sized: 'size',
    hopping: 'hop', tanned: 'tan', falling: 'fall', hissing: 'hiss', fizzed: 'fizz', failing: 'fail',
    filing: 'file', happy: 'happi', sky: 'sky', relational: 'relat', conditional: 'condit',
    rational: 'ration', valenci: 'valenc', digitizer: 'digit', conformabli: 'conform', radicalli: 'radic',
    differentli: 'differ', vileli: 'vile', analogousli: 'analog', vietnamization: 'vietnam',
    predication: 'predic', operator: 'oper', feudalism: 'feudal', decisiveness: 'decis',
    hopefulness: 'hope', callousness: 'callous', formaliti: 'formal', sensitiviti: 'sensit',
    sensibiliti: 'sensibl', triplicate: 'triplic', formative: 'form', formalize: 'formal',
    electriciti: 'electr', electrical: 'electr', hopeful: 'hope', goodness: 'good', revival: 'reviv',
    allowance: 'allow', inference: 'infer', airliner: 'airlin', gyroscopic: 'gyroscop',
    adjustable: 'adjust', defensible: 'defens', irritant: 'irrit', replacement: 'replac',
    adjustment: 'adjust', dependent: 'depend', adoption: 'adopt', homologou: 'homolog',
    communism: 'commun', activate: 'activ', angulariti: 'angular', homologous: 'homolog',
    effective: 'effect', bowdlerize: 'bowdler', probate: 'probat', rate: 'rate', cease: 'ceas',
    controll: 'control', roll: 'roll', generously: 'gener', dying: 'die', lying: 'lie', skies: 'sky',
    canning: 'canning', proceed: 'proceed', spied: 'spi', died: 'die', flies: 'fli', dies: 'die',
    enjoy: 'enjoy', fly: 'fli', archaeology: 'archaeolog', geology: 'geolog', innings: 'inning',
    news: 'news', '1990s': '1990', syzygy: 'syzygi', yyyy: 'yyyi', abyss: 'abyss',
  };

  it.each(Object.entries(expected))('%s → %s', (word, stem) => {
    expect(porterStem(word)).toBe(stem);
  });

  it("throws where NLTK's recursive consonant test would exceed Python's recursion limit", () => {
    expect(porterStem('y'.repeat(900))).toBe(`${'y'.repeat(899)}i`);
    expect(() => porterStem('y'.repeat(5000))).toThrow(/recursion limit/);
  });
});

describe('ROUGE (rouge_score) and WER (Video-R1 wer)', () => {
  it('tokenizes like rouge_score: lower(), [a-z0-9] runs, İ and K (Kelvin) fold to ASCII', () => {
    expect(rougeTokens('The CATS are running—fast! İstanbul \u212Aelvin 3.14', { stem: false })).toEqual([
      'the', 'cats', 'are', 'running', 'fast', 'i', 'stanbul', 'kelvin', '3', '14',
    ]);
    expect(rougeTokens('The cats are running')).toEqual(['the', 'cat', 'are', 'run']);
  });

  it('scores ROUGE-1/2/L like rouge_score (worked example)', () => {
    // target tokens: the quick brown fox jump over the lazi dog; prediction: the quick brown dog jump on the log
    const result = rougeScore('The quick brown fox jumps over the lazy dog', 'The quick brown dog jumps on the log.');
    expect(result.rouge1.precision).toBeCloseTo(6 / 8, 15);
    expect(result.rouge1.recall).toBeCloseTo(6 / 9, 15);
    expect(result.rouge2.fmeasure).toBeCloseTo((2 * (2 / 7) * (2 / 8)) / (2 / 7 + 2 / 8), 15);
    expect(result.rougeL.precision).toBeCloseTo(5 / 8, 15);
    expect(result.averageFmeasure).toBeCloseTo((result.rouge1.fmeasure + result.rouge2.fmeasure + result.rougeL.fmeasure) / 3, 15);
  });

  it('gives 0 for empty token lists', () => {
    expect(rougeScore('', '').averageFmeasure).toBe(0);
    expect(rougeScore('!!!', 'a b').averageFmeasure).toBe(0);
  });

  it('computes WER on Python str.split() words, unclamped', () => {
    expect(wordErrorRate('a b c', 'a x c')).toBeCloseTo(1 / 3, 15);
    expect(wordErrorRate('', '')).toBe(0);
    expect(wordErrorRate('', 'a b')).toBe(2);
    expect(wordErrorRate('a\x1cb', 'a b')).toBe(0); // \x1c separates words in Python
    expect(wordErrorRate('a\ufeffb', 'a b')).toBe(2); // BOM does not
    expect(wordErrorDetails('one two three four', 'two three five six seven')).toMatchObject({
      distance: 4,
      referenceLength: 4,
      hypothesisLength: 5,
    });
  });
});

describe('the id-based scorer agrees with the string tokenizer', () => {
  /** ROUGE as rouge_score computes it, on token strings: Counters for n-grams, a DP table for LCS. */
  function naiveRouge(target: string[], prediction: string[]): number {
    const f = (p: number, r: number) => (p + r > 0 ? (2 * p * r) / (p + r) : 0);
    const ngram = (n: number) => {
      const count = (tokens: string[]) => {
        const counts = new Map<string, number>();
        for (let i = 0; i + n <= tokens.length; i++) {
          const key = tokens.slice(i, i + n).join(' ');
          counts.set(key, (counts.get(key) ?? 0) + 1);
        }
        return counts;
      };
      const t = count(target);
      const p = count(prediction);
      let overlap = 0;
      for (const [key, c] of t) overlap += Math.min(c, p.get(key) ?? 0);
      const tc = Math.max(target.length - n + 1, 0);
      const pc = Math.max(prediction.length - n + 1, 0);
      return f(overlap / Math.max(pc, 1), overlap / Math.max(tc, 1));
    };
    const ids = new Map<string, number>();
    const toIds = (tokens: string[]) => Int32Array.from(tokens, (t) => ids.get(t) ?? (ids.set(t, ids.size), ids.size - 1));
    const a = toIds(target);
    const b = toIds(prediction);
    const lcs = a.length === 0 || b.length === 0 ? 0 : lcsTable(a, b);
    const rougeL = a.length === 0 || b.length === 0 ? 0 : f(lcs / b.length, lcs / a.length);
    return (ngram(1) + ngram(2) + rougeL) / 3;
  }

  it('on the free-form answers of the parity fixture', async () => {
    const { loadFixture } = await import('./fixtures.js');
    const { extractAnswer } = await import('../src/index.js');
    const differing: string[] = [];
    for (const c of loadFixture('public.jsonl').filter((x) => x.problemType === 'free-form')) {
      const target = extractAnswer(c.solution as string);
      const prediction = extractAnswer(c.completion as string);
      const expected = naiveRouge(rougeTokens(target), rougeTokens(prediction));
      if (Math.abs(rougeScore(target, prediction).averageFmeasure - expected) > 1e-12) differing.push(c.id);
    }
    expect(differing).toEqual([]);
  });
});

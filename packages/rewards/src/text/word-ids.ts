import { isPythonWhitespace } from '../python/whitespace.js';
import { porterStem } from './porter.js';
import { HASH_SEED, WordTable, hashStep } from './word-table.js';

/**
 * Texts → integer id sequences for the scorers. Ids are stable across calls (a vocabulary
 * that persists), so a word seen before is recognised without building a string; the
 * vocabularies are bounded and reset between calls when they grow too large. Only words
 * are memoised — never whole inputs or results.
 */

/** A growable list of ids; `ids` is valid up to `length`. */
export class IdList {
  ids = new Int32Array(64);
  length = 0;

  push(id: number): void {
    if (this.length === this.ids.length) {
      const bigger = new Int32Array(this.ids.length * 2);
      bigger.set(this.ids);
      this.ids = bigger;
    }
    this.ids[this.length++] = id;
  }

  reset(): void {
    this.length = 0;
  }
}

const MAX_WORDS = 200_000;
const MAX_WORD_CHARS = 8_000_000;

// --- ROUGE: rouge_score's tokens, stemmed, as ids of their stems -------------------------

/**
 * A code unit as rouge_score's tokenizer sees it after Python's `lower()`: a-z and 0-9 stay,
 * A-Z fold to a-z, U+212A (Kelvin) is 'k' and U+0130 (İ) is 'i' (its lower-case form
 * 'i' + U+0307 ends the token); everything else separates tokens (0).
 */
const ASCII_FOLD = new Uint8Array(128);
for (let c = 48; c <= 57; c++) ASCII_FOLD[c] = c;
for (let c = 97; c <= 122; c++) ASCII_FOLD[c] = c;
for (let c = 65; c <= 90; c++) ASCII_FOLD[c] = c + 32;

export function foldRougeChar(c: number): number {
  if (c < 128) return ASCII_FOLD[c] as number;
  if (c === 0x212a) return 107;
  if (c === 0x130) return 105;
  return 0;
}

/**
 * End of the rouge_score token that starts at `start` (a character `foldRougeChar` keeps): the run
 * of kept characters, cut right after a U+0130, whose lower case ends in a combining dot.
 */
export function rougeTokenEnd(text: string, start: number): number {
  const n = text.length;
  let i = start;
  let c = text.charCodeAt(i);
  for (;;) {
    i++;
    if (c === 0x130 || i >= n) return i;
    c = text.charCodeAt(i);
    if (foldRougeChar(c) === 0) return i;
  }
}

const rougeWords = new WordTable(); // folded token → id of its stem
const stemIds = new Map<string, number>();
const stemOfId: string[] = []; // id → stem

/**
 * The id of tokens that a `StemFilter` proved cannot match the other text. Local ids give all
 * of them one symbol that the other side never holds.
 */
export const ABSENT_ID = -1;

/**
 * The token `text[start, end)` as rouge_score sees it (lower-cased), as a string of its own.
 * Only ASCII letters and digits, U+212A and a final U+0130 can occur in a token range.
 */
export function rougeTokenText(text: string, start: number, end: number): string {
  const raw = text.slice(start, end);
  let word: string;
  if (text.charCodeAt(end - 1) === 0x130) word = `${raw.slice(0, -1).toLowerCase()}i`;
  else word = raw.toLowerCase(); // JavaScript also maps U+212A to 'k'
  return detached(word);
}

/**
 * `s` as a string that does not share memory with a larger one. V8 represents slices of 13 or
 * more characters as views that keep the whole source (possibly a megabyte-long completion)
 * alive; the tables below outlive the call, so their keys must be copies. Prefixing a
 * character forces a flat copy, which the final slice then views.
 */
export function detached(s: string): string {
  return s.length < 13 ? s : ` ${s}`.slice(1);
}

function addRougeWord(text: string, start: number, end: number, hash: number): number {
  const word = rougeTokenText(text, start, end);
  // rouge_score stems only tokens longer than 3 characters. May throw StemmerRecursionError.
  const stem = word.length > 3 ? porterStem(word) : word;
  let id = stemIds.get(stem);
  if (id === undefined) {
    id = stemIds.size;
    stemIds.set(stem, id);
    stemOfId.push(stem);
  }
  rougeWords.insert(word, hash, id);
  return id;
}

/** Forgets every word seen (tests use it so that nothing is answered from memory). */
export function clearWordTables(): void {
  rougeWords.clear();
  stemIds.clear();
  stemOfId.length = 0;
  splitWords.clear();
}

/** Call once before tokenizing the texts of one score, so ids stay consistent within it. */
export function beginRougeScore(): void {
  if (rougeWords.size > MAX_WORDS || rougeWords.characters > MAX_WORD_CHARS) {
    rougeWords.clear();
    stemIds.clear();
    stemOfId.length = 0;
  }
}

/** Appends the stem ids of rouge_score's tokens of `text` to `out`. */
export function rougeStemIds(text: string, out: IdList): void {
  const n = text.length;
  let i = 0;
  while (i < n) {
    let c = text.charCodeAt(i);
    let folded = foldRougeChar(c);
    if (folded === 0) {
      i++;
      continue;
    }
    const start = i;
    let hash = HASH_SEED;
    for (;;) {
      hash = hashStep(hash, folded);
      i++;
      if (c === 0x130 || i >= n) break;
      c = text.charCodeAt(i);
      folded = foldRougeChar(c);
      if (folded === 0) break;
    }
    let id = rougeWords.find(text, start, i, hash, foldRougeChar);
    if (id < 0) id = addRougeWord(text, start, i, hash);
    out.push(id);
  }
}

/**
 * Which tokens of a long text can stem to one of the stems of another text, decided from the
 * token's characters without stemming it. Porter (NLTK) only rewrites a word's end, and what
 * it writes there that the word did not hold is at most an 'e' or 'i' (one letter: +e of step
 * 1b, Y→I, ENCI→ENCE, ATION→ATE, …) or 'le' (BILITI→BLE; 'l' after step 5 drops the 'e'): so
 * stem(w) = s implies that w starts with s, with s minus a final e/i/l, or with s minus a final
 * 'le' — except the irregular forms dying/lying/tying, added as whole words — and that
 * len(s) ≤ len(w) ≤ len(s) + MAX_STRIPPED. test/huge-inputs.test.ts checks this over
 * millions of generated words. Tokens that start with no such prefix (within the length
 * window) get `ABSENT_ID` and are never stemmed or stored; everything else is stemmed as usual.
 */
const MAX_STRIPPED = 32;
/** Longer tokens are always stemmed: only they can hold the y-runs whose stemming raises (see porter.ts). */
const ALWAYS_STEM_LENGTH = 512;
const IRREGULAR_SOURCES: readonly (readonly [word: string, stem: string])[] = [
  ['dying', 'die'],
  ['lying', 'lie'],
  ['tying', 'tie'],
];

/** Folded token characters (0-9, a-z) as symbols 0..35, for the first-characters bitmaps. */
const SYMBOLS = 36;
const SYMBOL = new Int8Array(128).fill(-1);
for (let c = 48; c <= 57; c++) SYMBOL[c] = c - 48;
for (let c = 97; c <= 122; c++) SYMBOL[c] = c - 87;

export class StemFilter {
  private readonly prefixes = new WordTable(); // prefix → index into minLength/maxLength
  private minLength: number[] = [];
  private maxLength: number[] = [];
  /** hasLength[L] = 1 when some prefix has L characters. */
  private hasLength = new Uint8Array(64);
  private longestPrefix = 0;
  /** Which first one, two or three symbols some prefix (of at least that length) starts with. */
  private readonly firstSymbols = new Uint8Array(SYMBOLS);
  private readonly firstPairs = new Uint8Array(SYMBOLS * SYMBOLS);
  private readonly firstTriples = new Uint8Array(SYMBOLS * SYMBOLS * SYMBOLS);

  /** Admits the tokens that may stem to one of `ids` (stem ids of `rougeStemIds`). */
  build(ids: IdList): void {
    this.prefixes.clear();
    this.minLength = [];
    this.maxLength = [];
    this.hasLength.fill(0);
    this.firstSymbols.fill(0);
    this.firstPairs.fill(0);
    this.firstTriples.fill(0);
    this.longestPrefix = -1;
    const seen = new Set<number>();
    for (let i = 0; i < ids.length; i++) {
      const id = ids.ids[i] as number;
      if (seen.has(id)) continue;
      seen.add(id);
      const stem = stemOfId[id] as string;
      const window: [number, number] = [stem.length, stem.length + MAX_STRIPPED];
      this.add(stem, window);
      const last = stem.charCodeAt(stem.length - 1);
      if (last === 101 /* e */ || last === 105 /* i */ || last === 108 /* l */) this.add(stem.slice(0, -1), window);
      if (stem.endsWith('le')) this.add(stem.slice(0, -2), window);
      for (const [word, irregularStem] of IRREGULAR_SOURCES) if (irregularStem === stem) this.add(word, [word.length, word.length]);
    }
  }

  private add(prefix: string, [min, max]: [number, number]): void {
    let hash = HASH_SEED;
    for (let i = 0; i < prefix.length; i++) hash = hashStep(hash, prefix.charCodeAt(i));
    const index = this.prefixes.find(prefix, 0, prefix.length, hash, null);
    if (index >= 0) {
      this.minLength[index] = Math.min(this.minLength[index] as number, min);
      this.maxLength[index] = Math.max(this.maxLength[index] as number, max);
      return;
    }
    this.prefixes.insert(prefix, hash, this.minLength.length);
    this.minLength.push(min);
    this.maxLength.push(max);
    if (prefix.length >= this.hasLength.length) {
      const bigger = new Uint8Array(Math.max(prefix.length + 1, this.hasLength.length * 2));
      bigger.set(this.hasLength);
      this.hasLength = bigger;
    }
    this.hasLength[prefix.length] = 1;
    this.longestPrefix = Math.max(this.longestPrefix, prefix.length);
    const s0 = SYMBOL[prefix.charCodeAt(0)] as number;
    if (prefix.length === 1) this.firstSymbols[s0] = 1;
    else if (prefix.length === 2) this.firstPairs[s0 * SYMBOLS + (SYMBOL[prefix.charCodeAt(1)] as number)] = 1;
    else if (prefix.length > 2) this.firstTriples[(s0 * SYMBOLS + (SYMBOL[prefix.charCodeAt(1)] as number)) * SYMBOLS + (SYMBOL[prefix.charCodeAt(2)] as number)] = 1;
  }

  /** Appends stem ids of rouge_score's tokens of `text` to `out`; `ABSENT_ID` for tokens that cannot match. */
  tokenIds(text: string, out: IdList): void {
    const n = text.length;
    let i = 0;
    while (i < n) {
      if (foldRougeChar(text.charCodeAt(i)) === 0) {
        i++;
        continue;
      }
      const start = i;
      i = rougeTokenEnd(text, start);
      const long = i - start > ALWAYS_STEM_LENGTH;
      // Most tokens of an unrelated text stop at their first characters, before any hashing.
      if (!long && !this.startsLikeAPrefix(text, start, i)) {
        out.push(ABSENT_ID);
        continue;
      }
      let hash = HASH_SEED;
      for (let k = start; k < i; k++) hash = hashStep(hash, foldRougeChar(text.charCodeAt(k)));
      // A token seen before already has its stem id (matching the other text or not).
      let id = rougeWords.find(text, start, i, hash, foldRougeChar);
      if (id < 0) id = long || this.mayMatch(text, start, i) ? addRougeWord(text, start, i, hash) : ABSENT_ID;
      out.push(id);
    }
  }

  /** Whether some prefix starts with the token's first one, two or three characters (a necessary condition). */
  private startsLikeAPrefix(text: string, start: number, end: number): boolean {
    const length = end - start;
    if (this.hasLength[0] === 1) return true;
    const c0 = SYMBOL[foldRougeChar(text.charCodeAt(start))] as number;
    if (this.firstSymbols[c0] === 1) return true;
    if (length < 2) return false;
    const c1 = SYMBOL[foldRougeChar(text.charCodeAt(start + 1))] as number;
    if (this.firstPairs[c0 * SYMBOLS + c1] === 1) return true;
    if (length < 3) return false;
    return this.firstTriples[(c0 * SYMBOLS + c1) * SYMBOLS + (SYMBOL[foldRougeChar(text.charCodeAt(start + 2))] as number)] === 1;
  }

  /** Whether the token `text[start, end)` starts with a prefix whose length window holds its length. */
  private mayMatch(text: string, start: number, end: number): boolean {
    const length = end - start;
    const last = Math.min(length, this.longestPrefix);
    if (prefixHashes.length <= last) prefixHashes = new Int32Array(Math.max(last + 1, prefixHashes.length * 2));
    let hash = HASH_SEED;
    prefixHashes[0] = hash;
    for (let k = 1; k <= last; k++) {
      hash = hashStep(hash, foldRougeChar(text.charCodeAt(start + k - 1)));
      prefixHashes[k] = hash;
    }
    // Longest prefixes first: a token that is itself a stem of the other text is settled at once.
    for (let k = last; k >= 0; k--) {
      if (this.hasLength[k] !== 1) continue;
      const index = this.prefixes.find(text, start, start + k, prefixHashes[k] as number, foldRougeChar);
      if (index >= 0 && length >= (this.minLength[index] as number) && length <= (this.maxLength[index] as number)) return true;
    }
    return false;
  }
}

let prefixHashes = new Int32Array(64);

// --- WER: Python str.split() words, compared exactly ----------------------------------

const splitWords = new WordTable(); // word → id

export function beginWordScore(): void {
  if (splitWords.size > MAX_WORDS || splitWords.characters > MAX_WORD_CHARS) splitWords.clear();
}

/** Appends the ids of the Python `str.split()` words of `text` to `out`, stopping once `out` holds `limit`. */
export function splitWordIds(text: string, out: IdList, limit = Infinity): void {
  const n = text.length;
  let i = 0;
  while (i < n && out.length < limit) {
    let c = text.charCodeAt(i);
    if (isPythonWhitespace(c)) {
      i++;
      continue;
    }
    const start = i;
    let hash = HASH_SEED;
    for (;;) {
      hash = hashStep(hash, c);
      i++;
      if (i >= n) break;
      c = text.charCodeAt(i);
      if (isPythonWhitespace(c)) break;
    }
    let id = splitWords.find(text, start, i, hash, null);
    if (id < 0) {
      id = splitWords.size;
      splitWords.insert(detached(text.slice(start, i)), hash, id);
    }
    out.push(id);
  }
}

// --- Dense local ids for the dynamic programs -----------------------------------------

let localOf = new Int32Array(1024).fill(-1);
let firstBuffer = new Int32Array(64);
let secondBuffer = new Int32Array(64);

export interface LocalPair {
  readonly a: Int32Array;
  readonly b: Int32Array;
  /** Distinct ids over both (local ids are 0..alphabetSize-1). */
  readonly alphabetSize: number;
  /** The local id of `ABSENT_ID` tokens (on one side only, so they match nothing), or -1. */
  readonly absent: number;
}

/**
 * Renumbers the ids of two lists densely from 0, so bit-parallel match tables and counters
 * can be indexed by id. The arrays are scratch memory, valid until the next call.
 */
export function localPair(first: IdList, second: IdList): LocalPair {
  if (firstBuffer.length < first.length) firstBuffer = new Int32Array(first.length * 2);
  if (secondBuffer.length < second.length) secondBuffer = new Int32Array(second.length * 2);
  const a = firstBuffer.subarray(0, first.length);
  const b = secondBuffer.subarray(0, second.length);
  let next = 0;
  next = renumber(first, a, next);
  next = renumber(second, b, next);
  // Leave the map clean for the next call.
  for (let i = 0; i < first.length; i++) if ((first.ids[i] as number) >= 0) localOf[first.ids[i] as number] = -1;
  for (let i = 0; i < second.length; i++) if ((second.ids[i] as number) >= 0) localOf[second.ids[i] as number] = -1;
  const absent = absentLocal;
  absentLocal = -1;
  return { a, b, alphabetSize: next, absent };
}

let absentLocal = -1;

function renumber(list: IdList, out: Int32Array, next: number): number {
  const ids = list.ids;
  for (let i = 0; i < list.length; i++) {
    const id = ids[i] as number;
    if (id === ABSENT_ID) {
      if (absentLocal < 0) absentLocal = next++;
      out[i] = absentLocal;
      continue;
    }
    if (id >= localOf.length) growLocalMap(id);
    let local = localOf[id] as number;
    if (local < 0) {
      local = next++;
      localOf[id] = local;
    }
    out[i] = local;
  }
  return next;
}

function growLocalMap(id: number): void {
  const bigger = new Int32Array(Math.max(id + 1, localOf.length * 2)).fill(-1);
  bigger.set(localOf);
  localOf = bigger;
}

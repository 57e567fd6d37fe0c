import { porterStem } from './porter.js';
import { foldRougeChar, rougeTokenEnd, rougeTokenText } from './word-ids.js';

/**
 * rouge_score's tokens of `text` as strings (`tokenize.tokenize(text, PorterStemmer())`):
 *   text.lower() → every run of characters outside [a-z0-9] becomes a space → split →
 *   Porter-stem the tokens longer than 3 characters → drop empty tokens.
 *
 * So a token is a maximal run of ASCII letters/digits *after Python's lower()*. Two
 * non-ASCII characters lower-case to ASCII letters in Unicode 14 (checked exhaustively
 * against CPython 3.11): U+212A KELVIN SIGN → 'k', and U+0130 (İ) → 'i' + U+0307, whose
 * combining dot then ends the token. The scorers use the id-based twin of this function
 * (`rougeStemIds`), which follows the same character rules without building strings.
 */
export function rougeTokens(text: string, options: { stem?: boolean } = {}): string[] {
  if (typeof text !== 'string') throw new TypeError(`rougeTokens: \`text\` must be a string, got ${typeof text}`);
  const stem = options.stem ?? true;
  const tokens: string[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    if (foldRougeChar(text.charCodeAt(i)) === 0) {
      i++;
      continue;
    }
    const start = i;
    i = rougeTokenEnd(text, start);
    const token = rougeTokenText(text, start, i);
    tokens.push(stem && token.length > 3 ? cachedStem(token) : token);
  }
  return tokens;
}

/**
 * Word → stem memo for `rougeTokens`. Stemming is a pure function of one word, so this
 * caches words, never whole inputs; it is bounded (cleared when full).
 */
const STEM_CACHE_LIMIT = 50_000;
const STEM_CACHE_MAX_WORD = 64;
const stemCache = new Map<string, string>();

function cachedStem(word: string): string {
  let stemmed = stemCache.get(word);
  if (stemmed !== undefined) return stemmed;
  stemmed = porterStem(word);
  if (word.length <= STEM_CACHE_MAX_WORD) {
    if (stemCache.size >= STEM_CACHE_LIMIT) stemCache.clear();
    stemCache.set(word, stemmed);
  }
  return stemmed;
}

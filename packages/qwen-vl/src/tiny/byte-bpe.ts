// A byte-level BPE vocabulary fitted to a corpus and written as a Hugging Face `tokenizer.json`
// (GPT-2's byte→character map and pre-tokenisation regex, merges learned by pair frequency), with
// the Qwen2.5-VL special tokens after it. It is what a CI-sized Qwen model needs: a real
// tokenizer.json that @huggingface/tokenizers (and transformers, vLLM) load, small enough
// (hundreds of tokens, not 151k) for a model of a few hundred thousand parameters, and short
// sequences on the corpus it was fitted to (the constant prompt templates become a few tokens).
import { QWEN_SPECIAL_TOKENS } from '../text/index.js';

/** GPT-2's `bytes_to_unicode`: printable bytes map to themselves, the rest to U+0100 onwards. */
function byteChars(): string[] {
  const printable = new Set<number>();
  for (let b = 33; b <= 126; b++) printable.add(b);
  for (let b = 161; b <= 172; b++) printable.add(b);
  for (let b = 174; b <= 255; b++) printable.add(b);
  const chars: string[] = [];
  let next = 256;
  for (let b = 0; b < 256; b++) chars.push(String.fromCodePoint(printable.has(b) ? b : next++));
  return chars;
}

// The ByteLevel pre-tokenizer's split (`use_regex: true`), so merges are learned on the words the
// tokenizer will see.
const GPT2_SPLIT = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

export interface ByteBpeOptions {
  /** Merges to learn at most (default 512). */
  maxMerges?: number;
  /** A pair is merged only while it occurs at least this often (default 2). */
  minPairCount?: number;
}

export interface ByteBpeVocabulary {
  /** The `tokenizer.json` object. */
  tokenizerJson: Record<string, unknown>;
  /** Tokens including the special ones. */
  vocabSize: number;
  /** Id of each Qwen special token. */
  specialIds: Record<keyof typeof QWEN_SPECIAL_TOKENS, number>;
}

/** Fits merges to `corpus` (special-token strings in it are cut out first) and builds the tokenizer.json. */
export function fitByteBpe(corpus: Iterable<string>, options: ByteBpeOptions = {}): ByteBpeVocabulary {
  const maxMerges = options.maxMerges ?? 512;
  const minPairCount = options.minPairCount ?? 2;
  const chars = byteChars();
  const encoder = new TextEncoder();
  const specials = Object.values(QWEN_SPECIAL_TOKENS);
  const specialPattern = new RegExp(specials.map((s) => s.replace(/[|]/g, '\\|')).join('|'), 'g');
  // Words (as byte-character symbol lists) with their counts.
  const wordCounts = new Map<string, number>();
  for (const text of corpus) {
    for (const part of text.split(specialPattern)) {
      for (const word of part.match(GPT2_SPLIT) ?? []) {
        const mapped = [...encoder.encode(word)].map((b) => chars[b]!).join('\u0000');
        wordCounts.set(mapped, (wordCounts.get(mapped) ?? 0) + 1);
      }
    }
  }
  const words = [...wordCounts].map(([w, count]) => ({ symbols: w.split('\u0000'), count }));
  const vocab: Record<string, number> = {};
  chars.forEach((c, i) => (vocab[c] = i));
  const merges: string[] = [];
  while (merges.length < maxMerges) {
    const pairs = new Map<string, number>();
    for (const { symbols, count } of words) {
      for (let i = 0; i + 1 < symbols.length; i++) {
        const key = `${symbols[i]} ${symbols[i + 1]}`;
        pairs.set(key, (pairs.get(key) ?? 0) + count);
      }
    }
    let best: string | null = null;
    let bestCount = 0;
    // Ties go to the lexicographically smallest pair, so the vocabulary does not depend on corpus order.
    for (const [key, count] of pairs) if (count > bestCount || (count === bestCount && best !== null && key < best)) [best, bestCount] = [key, count];
    if (best === null || bestCount < minPairCount) break;
    const [left, right] = best.split(' ') as [string, string];
    const merged = left + right;
    if (vocab[merged] !== undefined) {
      // The same string reached by another pair: keep the merge (BPE needs it) but no new id.
      merges.push(best);
    } else {
      vocab[merged] = Object.keys(vocab).length;
      merges.push(best);
    }
    for (const word of words) {
      const s = word.symbols;
      const next: string[] = [];
      for (let i = 0; i < s.length; i++) {
        if (i + 1 < s.length && s[i] === left && s[i + 1] === right) {
          next.push(merged);
          i++;
        } else next.push(s[i]!);
      }
      word.symbols = next;
    }
  }
  const base = Object.keys(vocab).length;
  const specialIds = {} as Record<keyof typeof QWEN_SPECIAL_TOKENS, number>;
  const added = (Object.entries(QWEN_SPECIAL_TOKENS) as Array<[keyof typeof QWEN_SPECIAL_TOKENS, string]>).map(([key, content], i) => {
    specialIds[key] = base + i;
    return { id: base + i, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true };
  });
  const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: true };
  const tokenizerJson = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: added,
    normalizer: null,
    pre_tokenizer: byteLevel,
    post_processor: null,
    decoder: byteLevel,
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: '',
      end_of_word_suffix: '',
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab,
      merges,
    },
  };
  return { tokenizerJson, vocabSize: base + added.length, specialIds };
}

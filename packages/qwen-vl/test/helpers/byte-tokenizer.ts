// A byte-level BPE tokenizer with no merges (one token per UTF-8 byte, GPT-2's byte→char map) and
// the Qwen special tokens after the 256 bytes: a real tokenizer.json the Qwen tokenizer loads, with a
// vocabulary small enough for fast model tests.
import { writeFileSync } from 'node:fs';
import path from 'node:path';

import { QWEN_SPECIAL_TOKENS } from '../../src/text/index.js';

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

/** Writes tokenizer.json + tokenizer_config.json into `dir`; returns the special-token ids. */
export function writeByteTokenizer(dir: string): { vocabSize: number; ids: Record<keyof typeof QWEN_SPECIAL_TOKENS, number> } {
  const vocab: Record<string, number> = {};
  byteChars().forEach((c, i) => (vocab[c] = i));
  const specials = Object.entries(QWEN_SPECIAL_TOKENS) as Array<[keyof typeof QWEN_SPECIAL_TOKENS, string]>;
  const ids = {} as Record<keyof typeof QWEN_SPECIAL_TOKENS, number>;
  const added = specials.map(([key, content], i) => {
    ids[key] = 256 + i;
    return { id: 256 + i, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true };
  });
  const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: true };
  const tokenizer = {
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
      merges: [],
    },
  };
  writeFileSync(path.join(dir, 'tokenizer.json'), JSON.stringify(tokenizer));
  writeFileSync(
    path.join(dir, 'tokenizer_config.json'),
    JSON.stringify({ eos_token: QWEN_SPECIAL_TOKENS.imEnd, pad_token: QWEN_SPECIAL_TOKENS.endOfText, model_max_length: 4096 }),
  );
  return { vocabSize: 256 + added.length, ids };
}

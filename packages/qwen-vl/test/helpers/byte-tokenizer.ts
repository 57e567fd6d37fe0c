// A byte-level BPE tokenizer with no merges (one token per UTF-8 byte, GPT-2's byte→char map) and
// the Qwen special tokens after the 256 bytes: a real tokenizer.json the Qwen tokenizer loads, with a
// vocabulary small enough for fast model tests.
import { writeFileSync } from 'node:fs';
import path from 'node:path';

import { QWEN_SPECIAL_TOKENS } from '../../src/text/index.js';
import { fitByteBpe } from '../../src/tiny/byte-bpe.js';

/** Writes tokenizer.json + tokenizer_config.json into `dir`; returns the special-token ids. */
export function writeByteTokenizer(dir: string): { vocabSize: number; ids: Record<keyof typeof QWEN_SPECIAL_TOKENS, number> } {
  // No merges learned: the 256 byte tokens, then the specials.
  const { tokenizerJson, vocabSize, specialIds } = fitByteBpe([], { maxMerges: 0 });
  writeFileSync(path.join(dir, 'tokenizer.json'), JSON.stringify(tokenizerJson));
  writeFileSync(
    path.join(dir, 'tokenizer_config.json'),
    JSON.stringify({ eos_token: QWEN_SPECIAL_TOKENS.imEnd, pad_token: QWEN_SPECIAL_TOKENS.endOfText, model_max_length: 4096 }),
  );
  return { vocabSize, ids: specialIds };
}

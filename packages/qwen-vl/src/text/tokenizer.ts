// Qwen tokenizers: tokenizer.json + tokenizer_config.json through @huggingface/tokenizers, and the chat
// template the processor uses — chat_template.jinja (what transformers ≥ 4.51 saves), else
// chat_template.json (the processor's own file in the hub repositories), else the `chat_template` of
// tokenizer_config.json.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { Tokenizer } from '@huggingface/tokenizers';

import type { Qwen25VLConfig } from '../checkpoint/config.js';
import { readJsonFile } from '../checkpoint/config.js';
import { CheckpointError, quote } from '../checkpoint/errors.js';
import { type ChatMessage, ChatTemplate, type ChatTemplateOptions } from './chat-template.js';

export const TOKENIZER_FILE = 'tokenizer.json';
export const TOKENIZER_CONFIG_FILE = 'tokenizer_config.json';
export const CHAT_TEMPLATE_FILE = 'chat_template.json';
export const CHAT_TEMPLATE_JINJA_FILE = 'chat_template.jinja';

/** The Qwen2.5-VL special tokens the processor and the model rely on. */
export const QWEN_SPECIAL_TOKENS = {
  endOfText: '<|endoftext|>',
  imStart: '<|im_start|>',
  imEnd: '<|im_end|>',
  visionStart: '<|vision_start|>',
  visionEnd: '<|vision_end|>',
  visionPad: '<|vision_pad|>',
  imagePad: '<|image_pad|>',
  videoPad: '<|video_pad|>',
} as const;

export type QwenSpecialToken = keyof typeof QWEN_SPECIAL_TOKENS;

export interface TokenizerFiles {
  tokenizerFile: string;
  tokenizerConfigFile: string;
  /**
   * chat_template.jinja (template text) or chat_template.json (`{"chat_template": …}`); when absent,
   * tokenizer_config.json's chat_template is used if it has one.
   */
  chatTemplateFile?: string;
}

function resolveFiles(dirOrFiles: string | TokenizerFiles): TokenizerFiles {
  if (typeof dirOrFiles !== 'string') return dirOrFiles;
  const dir = path.resolve(dirOrFiles);
  const chat = [CHAT_TEMPLATE_JINJA_FILE, CHAT_TEMPLATE_FILE].map((name) => path.join(dir, name)).find((file) => existsSync(file));
  return {
    tokenizerFile: path.join(dir, TOKENIZER_FILE),
    tokenizerConfigFile: path.join(dir, TOKENIZER_CONFIG_FILE),
    ...(chat === undefined ? {} : { chatTemplateFile: chat }),
  };
}

function templateText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  // tokenizer_config.json may hold several named templates; transformers uses "default".
  if (Array.isArray(value)) {
    const named = value.find((t) => (t as { name?: unknown }).name === 'default') as { template?: unknown } | undefined;
    return typeof named?.template === 'string' ? named.template : undefined;
  }
  return undefined;
}

function readTemplateFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (cause) {
    throw new CheckpointError('FILE_NOT_FOUND', `cannot read ${quote(file)}: ${(cause as Error).message}`, { file, cause });
  }
}

function tokenString(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value !== null && typeof value === 'object' && typeof (value as { content?: unknown }).content === 'string') {
    return (value as { content: string }).content;
  }
  return undefined;
}

export class QwenTokenizer {
  readonly chatTemplate: ChatTemplate | undefined;
  /** Ids of the Qwen special tokens (every one must be in the vocabulary). */
  readonly specialTokenIds: Readonly<Record<QwenSpecialToken, number>>;
  readonly eosToken: string | undefined;
  readonly eosTokenId: number | undefined;
  readonly padToken: string | undefined;
  readonly padTokenId: number | undefined;

  private constructor(
    private readonly tokenizer: Tokenizer,
    readonly files: TokenizerFiles,
    config: Record<string, unknown>,
    chatTemplate: ChatTemplate | undefined,
  ) {
    this.chatTemplate = chatTemplate;
    const ids: Partial<Record<QwenSpecialToken, number>> = {};
    for (const [key, token] of Object.entries(QWEN_SPECIAL_TOKENS) as Array<[QwenSpecialToken, string]>) {
      const id = tokenizer.token_to_id(token);
      if (id === undefined) {
        throw new CheckpointError('TOKENIZER_ERROR', `${quote(files.tokenizerFile)} has no ${token} token; it is not a Qwen2-family vocabulary`, {
          file: files.tokenizerFile,
        });
      }
      ids[key] = id;
    }
    this.specialTokenIds = ids as Record<QwenSpecialToken, number>;
    this.eosToken = tokenString(config['eos_token']);
    this.eosTokenId = this.eosToken === undefined ? undefined : tokenizer.token_to_id(this.eosToken);
    this.padToken = tokenString(config['pad_token']);
    this.padTokenId = this.padToken === undefined ? undefined : tokenizer.token_to_id(this.padToken);
  }

  /** Load from a model/processor directory or from explicit file paths. */
  static load(dirOrFiles: string | TokenizerFiles): QwenTokenizer {
    const files = resolveFiles(dirOrFiles);
    const json = readJsonFile(files.tokenizerFile);
    const config = readJsonFile(files.tokenizerConfigFile) as Record<string, unknown>;
    let tokenizer: Tokenizer;
    try {
      tokenizer = new Tokenizer(json as object, config);
    } catch (cause) {
      throw new CheckpointError('TOKENIZER_ERROR', `${quote(files.tokenizerFile)} could not be loaded: ${(cause as Error).message}`, {
        file: files.tokenizerFile,
        cause,
      });
    }
    let chatTemplate: ChatTemplate | undefined;
    if (files.chatTemplateFile !== undefined) {
      const text = files.chatTemplateFile.endsWith('.jinja')
        ? readTemplateFile(files.chatTemplateFile)
        : templateText((readJsonFile(files.chatTemplateFile) as { chat_template?: unknown })?.chat_template);
      if (text === undefined) {
        throw new CheckpointError('TOKENIZER_ERROR', `${quote(files.chatTemplateFile)} has no chat_template string`, { file: files.chatTemplateFile });
      }
      chatTemplate = new ChatTemplate(text, files.chatTemplateFile);
    } else {
      const text = templateText(config['chat_template']);
      if (text !== undefined) chatTemplate = new ChatTemplate(text, files.tokenizerConfigFile);
    }
    return new QwenTokenizer(tokenizer, files, config, chatTemplate);
  }

  /** Token ids of `text`; special tokens written in the text (`<|im_start|>`, …) map to their ids. */
  encode(text: string): number[] {
    // Qwen2 tokenizers add no BOS/EOS, so add_special_tokens does not change the ids; off makes that explicit.
    return this.tokenizer.encode(text, { add_special_tokens: false }).ids;
  }

  /** Token strings of `text` (byte-level BPE pieces such as `Ġworld`). */
  tokenize(text: string): string[] {
    return this.tokenizer.tokenize(text, { add_special_tokens: false });
  }

  decode(ids: readonly number[], options: { skipSpecialTokens?: boolean } = {}): string {
    return this.tokenizer.decode([...ids], { skip_special_tokens: options.skipSpecialTokens ?? false });
  }

  tokenToId(token: string): number | undefined {
    return this.tokenizer.token_to_id(token);
  }

  idToToken(id: number): string | undefined {
    return this.tokenizer.id_to_token(id);
  }

  /** Vocabulary size including added tokens. */
  get vocabSize(): number {
    return this.tokenizer.get_vocab(true).size;
  }

  /** processor.apply_chat_template(messages, tokenize=False, …). */
  applyChatTemplate(messages: readonly ChatMessage[], options: ChatTemplateOptions = {}): string {
    if (this.chatTemplate === undefined) {
      throw new CheckpointError(
        'TOKENIZER_ERROR',
        `no chat template: neither ${CHAT_TEMPLATE_JINJA_FILE}, ${CHAT_TEMPLATE_FILE} nor a chat_template in ${quote(this.files.tokenizerConfigFile)}`,
        { file: this.files.tokenizerConfigFile },
      );
    }
    return this.chatTemplate.render(messages, options);
  }

  /**
   * Refuse a tokenizer whose special-token ids differ from the model config's (a tokenizer from
   * another model would silently misplace every visual).
   */
  assertMatchesConfig(config: Qwen25VLConfig): void {
    const pairs: Array<[QwenSpecialToken, number, string]> = [
      ['visionStart', config.visionStartTokenId, 'vision_start_token_id'],
      ['visionEnd', config.visionEndTokenId, 'vision_end_token_id'],
      ['imagePad', config.imageTokenId, 'image_token_id'],
      ['videoPad', config.videoTokenId, 'video_token_id'],
    ];
    for (const [key, expected, field] of pairs) {
      if (this.specialTokenIds[key] !== expected) {
        throw new CheckpointError(
          'TOKENIZER_ERROR',
          `${quote(this.files.tokenizerFile)} maps ${QWEN_SPECIAL_TOKENS[key]} to ${this.specialTokenIds[key]}, but the model config's ${field} is ${expected}; ` +
            `use the tokenizer of the same checkpoint`,
          { file: this.files.tokenizerFile },
        );
      }
    }
  }
}

/** Left-pad token rows to one length (Qwen2.5-VL batches are left-padded): ids and the attention mask. */
export function padLeft(rows: readonly (readonly number[])[], padTokenId: number): { inputIds: number[][]; attentionMask: number[][] } {
  const length = rows.reduce((m, r) => Math.max(m, r.length), 0);
  return {
    inputIds: rows.map((r) => [...new Array<number>(length - r.length).fill(padTokenId), ...r]),
    attentionMask: rows.map((r) => [...new Array<number>(length - r.length).fill(0), ...new Array<number>(r.length).fill(1)]),
  };
}

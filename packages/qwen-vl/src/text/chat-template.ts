// Chat templates rendered with @huggingface/jinja, which compiles with trim_blocks and lstrip_blocks
// as transformers' sandboxed Jinja environment does. Messages are passed as transformers passes them
// (plain dicts): keys whose value is undefined are dropped first, because `'image' in content` tests
// key presence and a Python dict built from the same message would not hold them.
import { Template } from '@huggingface/jinja';

import { CheckpointError } from '../checkpoint/errors.js';

/** One part of a message's content list, as Video-R1 and transformers write them. */
export interface ChatContentPart {
  type: string;
  text?: string;
  image?: string;
  video?: string;
  image_url?: unknown;
  [key: string]: unknown;
}

export interface ChatMessage {
  role: string;
  content: string | readonly ChatContentPart[];
}

export interface ChatTemplateOptions {
  /** Append `<|im_start|>assistant\n` (processor.apply_chat_template's add_generation_prompt). */
  addGenerationPrompt?: boolean;
  /** Qwen-VL's "Picture N: " / "Video N: " labels before each visual. */
  addVisionId?: boolean;
  /** Further template variables (bos_token, tools, …). */
  extra?: Record<string, unknown>;
}

function plain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value as Record<string, unknown>)) if (inner !== undefined) out[key] = plain(inner);
    return out;
  }
  return value;
}

export class ChatTemplate {
  private readonly template: Template;

  /** `source` names where the text came from, for messages. */
  constructor(
    readonly text: string,
    readonly source = 'chat template',
  ) {
    try {
      this.template = new Template(text);
    } catch (cause) {
      throw new CheckpointError('TOKENIZER_ERROR', `${source}: the chat template does not parse: ${(cause as Error).message}`, {
        file: source,
        cause,
      });
    }
  }

  render(messages: readonly ChatMessage[], options: ChatTemplateOptions = {}): string {
    try {
      return this.template.render({
        ...options.extra,
        messages: plain(messages),
        add_generation_prompt: options.addGenerationPrompt ?? false,
        add_vision_id: options.addVisionId ?? false,
      });
    } catch (cause) {
      throw new CheckpointError('TOKENIZER_ERROR', `${this.source}: rendering the chat template failed: ${(cause as Error).message}`, {
        file: this.source,
        cause,
      });
    }
  }
}

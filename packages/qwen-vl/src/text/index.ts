export { ChatTemplate, type ChatContentPart, type ChatMessage, type ChatTemplateOptions } from './chat-template.js';
export {
  CHAT_TEMPLATE_FILE,
  CHAT_TEMPLATE_JINJA_FILE,
  QWEN_SPECIAL_TOKENS,
  QwenTokenizer,
  TOKENIZER_CONFIG_FILE,
  TOKENIZER_FILE,
  padLeft,
  type QwenSpecialToken,
  type TokenizerFiles,
} from './tokenizer.js';

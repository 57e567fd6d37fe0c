export { fitByteBpe, type ByteBpeOptions, type ByteBpeVocabulary } from './byte-bpe.js';
export { QWEN25_VL_CHAT_TEMPLATE, createTinyQwenCheckpoint, tinyQwenConfigJson, type TinyQwenCheckpoint, type TinyQwenOptions } from './checkpoint.js';

// A randomly initialised Qwen2.5-VL checkpoint of the reference vectors' tiny architecture
// (hidden 64, 2 decoder layers, GQA 4/2, M-RoPE sections [2, 3, 3]; a 4-block vision tower of
// width 32 with full attention in blocks 1 and 3), with a byte-level BPE tokenizer fitted to a
// corpus and the Qwen2.5-VL chat template: a complete Hugging Face model directory that this
// package, transformers and vLLM load, small enough to train on two CPU cores.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { createRng } from '@video-r1/tensor';

import { type Qwen25VLConfig, parseQwen25VLConfig } from '../checkpoint/config.js';
import { expectedTensorShapes } from '../checkpoint/names.js';
import { saveCheckpoint } from '../checkpoint/save.js';
import { CHAT_TEMPLATE_FILE, QWEN_SPECIAL_TOKENS, TOKENIZER_CONFIG_FILE, TOKENIZER_FILE } from '../text/index.js';
import { type ByteBpeOptions, fitByteBpe } from './byte-bpe.js';

/** The chat template of Qwen2.5-VL-*-Instruct's chat_template.json (what processor.apply_chat_template renders). */
export const QWEN25_VL_CHAT_TEMPLATE =
  "{% set image_count = namespace(value=0) %}{% set video_count = namespace(value=0) %}{% for message in messages %}{% if loop.first and message['role'] != 'system' %}<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n{% endif %}<|im_start|>{{ message['role'] }}\n{% if message['content'] is string %}{{ message['content'] }}<|im_end|>\n{% else %}{% for content in message['content'] %}{% if content['type'] == 'image' or 'image' in content or 'image_url' in content %}{% set image_count.value = image_count.value + 1 %}{% if add_vision_id %}Picture {{ image_count.value }}: {% endif %}<|vision_start|><|image_pad|><|vision_end|>{% elif content['type'] == 'video' or 'video' in content %}{% set video_count.value = video_count.value + 1 %}{% if add_vision_id %}Video {{ video_count.value }}: {% endif %}<|vision_start|><|video_pad|><|vision_end|>{% elif 'text' in content %}{{ content['text'] }}{% endif %}{% endfor %}<|im_end|>\n{% endif %}{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}";

export interface TinyQwenOptions {
  /** Texts the tokenizer's merges are fitted to (prompts and answers of the training set). */
  corpus: Iterable<string>;
  /** Weight initialisation seed (default 0). */
  seed?: number;
  /** transformers' `initializer_range`: weights ~ N(0, std²), biases 0, norms 1 (default 0.02). */
  initializerRange?: number;
  /** Tokenizer fitting (merges); default 512 merges. */
  tokenizer?: ByteBpeOptions;
  /** Overrides on the config JSON (e.g. `num_hidden_layers`, `tie_word_embeddings`). */
  config?: Record<string, unknown>;
}

export interface TinyQwenCheckpoint {
  dir: string;
  config: Qwen25VLConfig;
  vocabSize: number;
  parameters: number;
}

/** The config of the reference vectors' `tiny-a` model around a vocabulary of `vocabSize` with these special ids. */
export function tinyQwenConfigJson(vocabSize: number, ids: Record<keyof typeof QWEN_SPECIAL_TOKENS, number>, initializerRange = 0.02): Record<string, unknown> {
  return {
    architectures: ['Qwen2_5_VLForConditionalGeneration'],
    model_type: 'qwen2_5_vl',
    attention_dropout: 0,
    hidden_act: 'silu',
    hidden_size: 64,
    initializer_range: initializerRange,
    intermediate_size: 128,
    max_position_embeddings: 4096,
    max_window_layers: 2,
    num_attention_heads: 4,
    num_hidden_layers: 2,
    num_key_value_heads: 2,
    rms_norm_eps: 1e-6,
    rope_scaling: { type: 'mrope', mrope_section: [2, 3, 3] },
    rope_theta: 1000000,
    sliding_window: 4096,
    use_sliding_window: false,
    tie_word_embeddings: false,
    torch_dtype: 'float32',
    transformers_version: '4.49.0',
    use_cache: true,
    vocab_size: vocabSize,
    vision_config: {
      depth: 4,
      hidden_size: 32,
      intermediate_size: 64,
      num_heads: 2,
      window_size: 112,
      fullatt_block_indexes: [1, 3],
      tokens_per_second: 2,
      hidden_act: 'silu',
      in_chans: 3,
      in_channels: 3,
      patch_size: 14,
      spatial_patch_size: 14,
      spatial_merge_size: 2,
      temporal_patch_size: 2,
      out_hidden_size: 64,
    },
    vision_start_token_id: ids.visionStart,
    vision_end_token_id: ids.visionEnd,
    vision_token_id: ids.visionPad,
    image_token_id: ids.imagePad,
    video_token_id: ids.videoPad,
    eos_token_id: ids.imEnd,
    bos_token_id: ids.endOfText,
    pad_token_id: ids.endOfText,
  };
}

/** transformers' `_init_weights`: N(0, std) for linear, conv and embedding weights; zero biases; unit norms. */
function initialValues(name: string, size: number, std: number, rng: () => number): Float32Array {
  const values = new Float32Array(size);
  if (name.endsWith('.bias')) return values;
  if (/norm|ln_q/.test(name)) return values.fill(1);
  for (let i = 0; i < size; i += 2) {
    // Box–Muller: two normal draws from two uniforms.
    const u = Math.max(rng(), 1e-12);
    const v = rng();
    const r = std * Math.sqrt(-2 * Math.log(u));
    values[i] = r * Math.cos(2 * Math.PI * v);
    if (i + 1 < size) values[i + 1] = r * Math.sin(2 * Math.PI * v);
  }
  return values;
}

/**
 * Writes config.json, model.safetensors, tokenizer.json, tokenizer_config.json,
 * chat_template.json and preprocessor_config.json into `dir`.
 */
export function createTinyQwenCheckpoint(dir: string, options: TinyQwenOptions): TinyQwenCheckpoint {
  const std = options.initializerRange ?? 0.02;
  const vocabulary = fitByteBpe(options.corpus, options.tokenizer);
  const json = { ...tinyQwenConfigJson(vocabulary.vocabSize, vocabulary.specialIds, std), ...options.config };
  const config = parseQwen25VLConfig(json, path.join(dir, 'config.json'));
  mkdirSync(dir, { recursive: true });
  const rng = createRng(options.seed ?? 0);
  let parameters = 0;
  const tensors: Array<[string, { shape: number[]; data: () => Float32Array }]> = [];
  for (const [name, shape] of expectedTensorShapes(config)) {
    const size = shape.reduce((a, b) => a * b, 1);
    parameters += size;
    // Drawn now, in the config's tensor order, so a seed gives the same weights whatever reads them.
    const data = initialValues(name, size, std, rng);
    tensors.push([name, { shape, data: () => data }]);
  }
  saveCheckpoint(dir, config, tensors);
  writeFileSync(path.join(dir, TOKENIZER_FILE), JSON.stringify(vocabulary.tokenizerJson));
  writeFileSync(
    path.join(dir, TOKENIZER_CONFIG_FILE),
    JSON.stringify(
      {
        tokenizer_class: 'Qwen2Tokenizer',
        eos_token: QWEN_SPECIAL_TOKENS.imEnd,
        pad_token: QWEN_SPECIAL_TOKENS.endOfText,
        bos_token: null,
        unk_token: null,
        model_max_length: 4096,
        padding_side: 'right',
        errors: 'replace',
        clean_up_tokenization_spaces: false,
        split_special_tokens: false,
      },
      null,
      2,
    ),
  );
  writeFileSync(path.join(dir, CHAT_TEMPLATE_FILE), JSON.stringify({ chat_template: QWEN25_VL_CHAT_TEMPLATE }, null, 2));
  // Qwen2.5-VL's image processor settings, so transformers' AutoProcessor loads the directory too.
  writeFileSync(
    path.join(dir, 'preprocessor_config.json'),
    JSON.stringify(
      {
        image_processor_type: 'Qwen2VLImageProcessor',
        processor_class: 'Qwen2_5_VLProcessor',
        do_resize: true,
        do_rescale: true,
        rescale_factor: 1 / 255,
        do_normalize: true,
        do_convert_rgb: true,
        image_mean: [0.48145466, 0.4578275, 0.40821073],
        image_std: [0.26862954, 0.26130258, 0.27577711],
        min_pixels: 3136,
        max_pixels: 12845056,
        patch_size: 14,
        temporal_patch_size: 2,
        merge_size: 2,
      },
      null,
      2,
    ),
  );
  return { dir, config, vocabSize: vocabulary.vocabSize, parameters };
}

// Random-weight Qwen2.5-VL checkpoints for the benchmark, written with the package's own saver one
// tensor at a time (so even a few-hundred-million-parameter checkpoint never sits in memory whole).
import { expectedTensorShapes, parseQwen25VLConfig, saveCheckpoint, type StoredDtype, type TensorSource } from '../src/index.js';
import { pseudoRandom } from '../test/helpers/pseudo-random.js';

/** Real Qwen2.5 vocabulary and special-token ids, so the head costs what it costs in the real model. */
const QWEN_TOKENS = {
  vocab_size: 151936,
  vision_start_token_id: 151652,
  vision_end_token_id: 151653,
  vision_token_id: 151654,
  image_token_id: 151655,
  video_token_id: 151656,
  bos_token_id: 151643,
  eos_token_id: 151645,
  pad_token_id: 151643,
};

function llmConfig(hidden: number, layers: number, heads: number, kvHeads: number, intermediate: number, mrope: [number, number, number]) {
  return {
    architectures: ['Qwen2_5_VLForConditionalGeneration'],
    model_type: 'qwen2_5_vl',
    hidden_size: hidden,
    intermediate_size: intermediate,
    num_hidden_layers: layers,
    num_attention_heads: heads,
    num_key_value_heads: kvHeads,
    rms_norm_eps: 1e-6,
    rope_theta: 1000000.0,
    rope_scaling: { type: 'mrope', mrope_section: mrope },
    tie_word_embeddings: true,
    ...QWEN_TOKENS,
    vision_config: {
      depth: 4,
      hidden_size: 256,
      intermediate_size: 512,
      num_heads: 4,
      window_size: 112,
      fullatt_block_indexes: [3],
      tokens_per_second: 2,
      out_hidden_size: hidden,
    },
  };
}

/** ≈ 106 M parameters: 8 layers of 512, Qwen's 151 936-token vocabulary (tied), a 4-block vision tower. */
export const RANDOM_100M = llmConfig(512, 8, 8, 2, 1536, [8, 12, 12]);
/** ≈ 342 M parameters: 16 layers of 1024, the same vocabulary (tied). */
export const RANDOM_300M = llmConfig(1024, 16, 16, 2, 2816, [8, 12, 12]);

/** Write a random checkpoint of `json` into `dir`; norms are 1, other weights uniform in ±0.02·√3. */
export function writeRandomCheckpoint(dir: string, json: Record<string, unknown>, dtype: StoredDtype = 'F32', maxShardBytes?: number): number {
  const config = parseQwen25VLConfig(json);
  let seed = 1;
  let parameters = 0;
  const sources: Array<[string, TensorSource]> = [];
  for (const [name, shape] of expectedTensorShapes(config)) {
    const count = shape.reduce((a, b) => a * b, 1);
    parameters += count;
    const s = seed++;
    const isNorm = /norm|ln_q/.test(name);
    sources.push([name, { shape, data: () => (isNorm ? new Float32Array(count).fill(1) : pseudoRandom(count, s, 0.0346)) }]);
  }
  saveCheckpoint(dir, config, sources, { dtype, ...(maxShardBytes === undefined ? {} : { maxShardBytes }) });
  return parameters;
}

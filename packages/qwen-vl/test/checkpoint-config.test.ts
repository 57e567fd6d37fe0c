import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { parameterCount, parseQwen25VLConfig, qwen25VLConfigToJson, readQwen25VLConfig } from '../src/checkpoint/index.js';
import { FIXTURES, MODELS, smallConfigJson } from './helpers/checkpoints.js';

const MROPE = { type: 'mrope', mrope_section: [16, 24, 24] };

describe('parseQwen25VLConfig', () => {
  it("takes transformers 4.49's defaults for omitted keys, not a checkpoint's values", () => {
    const config = parseQwen25VLConfig({
      architectures: ['Qwen2_5_VLForConditionalGeneration'],
      hidden_size: 3584,
      num_attention_heads: 56,
      rope_scaling: { type: 'mrope', mrope_section: [8, 12, 12] },
    });
    expect(config.rmsNormEps).toBe(1e-5);
    expect(config.numKeyValueHeads).toBe(8);
    expect(config.vocabSize).toBe(152064);
    expect(config.intermediateSize).toBe(29568);
    expect(config.numHiddenLayers).toBe(80);
    expect(config.tieWordEmbeddings).toBe(false);
    expect(config.ropeTheta).toBe(1e6);
    expect(config.headDim).toBe(64);
    expect(config.vision.tokensPerSecond).toBe(4);
    expect(config.vision.fullattBlockIndexes).toEqual([7, 15, 23, 31]);
    expect(config.vision.depth).toBe(32);
    expect(config.vision.windowSize).toBe(112);
    expect(config.vision.patchSize).toBe(14);
    expect(config.vision.temporalPatchSize).toBe(2);
    expect(config.imageTokenId).toBe(151655);
    expect(config.videoTokenId).toBe(151656);
    expect(config.visionStartTokenId).toBe(151652);
    expect(config.eosTokenId).toBeUndefined();
  });

  it('reads the language-model fields from text_config when a newer transformers nests them', () => {
    const config = parseQwen25VLConfig({
      ...smallConfigJson(),
      hidden_size: undefined,
      text_config: { hidden_size: 32, num_hidden_layers: 3, rms_norm_eps: 1e-6 },
      num_hidden_layers: 1,
    });
    expect(config.numHiddenLayers).toBe(3);
    expect(config.hiddenSize).toBe(32);
  });

  it('reads the config transformers 5 saves (text_config, rope_parameters, dtype) like the flat 4.49 one', () => {
    // test/fixtures/configs/transformers-5.18-tiny-a.json: tiny-a's config loaded and re-saved by transformers 5.18.
    const v5 = readQwen25VLConfig(path.join(FIXTURES, 'configs', 'transformers-5.18-tiny-a.json'));
    const flat = readQwen25VLConfig(path.join(MODELS, 'tiny-a', 'config.json'));
    expect({ ...v5, raw: null, torchDtype: null }).toEqual({ ...flat, raw: null, torchDtype: null });
    expect(v5.torchDtype).toBe('bfloat16');
    // Written back flat, as 4.49 reads it.
    const json = qwen25VLConfigToJson(v5);
    expect(json['text_config']).toBeUndefined();
    expect(json['rope_scaling']).toMatchObject({ mrope_section: [2, 3, 3] });
    expect(json['hidden_size']).toBe(64);
  });

  it('accepts eos lists and the older vision key spellings', () => {
    const json = smallConfigJson({ eos_token_id: [35, 36] });
    const vision = json['vision_config'] as Record<string, unknown>;
    const config = parseQwen25VLConfig({ ...json, vision_config: { ...vision, in_chans: 1, spatial_patch_size: 7 } });
    expect(config.eosTokenId).toEqual([35, 36]);
    expect(config.vision.inChannels).toBe(1);
    expect(config.vision.patchSize).toBe(7);
  });

  it.each([
    [{ architectures: ['LlamaForCausalLM'] }, 'UNKNOWN_ARCHITECTURE', /LlamaForCausalLM/],
    [{ architectures: undefined, model_type: 'qwen2_vl' }, 'UNKNOWN_ARCHITECTURE', /qwen2_vl/],
    [{ rope_scaling: { type: 'mrope', mrope_section: [1, 1, 1] } }, 'INVALID_CONFIG', /mrope_section/],
    [{ rope_scaling: null }, 'INVALID_CONFIG', /mrope_section/],
    [{ num_key_value_heads: 3 }, 'INVALID_CONFIG', /num_key_value_heads/],
    [{ hidden_act: 'gelu' }, 'INVALID_CONFIG', /hidden_act/],
    [{ use_sliding_window: true }, 'INVALID_CONFIG', /use_sliding_window/],
    [{ vocab_size: 0 }, 'INVALID_CONFIG', /vocab_size/],
    [{ hidden_size: 34 }, 'INVALID_CONFIG', /hidden_size/],
  ])('refuses %j', (overrides, code, message) => {
    expect(() => parseQwen25VLConfig(smallConfigJson(overrides), '/x/config.json')).toThrow(
      expect.objectContaining({ code, file: '/x/config.json', message: expect.stringMatching(message) }),
    );
  });

  it('serialises back to the same config, keeping unmodelled keys', () => {
    const config = parseQwen25VLConfig(smallConfigJson({ initializer_range: 0.02 }));
    const json = qwen25VLConfigToJson(config);
    expect(json['initializer_range']).toBe(0.02);
    expect(json['architectures']).toEqual(['Qwen2_5_VLForConditionalGeneration']);
    const again = parseQwen25VLConfig(json);
    expect({ ...again, raw: null }).toEqual({ ...config, raw: null });
  });

  it('counts the parameters of the published 7B shape', () => {
    const vision = { depth: 32, hidden_size: 1280, intermediate_size: 3420, num_heads: 16, fullatt_block_indexes: [7, 15, 23, 31] };
    const sevenB = parseQwen25VLConfig({
      architectures: ['Qwen2_5_VLForConditionalGeneration'],
      hidden_size: 3584, intermediate_size: 18944, num_hidden_layers: 28, num_attention_heads: 28,
      num_key_value_heads: 4, vocab_size: 152064, tie_word_embeddings: false, rope_scaling: MROPE,
      vision_config: { ...vision, out_hidden_size: 3584 },
    });
    // Hugging Face lists Qwen2.5-VL-7B-Instruct at 8.29 B parameters (safetensors metadata).
    expect(parameterCount(sevenB) / 1e9).toBeCloseTo(8.292, 2);
  });
});

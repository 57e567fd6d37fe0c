import { readFileSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import {
  adapterKey,
  llmLinearModules,
  llmTargetModulesPattern,
  matchesTargetModules,
  readAdapter,
  readCheckpoint,
  readSafetensorsHeader,
  writeAdapter,
  type TensorSource,
} from '../src/checkpoint/index.js';
import { ADAPTERS, checkpointFailure as failure, MODELS, pseudoRandom, tempDir, writeJson, writeRawSafetensors } from './helpers/checkpoints.js';

const tinyA = readCheckpoint(path.join(MODELS, 'tiny-a')).config;
const tinyC = readCheckpoint(path.join(MODELS, 'tiny-c')).config;

function randomModules(base: typeof tinyA, r: number): Array<[string, { a: TensorSource; b: TensorSource }]> {
  let seed = 7;
  return [...llmLinearModules(base)].map(([module, { inFeatures, outFeatures }]) => [
    module,
    {
      a: { shape: [r, inFeatures], data: pseudoRandom(r * inFeatures, seed++) },
      b: { shape: [outFeatures, r], data: pseudoRandom(outFeatures * r, seed++) },
    },
  ]);
}

describe('PEFT target_modules matching', () => {
  it('a string is full-matched, so the reference regex adapts the LLM and not the vision tower', () => {
    const pattern = llmTargetModulesPattern('hub');
    expect(matchesTargetModules(pattern, 'model.layers.0.self_attn.q_proj')).toBe(true);
    expect(matchesTargetModules(pattern, 'model.layers.11.mlp.down_proj')).toBe(true);
    expect(matchesTargetModules(pattern, 'visual.blocks.0.mlp.gate_proj')).toBe(false);
    expect(matchesTargetModules(pattern, 'model.layers.0.self_attn.q_proj.lora_A')).toBe(false);
    // Full match, not search: a bare name does not hit a longer module name.
    expect(matchesTargetModules('q_proj', 'model.layers.0.self_attn.q_proj')).toBe(false);
    expect(matchesTargetModules('.*q_proj', 'model.layers.0.self_attn.q_proj')).toBe(true);
    expect(matchesTargetModules('a|model\\.norm', 'model.norm')).toBe(true);
    expect(matchesTargetModules(llmTargetModulesPattern('language_model'), 'model.language_model.layers.2.mlp.up_proj')).toBe(true);
  });

  it('a list matches names and dot-suffixes, so it also hits the vision MLP', () => {
    const list = ['q_proj', 'gate_proj'];
    expect(matchesTargetModules(list, 'model.layers.0.self_attn.q_proj')).toBe(true);
    expect(matchesTargetModules(list, 'visual.blocks.3.mlp.gate_proj')).toBe(true);
    expect(matchesTargetModules(list, 'q_proj')).toBe(true);
    expect(matchesTargetModules(list, 'model.layers.0.self_attn.xq_proj')).toBe(false);
    expect(matchesTargetModules(['self_attn.q_proj'], 'model.layers.0.self_attn.q_proj')).toBe(true);
  });
});

describe('readAdapter', () => {
  it('reads the reference adapters with their key names, in both layouts', () => {
    const a = readAdapter(path.join(ADAPTERS, 'lora-a-r8'), tinyA);
    expect(a.layout).toBe('hub');
    expect(a.config).toMatchObject({ r: 8, loraAlpha: 32, baseModelNameOrPath: '../../models/tiny-a' });
    expect(a.modules.size).toBe(2 * 7);
    const q = a.modules.get('model.layers.0.self_attn.q_proj')!;
    expect(q.a.key).toBe('base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight');
    expect(q.a.shape).toEqual([8, 64]);
    expect(q.b.shape).toEqual([64, 8]);
    const kv = a.modules.get('model.layers.1.self_attn.k_proj')!;
    expect(kv.b.shape).toEqual([32, 8]);

    const c = readAdapter(path.join(ADAPTERS, 'lora-c-r2'), tinyC);
    expect(c.layout).toBe('language_model');
    expect(c.modules.size).toBe(3 * 7);
    expect(c.modules.get('model.layers.2.mlp.down_proj')!.a.key).toBe(
      'base_model.model.model.language_model.layers.2.mlp.down_proj.lora_A.weight',
    );
    expect(adapterKey('model.layers.2.mlp.down_proj', 'B', 'language_model')).toBe(
      'base_model.model.model.language_model.layers.2.mlp.down_proj.lora_B.weight',
    );
  });

  it('round-trips through writeAdapter in the layout asked for, loadable by the same reader', () => {
    const source = readAdapter(path.join(ADAPTERS, 'lora-c-r2'), tinyC);
    const dir = tempDir();
    const modules = [...source.modules].map(([name, m]): [string, { a: TensorSource; b: TensorSource }] => [
      name,
      { a: { shape: m.a.shape, data: () => m.a.read() }, b: { shape: m.b.shape, data: () => m.b.read() } },
    ]);
    writeAdapter(dir, tinyC, modules, { r: 2, loraAlpha: 4, layout: 'language_model', baseModelNameOrPath: 'Qwen/Qwen2.5-VL-7B-Instruct' });
    const json = JSON.parse(readFileSync(path.join(dir, 'adapter_config.json'), 'utf8')) as Record<string, unknown>;
    expect(json).toMatchObject({ peft_type: 'LORA', task_type: 'CAUSAL_LM', bias: 'none', use_dora: false, modules_to_save: null });
    expect(json['target_modules']).toBe(llmTargetModulesPattern('language_model'));
    const back = readAdapter(dir, tinyC);
    expect(back.layout).toBe('language_model');
    for (const [name, m] of source.modules) {
      expect(back.modules.get(name)!.a.read()).toEqual(m.a.read());
      expect(back.modules.get(name)!.b.read()).toEqual(m.b.read());
    }
  });

  it('writes hub keys by default, with a list target if asked', () => {
    const dir = tempDir();
    writeAdapter(dir, tinyA, randomModules(tinyA, 4), { r: 4, loraAlpha: 8, targetModules: [...['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj']] });
    const keys = readSafetensorsHeader(path.join(dir, 'adapter_model.safetensors')).entries.map((e) => e.name);
    expect(keys).toContain('base_model.model.model.layers.1.mlp.gate_proj.lora_B.weight');
    expect(keys.every((k) => k.startsWith('base_model.model.model.layers.'))).toBe(true);
    expect(readAdapter(dir, tinyA).modules.size).toBe(14);
  });

  it('refuses what it cannot compute, naming the file and field or key', () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ use_dora: true }, /use_dora/],
      [{ use_rslora: true }, /use_rslora/],
      [{ bias: 'all' }, /bias/],
      [{ modules_to_save: ['lm_head'] }, /modules_to_save/],
      [{ rank_pattern: { q_proj: 2 } }, /rank_pattern/],
      [{ peft_type: 'IA3' }, /peft_type/],
      [{ lora_bias: true }, /lora_bias/],
      [{ trainable_token_indices: [5, 6] }, /trainable_token_indices/],
    ];
    const original = JSON.parse(readFileSync(path.join(ADAPTERS, 'lora-a-r4', 'adapter_config.json'), 'utf8')) as Record<string, unknown>;
    for (const [patch, message] of cases) {
      const dir = tempDir();
      writeAdapter(dir, tinyA, randomModules(tinyA, 4), { r: 4, loraAlpha: 8 });
      writeJson(path.join(dir, 'adapter_config.json'), { ...original, ...patch });
      const error = failure(() => readAdapter(dir, tinyA));
      expect(error.code).toBe('UNSUPPORTED_ADAPTER');
      expect(error.file).toBe(path.join(dir, 'adapter_config.json'));
      expect(error.message).toMatch(message);
    }
  });

  it("honours exclude_modules: excluded modules need no matrices and may not carry any", () => {
    const dir = tempDir();
    const withoutVProj = randomModules(tinyA, 4).filter(([name]) => !name.endsWith('v_proj'));
    writeAdapter(dir, tinyA, withoutVProj, { r: 4, loraAlpha: 8 });
    expect(failure(() => readAdapter(dir, tinyA)).code).toBe('MISSING_TENSOR');
    const cfg = JSON.parse(readFileSync(path.join(dir, 'adapter_config.json'), 'utf8')) as Record<string, unknown>;
    writeJson(path.join(dir, 'adapter_config.json'), { ...cfg, exclude_modules: ['v_proj'] });
    const adapter = readAdapter(dir, tinyA);
    expect(adapter.modules.size).toBe(12);
    expect(adapter.config.excludeModules).toEqual(['v_proj']);
    writeJson(path.join(dir, 'adapter_config.json'), { ...cfg, exclude_modules: '.*\\.(q_proj|v_proj)' });
    expect(failure(() => readAdapter(dir, tinyA))).toMatchObject({ code: 'UNEXPECTED_TENSOR', tensor: 'base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight' });
  });

  it('refuses missing, surplus, misshapen and vision keys', () => {
    const dir = tempDir();
    writeAdapter(dir, tinyA, randomModules(tinyA, 4).slice(1), { r: 4, loraAlpha: 8 });
    let error = failure(() => readAdapter(dir, tinyA));
    expect(error.code).toBe('MISSING_TENSOR');
    expect(error.tensor).toBe('base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight');

    const wrongRank = tempDir();
    writeAdapter(wrongRank, tinyA, randomModules(tinyA, 4), { r: 4, loraAlpha: 8 });
    const cfg = JSON.parse(readFileSync(path.join(wrongRank, 'adapter_config.json'), 'utf8')) as Record<string, unknown>;
    writeJson(path.join(wrongRank, 'adapter_config.json'), { ...cfg, r: 8 });
    error = failure(() => readAdapter(wrongRank, tinyA));
    expect(error.code).toBe('SHAPE_MISMATCH');
    expect(error.file).toBe(path.join(wrongRank, 'adapter_model.safetensors'));

    // An adapter for another base (tiny-a's adapter on tiny-c's shapes).
    error = failure(() => readAdapter(path.join(ADAPTERS, 'lora-a-r4'), tinyC));
    expect(error.code).toBe('SHAPE_MISMATCH');
    expect(error.tensor).toMatch(/^base_model\.model\.model\.layers\.0\./);

    const vision = tempDir();
    writeJson(path.join(vision, 'adapter_config.json'), { ...cfg, target_modules: ['gate_proj'] });
    writeRawSafetensors(path.join(vision, 'adapter_model.safetensors'), [
      { name: 'base_model.model.visual.blocks.0.mlp.gate_proj.lora_A.weight', dtype: 'F32', shape: [4, 32], bytes: new Uint8Array(4 * 32 * 4) },
    ]);
    error = failure(() => readAdapter(vision, tinyA));
    expect(error.code).toBe('UNSUPPORTED_ADAPTER');
    expect(error.message).toContain('visual.blocks.0.mlp.gate_proj');

    const stray = tempDir();
    writeJson(path.join(stray, 'adapter_config.json'), cfg);
    writeRawSafetensors(path.join(stray, 'adapter_model.safetensors'), [
      { name: 'base_model.model.model.embed_tokens.lora_embedding_A', dtype: 'F32', shape: [4, 320], bytes: new Uint8Array(4 * 320 * 4) },
    ]);
    error = failure(() => readAdapter(stray, tinyA));
    expect(error.code).toBe('UNEXPECTED_TENSOR');
    expect(error.tensor).toBe('base_model.model.model.embed_tokens.lora_embedding_A');
  });

  it('writeAdapter refuses modules the target would not load and wrong shapes', () => {
    const modules = randomModules(tinyA, 4);
    expect(() => writeAdapter(tempDir(), tinyA, modules, { r: 4, loraAlpha: 8, targetModules: '^model\\.layers\\.0\\..*$' })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', tensor: 'model.layers.1.self_attn.q_proj' }),
    );
    expect(() => writeAdapter(tempDir(), tinyA, modules, { r: 2, loraAlpha: 8 })).toThrow(expect.objectContaining({ code: 'SHAPE_MISMATCH' }));
    expect(() =>
      writeAdapter(tempDir(), tinyA, [['visual.blocks.0.attn.qkv', modules[0]![1]]], { r: 4, loraAlpha: 8 }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});

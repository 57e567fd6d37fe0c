// A Qwen2.5-VL model config is checked before any work, with the field named: a missing
// directory, a checkpoint of another architecture, a LoRA target that selects nothing.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { createTinyQwenCheckpoint } from '@video-r1/qwen-vl';
import { describe, expect, it } from 'vitest';

import { preflight } from '../src/config/preflight.js';
import { flagsToConfig } from '../src/config/flags.js';
import { ConfigError, mergeConfig, resolveConfig, validateConfig } from '../src/config/resolve.js';
import { presetConfig } from '../src/config/presets.js';
import type { PartialConfig } from '../src/config/types.js';
import { APP_DIR, tempDir } from './helpers.js';

function check(overrides: PartialConfig): ConfigError {
  const config = validateConfig(mergeConfig(presetConfig('qwen-tiny'), overrides), 'test');
  try {
    preflight(config);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('preflight accepted the config');
}

describe('qwen2.5-vl model config', () => {
  const dir = tempDir('qwen-config');
  const good = path.join(dir, 'tiny');
  createTinyQwenCheckpoint(good, { corpus: ['hello'], config: { num_hidden_layers: 1 } });

  it('accepts the qwen-tiny preset and a real checkpoint with existing LoRA targets', () => {
    expect(() => preflight(presetConfig('qwen-tiny'))).not.toThrow();
    expect(() => preflight(validateConfig(mergeConfig(presetConfig('qwen-tiny'), { model: { dir: good } }), 'test'))).not.toThrow();
  });

  it('names model.dir for a missing directory and for a checkpoint of another architecture', () => {
    const missing = check({ model: { dir: path.join(dir, 'nope') } });
    expect(missing.message).toMatch(/model\.dir: .*nope is not a directory/);
    const llama = path.join(dir, 'llama');
    mkdirSync(llama);
    writeFileSync(path.join(llama, 'config.json'), JSON.stringify({ architectures: ['LlamaForCausalLM'], model_type: 'llama' }));
    expect(check({ model: { dir: llama } }).message).toMatch(/model\.dir: .*LlamaForCausalLM/);
  });

  it('names model.adapter.targetModules for a target that selects no decoder linear', () => {
    const error = check({ model: { dir: good, adapter: { r: 4, alpha: 8, targetModules: ['q_proj', 'qkv_proj'] } } });
    expect(error.message).toMatch(/model\.adapter\.targetModules: "qkv_proj" selects no decoder linear/);
    expect(error.message).not.toMatch(/"q_proj"/);
  });

  it('takes rl.microBatchSize (1 in the video-r1 preset, unset in qwen-tiny) and names it when not a positive integer', () => {
    expect(presetConfig('video-r1').rl.microBatchSize).toBe(1);
    expect(presetConfig('qwen-tiny').rl.microBatchSize).toBeUndefined();
    expect(validateConfig(mergeConfig(presetConfig('qwen-tiny'), { rl: { microBatchSize: 3 } }), 'test').rl.microBatchSize).toBe(3);
    for (const bad of [0, -2, 1.5]) {
      let error: unknown;
      try {
        validateConfig(mergeConfig(presetConfig('qwen-tiny'), { rl: { microBatchSize: bad } }), 'test');
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).message).toMatch(/rl\.microBatchSize/);
      expect((error as ConfigError).fields).toContain('rl.microBatchSize');
    }
  });

  it('refuses server rollouts with full fine-tuning, and video-r1 without --model', () => {
    expect(check({ model: { dir: good, adapter: 'full' }, rl: { rollout: { server: 'http://127.0.0.1:8000/v1', baseModel: 'base' } } }).message).toMatch(/rl\.rollout: .*LoRA/);
    const config = resolveConfig({ flags: flagsToConfig({ preset: 'video-r1' }), appDir: APP_DIR });
    expect(() => preflight(config)).toThrow(/model\.dir: preset video-r1 needs a Qwen2\.5-VL checkpoint directory \(--model <dir>\)/);
    const withModel = resolveConfig({ flags: flagsToConfig({ preset: 'video-r1', model: good, rollout: 'http://127.0.0.1:8000/v1' }), appDir: APP_DIR });
    expect(withModel.model).toMatchObject({ family: 'qwen2.5-vl', dir: good });
    expect(withModel.rl.rollout).toEqual({ server: 'http://127.0.0.1:8000/v1', baseModel: 'base' });
  });
});

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkUnknownFlags, flagsToConfig } from '../src/config/flags.js';
import { PRESET_NAMES, presetConfig } from '../src/config/presets.js';
import { ConfigError, resolveConfig, upgradeRunConfig, validateConfig } from '../src/config/resolve.js';

const appDir = '/app/trainer';

function expectConfigError(fn: () => unknown, field: string, text?: RegExp): ConfigError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ConfigError);
  const error = caught as ConfigError;
  expect(error.fields).toContain(field);
  expect(error.message).toContain(field);
  if (text) expect(error.message).toMatch(text);
  return error;
}

function writeConfig(content: unknown): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'trainer-config-'));
  const file = path.join(dir, 'config.json');
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

describe('presets', () => {
  it.each(PRESET_NAMES)('%s validates against the schema', (name) => {
    expect(() => validateConfig(presetConfig(name), name)).not.toThrow();
  });

  it('video-r1 carries the published Video-R1 settings', () => {
    const c = presetConfig('video-r1');
    expect(c.video).toMatchObject({ frames: 16, fps: 2, minFrames: 4, maxPixels: 128 * 28 * 28, outputSize: null });
    expect(c.rl).toMatchObject({ algo: 'tgrpo', numGenerations: 8, lr: 1e-6, beta: 0.04, maxCompletionLength: 768, maxGradNorm: 5, weightDecay: 0.01 });
    expect(c.rl.lengthControl).toMatchObject({ minLength: 320, maxLength: 512, bonus: 0.2 });
    expect(c.rl.temporal).toEqual({ ratio: 0.8, bonus: 0.3 });
    expect(c.sft.lr).toBe(1e-6);
  });
});

describe('resolveConfig', () => {
  it('applies preset, then file, then flags', () => {
    const file = writeConfig({ seed: 7, rl: { steps: 12, beta: 0.1 } });
    const config = resolveConfig({ file, flags: flagsToConfig({ beta: '0.2' }), appDir });
    expect(config.seed).toBe(7);
    expect(config.rl.steps).toBe(12);
    expect(config.rl.beta).toBe(0.2);
    expect(config.rl.numGenerations).toBe(presetConfig('default').rl.numGenerations);
  });

  it('puts runs under the app directory by default and resolves --out against the caller', () => {
    expect(resolveConfig({ appDir }).out).toBe(path.join(appDir, 'runs'));
    expect(resolveConfig({ appDir, cwd: '/work', flags: flagsToConfig({ out: 'x' }) }).out).toBe('/work/x');
  });

  it('resolves data paths of a config file against the file', () => {
    const file = writeConfig({ data: { source: 'files', files: { train: 'a.json', sft: null, validation: null, test: 't.json', dataRoot: 'media' } } });
    const config = resolveConfig({ file, appDir });
    expect(config.data.files?.train).toBe(path.join(path.dirname(file), 'a.json'));
    expect(config.data.files?.dataRoot).toBe(path.join(path.dirname(file), 'media'));
  });

  it('names a misspelt key', () => {
    const file = writeConfig({ rl: { lernRate: 1 } });
    expectConfigError(() => resolveConfig({ file, appDir }), 'rl.lernRate', /unknown setting/);
  });

  it('names an out-of-range value and shows it', () => {
    const file = writeConfig({ rl: { numGenerations: 1 } });
    expectConfigError(() => resolveConfig({ file, appDir }), 'rl.numGenerations', /must be >= 2, got 1/);
    expectConfigError(() => resolveConfig({ file: writeConfig({ rl: { warmupRatio: 1.5 } }), appDir }), 'rl.warmupRatio', /must be <= 1/);
  });

  it('resumes a run whose config.json predates rl.warmupRatio with no warm-up, as it was started', () => {
    const old = presetConfig('default') as unknown as { rl: Record<string, unknown> };
    delete old.rl['warmupRatio'];
    expect(() => validateConfig(old, 'old run')).toThrow(/warmupRatio/);
    expect(validateConfig(upgradeRunConfig(old), 'old run').rl.warmupRatio).toBe(0);
  });

  it('names a wrong enum value with the allowed ones', () => {
    const file = writeConfig({ rl: { algo: 'ppo' } });
    expectConfigError(() => resolveConfig({ file, appDir }), 'rl.algo', /"grpo" \| "tgrpo"/);
  });

  it('reports every bad field at once', () => {
    const file = writeConfig({ seed: -1, rl: { topP: 2 } });
    const error = expectConfigError(() => resolveConfig({ file, appDir }), 'seed');
    expect(error.fields).toContain('rl.topP');
  });

  it('checks rules across fields', () => {
    const file = writeConfig({ rl: { lengthControl: { minLength: 50, maxLength: 10 } } });
    expectConfigError(() => resolveConfig({ file, appDir }), 'rl.lengthControl.minLength', /<= rl.lengthControl.maxLength/);
    expectConfigError(() => resolveConfig({ file: writeConfig({ data: { source: 'files' } }), appDir }), 'data.files');
  });

  it('rejects an unreadable or non-JSON config file', () => {
    expectConfigError(() => resolveConfig({ file: '/nonexistent/c.json', appDir }), '--config', /cannot read/);
    expectConfigError(() => resolveConfig({ file: writeConfig('{ "seed": 1,'), appDir }), '--config', /not valid JSON/);
  });

  it('rejects an unknown preset', () => {
    expectConfigError(() => resolveConfig({ flags: flagsToConfig({ preset: 'huge' }), appDir }), '--preset', /default \| video-r1 \| smoke/);
  });
});

describe('flags', () => {
  it('parses numbers strictly and names the flag', () => {
    expectConfigError(() => flagsToConfig({ lr: 'fast' }), '--lr', /expected a number, got "fast"/);
    expectConfigError(() => flagsToConfig({ steps: '2.5' }), '--steps', /expected an integer/);
    expectConfigError(() => flagsToConfig({ algo: 'ppo' }), '--algo', /grpo \| tgrpo/);
    expect(flagsToConfig({ 'num-generations': '4', frames: '8', seed: '3' })).toEqual({ rl: { numGenerations: 4 }, video: { frames: 8 }, seed: 3 });
  });

  it('leaves range checks to the schema, with the same message as a file', () => {
    expectConfigError(() => resolveConfig({ flags: flagsToConfig({ lr: '-1' }), appDir }), 'rl.lr', /must be > 0/);
  });

  it('refuses unknown flags and stray arguments', () => {
    expectConfigError(() => checkUnknownFlags({ _: [], stepz: true }), '--stepz');
    expectConfigError(() => checkUnknownFlags({ _: ['3'] }), '(arguments)');
    expect(() => checkUnknownFlags({ _: [], 'num-generations': '4', numGenerations: '4' })).not.toThrow();
  });
});

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, DEFAULTS, configFromFlags, readConfigFile, resolveConfig } from '../src/config.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'evaluator-config-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function configFile(value: unknown): Promise<string> {
  const file = join(dir, 'eval.json');
  await writeFile(file, typeof value === 'string' ? value : JSON.stringify(value));
  return file;
}

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('config file', () => {
  it('accepts a valid file and lets flags override it', async () => {
    const file = await configFile({ benchmarks: ['vsibench'], frames: [16, 32], profile: 'lmms-eval', decoding: { temperature: 0.2 } });
    const config = resolveConfig(readConfigFile(file), configFromFlags({ frames: '64', topP: '0.9' }));
    expect(config.frames).toEqual([64]);
    expect(config.benchmarks).toEqual(['vsibench']);
    expect(config.profile).toBe('lmms-eval');
    expect(config.decoding).toEqual({ temperature: 0.2, top_p: 0.9, max_tokens: DEFAULTS.decoding.max_tokens });
  });

  it('names every bad field', async () => {
    const file = await configFile({ frames: [16, '32'], profile: 'lmms', concurrency: 0, decoding: { top_p: 0 }, framez: [1] });
    const problems = problemsOf(() => readConfigFile(file));
    expect(problems).toEqual(
      expect.arrayContaining([
        'frames[1] must be integer',
        'profile must be one of "video-r1", "lmms-eval"',
        'concurrency must be >= 1',
        'decoding.top_p must be > 0',
        expect.stringMatching(/^unknown field "framez"; known fields: model, /),
      ]),
    );
    expect(problems).toHaveLength(5);
  });

  it('reports JSON syntax errors with the file name', async () => {
    const file = await configFile('{"frames": [16,]}');
    expect(() => readConfigFile(file)).toThrow(new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\n  - not valid JSON`));
  });
});

describe('flags', () => {
  it('parses lists and numbers', () => {
    expect(configFromFlags({ frames: '16, 32,64', benchmarks: 'vsibench,mvbench', limit: '10', resume: true })).toEqual({ frames: [16, 32, 64], benchmarks: ['vsibench', 'mvbench'], limit: 10, resume: true });
  });

  it('names the flag in errors', () => {
    expect(problemsOf(() => configFromFlags({ frames: '16,,32' }))).toEqual(['--frames expects a comma-separated list without empty items, got "16,,32"']);
    expect(problemsOf(() => configFromFlags({ limit: 'ten' }))).toEqual(['--limit expects a number, got "ten"']);
    expect(problemsOf(() => configFromFlags({ frames: '1', concurrency: '2.5', profile: 'x' }))).toEqual(['--frames[0] must be >= 2', '--concurrency must be integer', '--profile must be one of "video-r1", "lmms-eval"']);
  });
});

describe('numbers a double cannot hold', () => {
  it('says the number is out of range instead of a misleading type error', async () => {
    // JSON.parse reads 1e400 as Infinity, which the schema would call "not an integer".
    const file = await configFile('{ "maxPixels": 1e400, "decoding": { "temperature": -1e999 } }');
    expect(problemsOf(() => readConfigFile(file))).toEqual([
      'maxPixels: the number is out of range (beyond ±1.8e308 it reads as Infinity); write a finite number',
      'decoding.temperature: the number is out of range (beyond ±1.8e308 it reads as -Infinity); write a finite number',
    ]);
  });
});

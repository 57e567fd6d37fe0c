import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, resolveConfig } from '../src/config/resolve.js';
import { APP_DIR, tempDir } from './helpers.js';

describe('numbers a double cannot hold', () => {
  it('names the field and says the number is out of range, where the schema said "got null"', () => {
    const file = path.join(tempDir('numbers'), 'config.json');
    // JSON.parse('1e400') is Infinity, and JSON.stringify(Infinity) is "null".
    writeFileSync(file, '{ "rl": { "lr": 1e400 }, "seed": 3, "video": { "frames": -1e999 } }');
    let caught: unknown;
    try {
      resolveConfig({ file, appDir: APP_DIR });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const error = caught as ConfigError;
    expect(error.fields).toEqual(['rl.lr', 'video.frames']);
    expect(error.message).toContain('rl.lr: the number is out of range (beyond ±1.8e308 it reads as Infinity); write a finite number');
    expect(error.message).toContain('video.frames: the number is out of range (beyond ±1.8e308 it reads as -Infinity)');
    expect(error.message).not.toContain('null');
  });
});

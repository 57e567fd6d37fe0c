// A Qwen2.5-VL run stopped by SIGKILL during SFT and by SIGTERM during RL, resumed each time,
// records exactly the metrics and the evaluation of an uninterrupted run (cpu backend, bitwise):
// full-weight SFT checkpoints, LoRA adapter checkpoints and AdamW moments restore exactly.
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { beforeAll, describe, expect, it } from 'vitest';

import { presetConfig } from '../src/config/presets.js';
import { QwenCheckpoints } from '../src/qwen/checkpoints.js';
import { runPaths } from '../src/run/run-dir.js';
import { metricLines, startTrainer, tempDir, testSet, tinyConfig, waitFor, withoutTiming, writeJson } from './helpers.js';

const key = (r: { stage: string; step: number }): string => `${r.stage}:${r.step}`;

describe('Qwen2.5-VL kill and resume', () => {
  let out: string;
  let configFile: string;

  beforeAll(async () => {
    await testSet();
    out = tempDir('qwen-resume');
    const base = tinyConfig();
    configFile = writeJson(path.join(out, 'config.json'), {
      ...base,
      preset: 'qwen-tiny',
      video: { frames: 4, maxPixels: 56 * 56, outputSize: { height: 56, width: 56 } },
      model: presetConfig('qwen-tiny').model,
      data: { ...base.data, maxTrain: 8, maxTest: 3 },
      sft: { epochs: 1, batchSize: 2, lr: 5e-3, loss: 'completion' },
      rl: { steps: 4, numGenerations: 2, promptsPerStep: 1, maxCompletionLength: 8, rollout: 'local' },
      schedule: { checkpointEvery: 1, sftCheckpointEvery: 1, validateEvery: 0, validationSamples: 4, keepCheckpoints: 2 },
      eval: { maxNewTokens: 6, baseline: false, sft: false },
    });
  }, 120_000);

  it('continues exactly after SIGKILL (SFT) and SIGTERM (RL)', async () => {
    const whole = startTrainer(['--config', configFile, '--out', out, '--run-id', 'whole']);
    const paths = runPaths(path.join(out, 'cut'));
    const first = startTrainer(['--config', configFile, '--out', out, '--run-id', 'cut']);
    await waitFor(() => metricLines(paths.metrics).some((r) => r.stage === 'sft' && r.step >= 2), 200_000, 'SFT step 2');
    first.kill('SIGKILL');
    expect((await first.done).signal).toBe('SIGKILL');

    const second = startTrainer(['--resume', paths.root]);
    await waitFor(() => metricLines(paths.metrics).some((r) => r.stage === 'rl' && r.step >= 2), 200_000, 'RL step 2');
    second.kill('SIGTERM');
    const stopped = await second.done;
    expect(stopped.code, stopped.stderr).toBe(143);
    const lastStep = Math.max(...metricLines(paths.metrics).filter((r) => r.stage === 'rl').map((r) => r.step));
    expect(lastStep).toBeLessThan(4);
    expect(new QwenCheckpoints(paths, 2).list()[0]).toBe(`rl-${String(lastStep).padStart(6, '0')}`);

    const third = await startTrainer(['--resume', paths.root]).done;
    expect(third.code, third.stderr).toBe(0);
    const wholeResult = await whole.done;
    expect(wholeResult.code, wholeResult.stderr).toBe(0);

    const expected = metricLines(runPaths(path.join(out, 'whole')).metrics);
    expect(expected.filter((r) => r.stage === 'rl').map((r) => r.step)).toEqual([1, 2, 3, 4]);
    const actual = metricLines(paths.metrics);
    expect(actual.map(key)).toEqual(expected.map(key));
    expect(actual.map(withoutTiming)).toEqual(expected.map(withoutTiming));
    const evalOf = (dir: string): unknown => JSON.parse(readFileSync(path.join(dir, 'eval.json'), 'utf8'));
    expect(evalOf(paths.root)).toEqual(evalOf(path.join(out, 'whole')));
  }, 600_000);
});

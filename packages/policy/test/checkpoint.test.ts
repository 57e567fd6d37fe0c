import { mkdtemp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { tf } from '@video-r1/tensor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { AdamOptimizer, CheckpointError, completionLogProbs, loadCheckpoint, saveCheckpoint } from '../src/index.js';
import { PROMPTS, TARGETS, movingFrames, tinyPolicy } from './helpers.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'policy-ckpt-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const policy = tinyPolicy();
const frames = movingFrames();
const inputs = [{ prompt: PROMPTS[0]!, frames }, { prompt: PROMPTS[1]! }];
const completions = TARGETS.map((t) => [...policy.tokenizer.encode(t), policy.tokenizer.eosId]);
const logps = (p: typeof policy): number[][] => tf.tidy(() => completionLogProbs(p, inputs, completions).arraySync());

describe('checkpoints', () => {
  it('save → load gives identical log-probs, optimizer state and training state', async () => {
    const optimizer = new AdamOptimizer(policy, { learningRate: 1e-2 });
    optimizer.minimize(() => tf.neg(tf.mean(completionLogProbs(policy, inputs, completions))) as tf.Scalar);
    const target = path.join(dir, 'step-1');
    const trainingState = { stage: 'sft', step: 1, cursor: [3, 1], seed: 7 };
    const manifest = await saveCheckpoint(target, { policy, optimizer, trainingState });
    expect(Object.keys(manifest.files).sort()).toEqual(
      ['config.json', 'optimizer.bin', 'optimizer.json', 'tokenizer.json', 'training-state.json', 'weights.bin'].sort(),
    );
    // Only the final directory remains: no temporary or old directories.
    expect(await readdir(dir)).toEqual(['step-1']);

    const loaded = await loadCheckpoint(target);
    expect(logps(loaded.policy)).toEqual(logps(policy));
    expect(loaded.trainingState).toEqual(trainingState);
    const saved = optimizer.getState();
    expect(loaded.optimizerState?.step).toBe(1);
    expect(loaded.optimizerState?.m).toEqual(saved.m);
    expect(loaded.optimizerState?.v).toEqual(saved.v);

    // One more identical step from both sides gives identical weights.
    const resumed = AdamOptimizer.fromState(loaded.policy, loaded.optimizerState!);
    resumed.minimize(() => tf.neg(tf.mean(completionLogProbs(loaded.policy, inputs, completions))) as tf.Scalar);
    optimizer.minimize(() => tf.neg(tf.mean(completionLogProbs(policy, inputs, completions))) as tf.Scalar);
    expect(loaded.policy.readWeights()).toEqual(policy.readWeights());
    loaded.policy.dispose();
    resumed.dispose();
    optimizer.dispose();
  });

  it('replaces an existing checkpoint atomically', async () => {
    const target = path.join(dir, 'replace');
    await saveCheckpoint(target, { policy, trainingState: { step: 1 } });
    await saveCheckpoint(target, { policy, trainingState: { step: 2 } });
    expect((await readdir(dir)).filter((n) => n.startsWith('replace'))).toEqual(['replace']);
    const loaded = await loadCheckpoint(target, { trainable: false });
    expect(loaded.trainingState).toEqual({ step: 2 });
    expect(loaded.policy.trainable).toBe(false);
    loaded.policy.dispose();
  });

  it('refuses a truncated file, naming it', async () => {
    const target = path.join(dir, 'truncated');
    await saveCheckpoint(target, { policy });
    const weights = path.join(target, 'weights.bin');
    await truncate(weights, 100);
    const error = await loadCheckpoint(target).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CheckpointError);
    expect((error as CheckpointError).file).toBe('weights.bin');
    expect((error as Error).message).toMatch(/weights\.bin is damaged: 100 bytes on disk/);
  });

  it('refuses a corrupted byte (same size) and a missing manifest', async () => {
    const target = path.join(dir, 'corrupt');
    await saveCheckpoint(target, { policy });
    const file = path.join(target, 'tokenizer.json');
    const data = await readFile(file);
    data[10] = data[10]! ^ 1;
    await writeFile(file, data);
    await expect(loadCheckpoint(target)).rejects.toThrow(/tokenizer\.json is damaged: its sha256 does not match/);
    await rm(path.join(target, 'manifest.json'));
    await expect(loadCheckpoint(target)).rejects.toThrow(/manifest\.json is missing/);
    await expect(loadCheckpoint(path.join(dir, 'nope'))).rejects.toThrow(/does not exist/);
  });
});

// A run over a training file with a missing video and a corrupt one, and with a NaN loss injected at
// RL step 2: the bad samples are skipped with a warning and counted, the poisoned update is skipped,
// and the run finishes.
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../src/config/resolve.js';
import { runPipeline } from '../src/pipeline.js';
import { readMetrics } from '../src/run/metrics.js';
import { Progress } from '@video-r1/cli-kit';
import { createRunDir } from '../src/run/run-dir.js';
import { StopRequest } from '../src/run/signals.js';
import { APP_DIR, TEST_CACHE, tempDir, testSet, tinyConfig, writeJson } from './helpers.js';

describe('robustness', () => {
  let logText = '';
  let runRoot = '';

  beforeAll(async () => {
    const set = await testSet();
    const out = tempDir('robust');
    // Six training questions: two whose media cannot be read, four good ones.
    const records = JSON.parse(readFileSync(set.train, 'utf8')) as Array<Record<string, unknown>>;
    const videos = records.filter((r) => r['data_type'] === 'video');
    const good = videos.slice(0, 4);
    const corruptPath = './media/train/corrupt-for-test.mp4';
    writeFileSync(path.join(set.root, corruptPath), Buffer.from('this is not an mp4 file'.repeat(40)));
    const bad = [
      { ...videos[4], problem_id: 9001, path: './media/train/missing-for-test.mp4' },
      { ...videos[5], problem_id: 9002, path: corruptPath },
    ];
    const train = writeJson(path.join(out, 'train.json'), [bad[0], ...good.slice(0, 2), bad[1], ...good.slice(2)]);
    const test = path.join(out, 'test.json');
    copyFileSync(set.test, test);
    const file = writeJson(
      path.join(out, 'config.json'),
      tinyConfig({
        data: { source: 'files', files: { train, sft: train, validation: null, test, dataRoot: set.root } },
        rl: { steps: 6 },
        schedule: { checkpointEvery: 1, validateEvery: 0, keepCheckpoints: 10 },
        debug: { nanLossAtSteps: [2] },
      }),
    );
    const config = resolveConfig({ file, flags: { out }, cwd: out, appDir: APP_DIR });
    const paths = createRunDir(config);
    runRoot = paths.root;
    const stream = new PassThrough();
    stream.on('data', (d: Buffer) => (logText += d.toString()));
    await runPipeline({
      config,
      paths,
      resumed: false,
      progress: new Progress({ stream: stream as unknown as NodeJS.WriteStream }),
      stop: new StopRequest(),
      frameCacheDir: path.join(TEST_CACHE, 'frames'),
    });
  }, 180_000);

  it('skips unreadable videos with one warning each, counts them, and finishes', () => {
    expect(logText).toMatch(/warning: skipping train:9001: cannot read video .*missing-for-test\.mp4/);
    expect(logText).toMatch(/warning: skipping train:9002: cannot read video .*corrupt-for-test\.mp4/);
    expect(logText.match(/skipping train:9001/g)).toHaveLength(1);
    const rl = readMetrics(path.join(runRoot, 'metrics.jsonl')).filter((r) => r.stage === 'rl');
    expect(rl.map((r) => r.step)).toEqual([1, 2, 3, 4, 5, 6]);
    // Six steps walk through the whole (shuffled) file at least once: both bad ones were met.
    expect(rl[rl.length - 1]!['skipped_samples_total']).toBeGreaterThanOrEqual(2);
    expect(rl.reduce((n, r) => n + (r['skipped_samples'] as number), 0)).toBe(rl[rl.length - 1]!['skipped_samples_total']);
    const evaluation = JSON.parse(readFileSync(path.join(runRoot, 'eval.json'), 'utf8')) as { count: number };
    expect(evaluation.count).toBeGreaterThan(0);
  });

  it('skips the update of a NaN loss, logs it, and goes on', () => {
    const rl = readMetrics(path.join(runRoot, 'metrics.jsonl')).filter((r) => r.stage === 'rl');
    expect(rl[1]).toMatchObject({ step: 2, update_skipped: true, loss: null });
    expect(rl.filter((r) => r['update_skipped']).map((r) => r.step)).toEqual([2]);
    expect(logText).toMatch(/RL step 2: loss is NaN; update skipped/);
    // The weights after step 2 are those after step 1; step 3 changes them again.
    const weights = (step: number) => readFileSync(path.join(runRoot, 'checkpoints', `rl-${String(step).padStart(6, '0')}`, 'weights.bin'));
    expect(weights(2).equals(weights(1))).toBe(true);
    expect(weights(3).equals(weights(2))).toBe(false);
  });
});

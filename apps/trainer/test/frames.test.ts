// The frames of a sample are the same in training, in the trainer's test evaluation and in the
// evaluator: all read through one video-io FrameSource request, which every checkpoint records
// and the evaluator reads back (apps/evaluator/test/policy-model.test.ts checks that side).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { VideoR1Record } from '@video-r1/datasets';
import { Tokenizer, capFrameRequest, createPolicy, loadCheckpoint, policyAdapter } from '@video-r1/policy';
import { selectBackend } from '@video-r1/tensor';
import { type FrameStack, writeImage, writeVideo } from '@video-r1/video-io';
import { beforeAll, describe, expect, it } from 'vitest';
import { presetConfig } from '../src/config/presets.js';
import type { PresetName } from '../src/config/types.js';
import type { Sample } from '../src/data/dataset.js';
import { MediaSource, trainerFrameRequest } from '../src/data/media.js';
import { evaluationAdapter } from '../src/evaluation/evaluate.js';
import { Checkpoints } from '../src/run/checkpoints.js';
import { runPaths } from '../src/run/run-dir.js';

const root = mkdtempSync(path.join(tmpdir(), 'trainer-frames-'));

function pixels(frames: number, height: number, width: number): FrameStack {
  const data = new Uint8Array(frames * height * width * 3);
  for (let i = 0; i < data.length; i++) data[i] = (i * 7 + Math.floor(i / (height * width * 3)) * 41) % 256;
  return { data, frames, height, width };
}

function sample(file: string, dataType: 'video' | 'image'): Sample {
  const record: VideoR1Record = { problem: 'What moves?', problem_type: 'free-form', data_type: dataType, solution: '<answer>x</answer>', path: `./${file}` };
  return { id: `test:${file}`, record, dataType, problemType: 'free-form', solution: 'x', task: null, temporal: false, trainPrompt: 'p', evalPrompt: 'p' };
}

const same = (a: FrameStack | null, b: FrameStack | null): boolean =>
  a !== null && b !== null && a.frames === b.frames && a.height === b.height && a.width === b.width && Buffer.from(a.data).equals(Buffer.from(b.data));

beforeAll(async () => {
  await selectBackend('cpu', { log: false });
  await writeVideo(path.join(root, 'clip.mp4'), pixels(40, 48, 64), { fps: 8 });
  const image = pixels(1, 40, 56);
  await writeImage(path.join(root, 'pic.png'), { data: image.data, height: image.height, width: image.width });
});

describe.each<PresetName>(['default', 'smoke'])('preset %s', (preset) => {
  it("training, the trainer's test evaluation and the evaluator's reading of its checkpoint see identical frames", async () => {
    const config = presetConfig(preset);
    const media = new MediaSource(root, config.video, null, (line) => {
      throw new Error(line);
    });
    const policy = createPolicy({ dModel: 16, nLayers: 1, nHeads: 2, dFF: 32 }, Tokenizer.fit(['What moves? p <answer>x</answer>']));
    const checkpoints = new Checkpoints(runPaths(path.join(root, `run-${preset}`)), 2, trainerFrameRequest(config.video));
    await checkpoints.save('final', policy, null, { stage: 'done', rlSteps: 0, elapsedMs: 0 });
    const saved = await loadCheckpoint(checkpoints.dir('final'));
    expect(saved.frames).toEqual(media.request);

    const evalOptions = { maxNewTokens: 1, temperature: 0, topP: 1, seed: 0, batchSize: 4, template: 'eval' as const, benchmark: 'b', modelName: 'm', outputPath: null, maxFrames: config.video.frames, maxPixels: config.video.maxPixels };
    const trainerEval = evaluationAdapter(policy, media, evalOptions);
    // What apps/evaluator's policyModel builds for a checkpoint, at its default frame budget (16).
    const evaluator = policyAdapter({ policy: saved.policy, frameRequest: saved.frames! });
    for (const [file, kind] of [['clip.mp4', 'video'], ['pic.png', 'image']] as const) {
      const training = await media.frames(sample(file, kind));
      expect(training).not.toBeNull();
      const request = { prompt: 'p', media: { kind, path: path.join(root, file) }, maxFrames: 16 };
      const fromTrainerEval = await trainerEval.framesFor(request);
      const fromEvaluator = await evaluator.framesFor(request);
      expect(fromTrainerEval).toBe(training);
      expect(same(fromEvaluator, training), `${preset} ${file}: evaluator frames differ`).toBe(true);
    }
    // Control: the policy's own request (what an evaluator without the recorded request would read) differs for smoke.
    const own = await policyAdapter({ policy }).framesFor({ prompt: 'p', media: { kind: 'video', path: path.join(root, 'clip.mp4') }, maxFrames: 16 });
    expect(same(own, await media.frames(sample('clip.mp4', 'video')))).toBe(preset === 'default');
    expect(capFrameRequest(saved.frames!, 16, saved.policy.config.vision).maxFrames).toBe(config.video.frames);
    for (const p of [policy, saved.policy]) p.dispose();
  });
});

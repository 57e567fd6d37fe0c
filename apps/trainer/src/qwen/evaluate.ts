// The test evaluation of a model of the model interface (a Qwen2.5-VL policy) through the same
// @video-r1/eval runner, scores and summary as the small policy's (`evaluatePolicy`), answering
// with @video-r1/qwen-vl's `modelEvalAdapter` on the trainer's own frames.
import { runEvaluation } from '@video-r1/eval';
import type { VisionLanguageModel } from '@video-r1/model-api';
import { modelEvalAdapter } from '@video-r1/qwen-vl';
import { formatRewards } from '@video-r1/rewards';

import type { Sample } from '../data/dataset.js';
import type { MediaSource } from '../data/media.js';
import { type EvaluateOptions, type Evaluation, sampleScore, summarizeScores } from '../evaluation/evaluate.js';

export async function evaluateModel(model: VisionLanguageModel<unknown>, samples: readonly Sample[], media: MediaSource, options: EvaluateOptions): Promise<Evaluation> {
  const readable: Sample[] = [];
  for (const sample of samples) if ((await media.frames(sample)) !== null) readable.push(sample);
  const byRecord = new Map(readable.map((s) => [s.record, s]));
  const adapter = modelEvalAdapter({
    model,
    frames: media.source,
    name: options.modelName,
    maxNewTokens: options.maxNewTokens,
    temperature: options.temperature,
    topP: options.topP,
    seed: options.seed,
    batchSize: options.batchSize,
  });
  const run = await runEvaluation({
    benchmark: options.benchmark,
    samples: readable.map((s) => s.record),
    adapter,
    outputPath: options.outputPath,
    dataRoot: media.dataRoot,
    maxFrames: options.maxFrames,
    maxPixels: options.maxPixels,
    profile: 'video-r1',
    concurrency: options.batchSize,
    batchSize: options.batchSize,
    prompt: (record) => {
      const sample = byRecord.get(record)!;
      return options.template === 'eval' ? sample.evalPrompt : sample.trainPrompt;
    },
    ...(options.onProgress && { onProgress: (p: { done: number; total: number }) => options.onProgress!(p.done, samples.length) }),
  });
  await adapter.close();
  const failed = run.results.find((r) => r.error);
  if (failed) throw new Error(`evaluation of ${options.modelName}: sample ${String(failed.problem_id ?? failed.eval_key)} failed: ${failed.error!.message}`);
  const formats = formatRewards(run.results.map((r) => r.output));
  const results = run.results.map((r) => ({ ...r, score: sampleScore(r) }));
  const scored = results.map((r, i) => ({ sample: readable[i]!, score: r.score, format: formats[i]! }));
  return { summary: summarizeScores(scored), results, skipped: samples.length - readable.length, benchSummary: run.summary };
}

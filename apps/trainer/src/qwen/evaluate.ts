// The test evaluation of a model of the model interface (a Qwen2.5-VL policy): the small policy's
// evaluation path (`evaluateWith`: runner, scores, summary) answering with @video-r1/qwen-vl's
// `modelEvalAdapter` on the trainer's own frames.
import type { VisionLanguageModel } from '@video-r1/model-api';
import { modelEvalAdapter } from '@video-r1/qwen-vl';

import type { Sample } from '../data/dataset.js';
import type { MediaSource } from '../data/media.js';
import { type EvaluateOptions, type Evaluation, evaluateWith } from '../evaluation/evaluate.js';

export function evaluateModel(model: VisionLanguageModel<unknown>, samples: readonly Sample[], media: MediaSource, options: EvaluateOptions): Promise<Evaluation> {
  const adapter = () =>
    modelEvalAdapter({
      model,
      frames: media.source,
      name: options.modelName,
      maxNewTokens: options.maxNewTokens,
      temperature: options.temperature,
      topP: options.topP,
      seed: options.seed,
      batchSize: options.batchSize,
    });
  return evaluateWith(adapter, samples, media, options);
}

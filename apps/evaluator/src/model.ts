/**
 * The model under evaluation: an OpenAI-compatible endpoint when --model is a URL, else the
 * project's own policy (a checkpoint directory, the trainer's newest checkpoint, or — when there
 * is none — an untrained policy as the baseline).
 */
import { openAIAdapter } from '@video-r1/eval';
import type { VideoR1Record } from '@video-r1/datasets';
import type { ModelAdapter } from '@video-r1/eval';
import type { EvaluatorConfig } from './config.js';
import type { ResolvedModel } from './resolved-model.js';

export type { ResolvedModel } from './resolved-model.js';

export function isEndpoint(model: string | undefined): model is string {
  return model !== undefined && /^https?:\/\//i.test(model);
}

/** `samples`: every sample of the run (the policy sizes its token budget from their prompts). */
export async function resolveModel(config: EvaluatorConfig, log: (line: string) => void, samples: readonly VideoR1Record[]): Promise<ResolvedModel> {
  if (!isEndpoint(config.model) && config.model !== undefined) {
    const { isQwenCheckpoint, qwenModel } = await import('./qwen-model.js');
    const { userPath } = await import('./paths.js');
    if (isQwenCheckpoint(userPath(config.model))) return qwenModel(config, log);
  }
  if (config.adapter !== undefined) throw new Error(`--adapter ${config.adapter}: needs --model <Qwen2.5-VL checkpoint directory>`);
  if (!isEndpoint(config.model)) {
    // Loaded only here: TensorFlow.js and its backends are heavy, and endpoints never need them.
    const { policyModel } = await import('./policy-model.js');
    return policyModel(config, log, samples);
  }
  const adapter = openAIAdapter({
    baseUrl: config.model,
    ...(config.modelName !== undefined ? { model: config.modelName } : {}),
    apiKeyEnv: config.apiKeyEnv,
    decoding: config.decoding,
    media: config.media,
    maxConcurrency: config.concurrency,
    timeoutMs: config.timeoutMs,
    retry: { maxRetries: config.maxRetries },
    onRetry: ({ sampleKey, attempt, delayMs, reason }) => log(`retry ${attempt} of ${sampleKey} in ${delayMs} ms: ${reason}`),
  });
  const served = await adapter.resolveModel();
  const named: ModelAdapter = {
    name: served,
    generate: (sample, request) => adapter.generate(sample, request),
  };
  return {
    adapter: named,
    description: `${served} at ${adapter.baseUrl} (${config.media === 'frames' ? 'frames as JPEG image parts' : 'video_url parts'}; temperature ${config.decoding.temperature}, top_p ${config.decoding.top_p}, max_tokens ${config.decoding.max_tokens})`,
    settings: { endpoint: adapter.baseUrl, model_name: served, decoding: config.decoding, media: config.media, api_key_env: config.apiKeyEnv },
  };
}

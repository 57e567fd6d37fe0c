// The small policy behind @video-r1/model-api's `VisionLanguageModel`, so the GRPO step of
// @video-r1/rl-core, the trainer and the evaluator drive it like any other model.
import type { ModelLoader, ModelPrompt, SampledCompletions, SampleOptions, VisionLanguageModel } from '@video-r1/model-api';
import type { FrameRequest } from '@video-r1/video-io';
import { loadCheckpoint, saveCheckpoint } from './checkpoint.js';
import { policyFrameRequest } from './frames.js';
import { generate } from './generate.js';
import { completionLogProbs } from './logprobs.js';
import type { Policy, PolicyInput } from './model.js';
import type { Variable } from './tf.js';

/** A `VisionLanguageModel` whose `Input` is the policy's own `PolicyInput`. */
export interface PolicyModel extends VisionLanguageModel<PolicyInput> {
  /** The wrapped policy (for SFT, the optimizer and checkpoints with training state). */
  readonly policy: Policy;
}

export interface PolicyModelOptions {
  /** Default `video-r1-policy`. */
  name?: string;
  /** The frames to ask for (default `policyFrameRequest(policy.config.vision)`; a checkpoint's saved request when loaded). */
  mediaRequest?: FrameRequest;
}

/** `policy` as a `VisionLanguageModel` (no copy: the model is the policy's variables). */
export function policyModel(policy: Policy, options: PolicyModelOptions = {}): PolicyModel {
  const { tokenizer } = policy;
  const mediaRequest = options.mediaRequest ?? policyFrameRequest(policy.config.vision);
  return {
    policy,
    name: options.name ?? 'video-r1-policy',
    mediaRequest,
    tokens: { eosId: tokenizer.eosId, padId: tokenizer.padId },
    get trainable(): boolean {
      return policy.trainable;
    },
    encode(prompt: ModelPrompt): PolicyInput {
      return { prompt: prompt.text, frames: prompt.frames };
    },
    async sample(inputs: readonly PolicyInput[], sampling: SampleOptions): Promise<SampledCompletions> {
      const out = generate(policy, inputs, {
        maxNewTokens: sampling.maxNewTokens,
        temperature: sampling.temperature,
        topP: sampling.topP,
        numSamples: sampling.numSamples,
        ...(sampling.topK !== undefined && { topK: sampling.topK }),
        ...(sampling.rng !== undefined && { rng: sampling.rng }),
      });
      return { ids: out.ids, texts: out.texts, lengths: out.lengths, finished: out.finished };
    },
    completionLogProbs(inputs, completions, logProbOptions = {}) {
      return completionLogProbs(policy, inputs, completions, logProbOptions);
    },
    trainableVariables(): Variable[] {
      return policy.trainable ? policy.variables : [];
    },
    async save(dir: string): Promise<void> {
      await saveCheckpoint(dir, { policy, frames: mediaRequest });
    },
    dispose(): void {
      policy.dispose();
    },
  };
}

/** Loads a policy checkpoint (`saveCheckpoint` or `PolicyModel.save`) as a `PolicyModel`. */
export const loadPolicyModel: ModelLoader<PolicyInput> = async (dir, options = {}) => {
  const loaded = await loadCheckpoint(dir, { trainable: options.trainable ?? true });
  return policyModel(loaded.policy, loaded.frames ? { mediaRequest: loaded.frames } : {});
};

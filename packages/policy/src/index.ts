export {
  POLICY_FRAME_PRESET,
  DEFAULT_POLICY_CONFIG,
  PolicyConfigError,
  resolvePolicyConfig,
  visualTokenCount,
  type PolicyConfig,
  type PolicyConfigInput,
  type VisionConfig,
} from './config.js';
export {
  Tokenizer,
  TokenizerError,
  SPECIAL_TOKENS,
  pretokenize,
  type SpecialTokenName,
  type TokenizerFitOptions,
  type TokenizerJSON,
} from './tokenizer.js';
export { FramesError, framesToPatches, resizeFrames, type Frames, type Patches } from './vision.js';
export {
  Policy,
  createPolicy,
  clonePolicy,
  copyWeights,
  parameterSpecs,
  type PolicyInput,
  type ParameterSpec,
} from './model.js';
export { generate, type GenerateOptions, type GenerateResult } from './generate.js';
export { completionLogProbs, completionMask, padCompletions, type CompletionLogProbsOptions } from './logprobs.js';
export {
  AdamOptimizer,
  learningRateAt,
  type AdamOptions,
  type AdamState,
  type LearningRateSchedule,
  type OptimizerStepResult,
  type ResolvedAdamOptions,
  type SkipReason,
} from './adam.js';
export {
  saveCheckpoint,
  loadCheckpoint,
  CheckpointError,
  CHECKPOINT_FORMAT,
  CHECKPOINT_VERSION,
  type CheckpointContents,
  type CheckpointManifest,
  type LoadedCheckpoint,
  type ManifestFile,
  type JsonValue,
} from './checkpoint.js';
export {
  sftTrain,
  validate,
  completionCrossEntropy,
  type SftExample,
  type SftOptions,
  type SftResult,
  type SftState,
  type SftStepMetrics,
  type SftEpochMetrics,
  type ValidationResult,
} from './sft.js';
export {
  policyAdapter,
  readPolicyFrames,
  type AdapterOutcome,
  type AdapterRequest,
  type PolicyAdapter,
  type PolicyAdapterOptions,
  type PolicyFrameProvider,
} from './adapter.js';
export { policyFrameRequest, capFrameRequest } from './frames.js';
export { findCheckpoints, newestCheckpoint, type FoundCheckpoint } from './find-checkpoints.js';
export { loadPolicyModel, policyModel, type PolicyModel, type PolicyModelOptions } from './vision-language-model.js';

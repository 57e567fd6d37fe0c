// The package's one face.
export * from './checkpoint/index.js';
export * from './text/index.js';
export { loadCheckpointTensors, type LoadedTensors } from './checkpoint/load-tensors.js';
export * from './processor/index.js';
export * from './rope/index.js';
export * from './vision/index.js';
export {
  QwenVLModel,
  QwenVLModelError,
  decoderConfigOf,
  type ForwardOptions,
  type HiddenStates,
  type ModelFromTensorsOptions,
  type ModelInputs,
  type QwenVLModelErrorCode,
} from './model.js';
export type { DecoderConfig, DecoderLayerParams, DecoderParams, LinearParams, LoraPair } from './decoder.js';
export { completionLogProbs, gradientsByName, maskedSum, type CompletionLogProbsOptions, type NamedGradients } from './logprobs.js';
export { generate, type GenerateOptions, type GenerateResult } from './generate.js';
export { LoraState, adaptableModules, initLora, selectModules, type AdaptedModule, type LoraSpec } from './lora.js';
export { createKvCache, disposeKvCache, type KvCache } from './kv-cache.js';
export { frequencyAxes, rotaryTables, type MropePositions, type RotaryTables } from './mrope.js';
export { defaultVisionTowers, type VisionTowers, type WeightLookup } from './towers.js';
export { runCases, type RunCasesOptions, type RunCasesSummary } from './cases/runner.js';
export { QwenVLPolicy, loadQwenVLPolicy, type QwenVLInput, type QwenVLPolicyOptions } from './policy.js';
export * from './sft/index.js';
export * from './tiny/index.js';
export * from './rollout/index.js';
export { modelEvalAdapter, type EvalAdapterOutcome, type EvalAdapterRequest, type EvalFrameProvider, type ModelEvalAdapter, type ModelEvalAdapterOptions } from './eval-adapter.js';

export type {
  InputOf,
  LogProbOptions,
  ModelLoader,
  ModelPrompt,
  SampledCompletions,
  SampleOptions,
  TokenFacts,
  VisionLanguageModel,
} from './model.js';
export { completionMask } from './mask.js';
export { checkModel, ModelContractError, type CheckModelOptions, type ModelContractErrorCode } from './check.js';

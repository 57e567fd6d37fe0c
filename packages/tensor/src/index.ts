export { tf } from './tf.js';
export {
  BACKEND_ENV_VARS,
  BACKEND_ORDER,
  BackendUnavailableError,
  parseBackendPreference,
  selectBackend,
} from './backend.js';
export type {
  BackendName,
  BackendPreference,
  BackendSource,
  SelectBackendOptions,
  SelectedBackend,
  SkippedBackend,
} from './backend.js';
export { gatherRows, stopGradient } from './ops.js';
export { tokenLogProbs } from './logprobs.js';
export type { TokenLogProbsOptions } from './logprobs.js';
export { sampleTokens } from './sampling.js';
export type { SampleOptions } from './sampling.js';
export { createRng, fnv1a, permutation, pick, randInt, RandomError, rngFor, shuffled } from './random.js';
export type { RandomErrorCode, Rng } from './random.js';
export { AdamOptimizer, learningRateAt } from './adam.js';
export { packAdamMoments, unpackAdamMoments } from './adam-state.js';
export type { AdamMoments } from './adam-state.js';
export type {
  AdamOptions,
  AdamState,
  LearningRateSchedule,
  OptimizerStepResult,
  OptimizerTarget,
  ResolvedAdamOptions,
  SkipReason,
} from './adam.js';

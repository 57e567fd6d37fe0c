export { groupAdvantages, groupRewards, lengthBonus, temporalRewards, videoR1Rewards } from './rewards.js';
export type {
  GroupAdvantageOptions,
  GroupRewardInput,
  GroupRewardResult,
  LengthBonusInput,
  TemporalRewardInput,
  TemporalRewardResult,
  VideoR1RewardInput,
  VideoR1RewardResult,
} from './rewards.js';
export { policyLoss } from './loss.js';
export type { LossType, PolicyLossConfig, PolicyLossInput, PolicyLossResult } from './loss.js';
export { hasFrameOrder, rollouts } from './rollouts.js';
export type { GrpoAlgorithm, GrpoPrompt, Rollout, RolloutSettings } from './rollouts.js';
export { grpoGradients } from './gradients.js';
export type { GrpoGradients, GrpoLossOptions } from './gradients.js';
export { stepMetrics } from './metrics.js';
export type { StepMetrics } from './metrics.js';
export { grpoStep } from './step.js';
export type { GrpoStepInput, GrpoStepResult } from './step.js';
export * from './deprecated.js';

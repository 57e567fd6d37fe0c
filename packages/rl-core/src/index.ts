export { groupAdvantages, lengthBonus, temporalRewards, videoR1Rewards } from './rewards.js';
export type {
  GroupAdvantageOptions,
  LengthBonusInput,
  TemporalRewardInput,
  TemporalRewardResult,
  VideoR1RewardInput,
  VideoR1RewardResult,
} from './rewards.js';
export { policyLoss } from './loss.js';
export type { LossType, PolicyLossConfig, PolicyLossInput, PolicyLossResult } from './loss.js';
export * from './deprecated.js';

// The policy's optimizer: @video-r1/tensor's AdamW over the policy's parameters, in
// `parameterNames` order (the order AdamState and the checkpoints store the moments in).
import {
  AdamOptimizer as TensorAdamOptimizer,
  type AdamOptions,
  type AdamState,
  type OptimizerTarget,
} from '@video-r1/tensor';

import type { Policy } from './model.js';

export {
  learningRateAt,
  type AdamOptions,
  type AdamState,
  type LearningRateSchedule,
  type OptimizerStepResult,
  type ResolvedAdamOptions,
  type SkipReason,
} from '@video-r1/tensor';

function targetOf(policy: Policy | OptimizerTarget): OptimizerTarget {
  if (!('parameterNames' in policy)) return policy;
  if (!policy.trainable) throw new Error('AdamOptimizer: the policy is frozen (trainable: false)');
  return { names: policy.parameterNames, variables: policy.variables };
}

export class AdamOptimizer extends TensorAdamOptimizer {
  constructor(policy: Policy | OptimizerTarget, options: AdamOptions) {
    super(targetOf(policy), options);
  }

  /** An optimizer continuing from a saved state (`loadCheckpoint(...).optimizerState`). */
  static override fromState(policy: Policy | OptimizerTarget, state: AdamState): AdamOptimizer {
    const optimizer = new AdamOptimizer(policy, state.options);
    optimizer.setState(state);
    return optimizer;
  }
}

// The metrics line of one RL step, written by the small policy's loop and the Qwen pipeline alike,
// so that both runs' metrics.jsonl (and the report and comparisons reading them) name the same fields.
import type { StepMetrics } from '@video-r1/rl-core';
import type { MetricRecord } from '../run/metrics.js';

export interface RlStepRecordInput {
  step: number;
  /** `grpoStep`'s metrics (rewards, KL, clip ratio, loss, completion lengths). */
  metrics: StepMetrics;
  /** The optimizer's answer for this step. */
  update: { gradNorm: number; applied: boolean; clipped: boolean };
  learningRate: number;
  /** Samples skipped this step because their media could not be read. */
  skipped: number;
  /** Skipped so far in the run (the small policy's loop records it). */
  skippedTotal?: number;
  promptIds: readonly string[];
  seconds: number;
  /** Tokens generated this step: adds `tokens_per_second`. */
  generatedTokens?: number;
}

export function rlStepRecord(input: RlStepRecordInput): MetricRecord {
  return {
    step: input.step,
    stage: 'rl',
    ...input.metrics,
    grad_norm: input.update.gradNorm,
    learning_rate: input.learningRate,
    update_skipped: !input.update.applied,
    grad_clipped: input.update.clipped,
    skipped_samples: input.skipped,
    ...(input.skippedTotal !== undefined && { skipped_samples_total: input.skippedTotal }),
    prompts: input.promptIds.join(' '),
    step_time: input.seconds,
    ...(input.generatedTokens !== undefined && { tokens_per_second: input.generatedTokens / input.seconds }),
  };
}

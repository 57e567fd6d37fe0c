import { rmSync } from 'node:fs';
import path from 'node:path';
import { type AdamOptimizer, CheckpointError, findCheckpoints, type JsonValue, type LoadedCheckpoint, loadCheckpoint, type Policy, saveCheckpoint, type SftState } from '@video-r1/policy';
import type { FrameRequest } from '@video-r1/video-io';
import type { RunPaths } from './run-dir.js';

/**
 * What the trainer stores beside the weights and optimizer, to resume exactly where it stopped.
 * Randomness needs no state: each step's stream is derived from (seed, stage, step).
 */
export type TrainingState =
  | { stage: 'sft'; sft: SftState; elapsedMs: number }
  /** The finished SFT model: the RL start and its frozen reference. */
  | { stage: 'sft-done'; sftSteps: number; elapsedMs: number }
  | { stage: 'rl'; step: number; cursor: number; skippedSamples: number; elapsedMs: number }
  | { stage: 'done'; rlSteps: number; elapsedMs: number };

type CheckpointName = `sft-${string}` | 'sft' | `rl-${string}` | 'final';

const STEP_PATTERN = /^(sft|rl)-(\d+)$/;

export function stepCheckpointName(stage: 'sft' | 'rl', step: number): CheckpointName {
  return `${stage}-${String(step).padStart(6, '0')}`;
}

/** Checkpoint directory names of a run, newest first (@video-r1/policy's `findCheckpoints`: the evaluator's rule too). */
export function listCheckpoints(paths: RunPaths): string[] {
  return findCheckpoints(paths.checkpoints).map((c) => c.name);
}

export class Checkpoints {
  constructor(
    private readonly paths: RunPaths,
    private readonly keep: number,
    /** Saved with every checkpoint, so the evaluator reads the frames this run trains on. */
    private readonly frames: FrameRequest,
  ) {}

  dir(name: string): string {
    return path.join(this.paths.checkpoints, name);
  }

  async save(name: CheckpointName, policy: Policy, optimizer: AdamOptimizer | null, state: TrainingState): Promise<void> {
    await saveCheckpoint(this.dir(name), { policy, ...(optimizer && { optimizer }), trainingState: state as unknown as JsonValue, frames: this.frames });
    this.prune();
  }

  /** Keeps the `keep` newest step checkpoints; `sft` and `final` stay. */
  private prune(): void {
    const steps = listCheckpoints(this.paths).filter((n) => STEP_PATTERN.test(n));
    for (const old of steps.slice(this.keep)) rmSync(this.dir(old), { recursive: true, force: true });
  }

  /**
   * The newest checkpoint that loads. A damaged one (refused by the checksum) is reported and
   * the previous one is used instead.
   */
  async latest(warn: (line: string) => void): Promise<{ name: string; checkpoint: LoadedCheckpoint; state: TrainingState } | null> {
    for (const name of listCheckpoints(this.paths)) {
      try {
        const checkpoint = await loadCheckpoint(this.dir(name));
        return { name, checkpoint, state: checkpoint.trainingState as unknown as TrainingState };
      } catch (error) {
        if (!(error instanceof CheckpointError)) throw error;
        warn(`warning: checkpoint ${name} cannot be used (${error.message}); trying an older one`);
      }
    }
    return null;
  }
}

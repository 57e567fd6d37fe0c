import { learningRateAt } from '@video-r1/policy';
import { createRng, fnv1a, type Rng, shuffled } from '@video-r1/tensor';
import type { LrSchedule } from '../config/types.js';

/**
 * The random stream of one step, derived from (seed, stage, step) alone. Nothing random carries over
 * from one step to the next, so a resumed run draws exactly what an uninterrupted one draws.
 */
export function stepRng(seed: number, stage: string, step: number): Rng {
  return createRng(fnv1a(`${seed}/${stage}/${step}`));
}

/**
 * The `position`-th training sample of an endless stream of epochs, each a fresh seeded permutation
 * (a DataLoader with shuffle=True). Only `position` has to be saved to resume the order exactly.
 */
export class SampleOrder {
  private epoch = -1;
  private permutation: number[] = [];

  constructor(
    private readonly size: number,
    private readonly seed: number,
  ) {
    if (size < 1) throw new Error('the training split is empty: nothing to sample');
  }

  at(position: number): number {
    const epoch = Math.floor(position / this.size);
    if (epoch !== this.epoch) {
      this.epoch = epoch;
      this.permutation = shuffled(
        Array.from({ length: this.size }, (_, i) => i),
        createRng(fnv1a(`${this.seed}/order/${epoch}`)),
      );
    }
    return this.permutation[position % this.size]!;
  }
}

/** Warm-up steps of a run of `total` steps: HF's `ceil(warmup_ratio · total)`. */
export function warmupSteps(ratio: number, total: number): number {
  return Math.ceil(ratio * total);
}

/**
 * Learning rate at `step` (1-based) of `total`: a linear warm-up over the first `warmup` steps, then
 * constant, or cosine to 0 over the rest (HF's get_constant_schedule_with_warmup and
 * get_cosine_schedule_with_warmup, evaluated at the 0-based optimizer step `step − 1`), by the
 * policy package's `learningRateAt`, which the SFT stage uses too.
 */
export function learningRate(schedule: LrSchedule, base: number, step: number, total: number, warmup = 0): number {
  return learningRateAt(step - 1, { peak: base, warmupSteps: warmup, totalSteps: total, decay: schedule });
}

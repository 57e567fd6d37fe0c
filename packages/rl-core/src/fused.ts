// Fused JavaScript kernels for the backends whose tensors already live in this process
// (cpu, wasm). A policy loss over N·T = 8k tokens is ~70 small tfjs ops forward and
// backward, each costing far more in dispatch than in arithmetic; one pass in plain
// JavaScript with the gradient written out by hand is an order of magnitude faster.
//
// Arithmetic follows the float32 reference: every value PyTorch would store in a float32
// tensor is rounded with Math.fround (so overflow to ±Infinity, and the NaN it causes
// under a zero mask, happen as in the reference); sums are accumulated in float64.
import { tf } from '@video-r1/tensor';

const f32 = Math.fround;

/**
 * Where 'auto' picks the fused loss: backends whose tensor data lives in this process, so
 * reading it back is cheap. The policy loss is dispatch-bound (small tensors, many ops) and
 * wins on both (`pnpm --filter @video-r1/rl-core bench` measures it; @video-r1/tensor's
 * tokenLogProbs has its own fused kernel, on cpu only).
 */
export const FUSED_LOSS_BACKENDS: ReadonlySet<string> = new Set(['cpu', 'wasm']);

export interface FusedLossInputs {
  n: number;
  t: number;
  old: Float32Array | undefined;
  ref: Float32Array | undefined;
  mask: Float32Array;
  advantages: Float32Array;
}

export interface FusedLossConfig {
  beta: number;
  epsilonLow: number;
  epsilonHigh: number;
  lossType: 'grpo' | 'bnpo' | 'dr_grpo';
  maxCompletionLength: number;
  klClamp: number | null;
  nanGuard: boolean;
}

interface LossPass {
  loss: number;
  meanKl: number;
  clipRatio: number;
  /** d loss / d logps for an upstream gradient of 1. */
  grad: Float32Array;
}

function lossPass(logps: Float32Array, inputs: FusedLossInputs, cfg: FusedLossConfig): LossPass {
  const { n, t, old, ref, mask, advantages } = inputs;
  const lo = f32(1 - cfg.epsilonLow);
  const hi = f32(1 + cfg.epsilonHigh);
  const clamp = cfg.klClamp;
  const beta = cfg.beta;

  const rowTokens = new Float64Array(n);
  let total = 0;
  let nonEmpty = 0;
  for (let i = 0; i < n; i++) {
    let count = 0;
    for (let j = 0; j < t; j++) count += mask[i * t + j] as number;
    rowTokens[i] = count;
    total += count;
    if (count > 0) nonEmpty++;
  }
  const rows = cfg.nanGuard ? Math.max(nonEmpty, 1) : n;
  const totalClamped = Math.max(total, 1);

  const grad = new Float32Array(n * t);
  let lossSum = 0; // Σ over rows of the row's share of the loss
  let klSum = 0;
  let clipped = 0;
  for (let i = 0; i < n; i++) {
    const a = advantages[i] as number;
    const count = rowTokens[i] as number;
    const skip = cfg.nanGuard && count === 0;
    // d loss / d ℓ_ij = rowWeight · m_ij. Reference grpo divides by a zero count for an
    // empty row (∞ · 0 = NaN, as in PyTorch); the guard gives those rows weight 0.
    const rowWeight =
      cfg.lossType === 'grpo'
        ? skip
          ? 0
          : 1 / (count * rows)
        : cfg.lossType === 'bnpo'
          ? 1 / totalClamped
          : 1 / (n * cfg.maxCompletionLength);
    let rowLoss = 0;
    let rowKl = 0;
    for (let j = 0; j < t; j++) {
      const k = i * t + j;
      const m = mask[k] as number;
      const logp = logps[k] as number;
      const ratio = old === undefined ? 1 : f32(Math.exp(f32(logp - (old[k] as number))));
      const clippedRatio = ratio < lo ? lo : ratio > hi ? hi : ratio;
      const unclippedTerm = f32(ratio * a);
      const clippedTerm = f32(clippedRatio * a);
      const inRange = ratio >= lo && ratio <= hi ? 1 : 0;
      // −min(r·A, clip(r)·A); PyTorch splits the gradient of a tie between both sides.
      let perToken: number;
      let d: number;
      if (unclippedTerm < clippedTerm) {
        perToken = -unclippedTerm;
        d = -a * ratio;
      } else if (clippedTerm < unclippedTerm) {
        perToken = -clippedTerm;
        d = -a * ratio * inRange;
      } else {
        perToken = -unclippedTerm;
        d = -0.5 * a * ratio * (1 + inRange);
      }
      if (ref !== undefined) {
        const x = f32((ref[k] as number) - logp);
        const xc = clamp === null ? x : x < -clamp ? -clamp : x > clamp ? clamp : x;
        const ex = f32(Math.exp(xc));
        const kl = f32(f32(ex - xc) - 1);
        rowKl += kl * m;
        if (beta !== 0) {
          perToken = f32(perToken + f32(beta * kl));
          const inside = clamp === null || (x >= -clamp && x <= clamp) ? 1 : 0;
          d += -beta * (ex - 1) * inside;
        }
      }
      rowLoss += perToken * m;
      grad[k] = rowWeight * m * d;
      if ((ratio < lo && a < 0) || (ratio > hi && a > 0)) clipped += m;
    }
    if (cfg.lossType === 'grpo') {
      if (!skip) {
        lossSum += rowLoss / count;
        klSum += rowKl / count;
      }
    } else {
      lossSum += rowLoss;
      if (!skip) klSum += rowKl / count;
    }
  }

  const loss =
    cfg.lossType === 'grpo'
      ? lossSum / rows
      : cfg.lossType === 'bnpo'
        ? lossSum / totalClamped
        : lossSum / (n * cfg.maxCompletionLength);
  return {
    loss,
    // Without a reference every rowKl is 0, so this is 0 — or NaN from an empty row's 0/0.
    meanKl: klSum / rows,
    clipRatio: clipped / totalClamped,
    grad,
  };
}

/** policyLoss as one custom-gradient op: the value and d loss / d logps from one JS pass. */
export function fusedPolicyLoss(
  logps: tf.Tensor2D,
  inputs: FusedLossInputs,
  cfg: FusedLossConfig,
): { loss: tf.Scalar; meanKl: tf.Scalar; clipRatio: tf.Scalar } {
  let pass: LossPass | undefined;
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const x = args[0] as tf.Tensor2D;
    const result = lossPass(x.dataSync() as Float32Array, inputs, cfg);
    pass = result;
    return {
      value: tf.scalar(result.loss),
      gradFunc: (dy: tf.Tensor) => tf.mul(tf.tensor2d(result.grad, [inputs.n, inputs.t]), dy),
    };
  });
  const loss = op(logps) as tf.Scalar;
  const done = pass as unknown as LossPass;
  return { loss, meanKl: tf.scalar(done.meanKl), clipRatio: tf.scalar(done.clipRatio) };
}

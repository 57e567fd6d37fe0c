// The GRPO policy loss of Video-R1 (grpo_trainer.py, compute_loss) with TRL's clipping
// and loss aggregations (GRPOTrainer._compute_loss), differentiable with tf.grad.
import { FUSED_LOSS_BACKENDS, fusedPolicyLoss } from './fused.js';
import { stopGradient, tf } from '@video-r1/tensor';

export type LossType = 'grpo' | 'bnpo' | 'dr_grpo';

type Matrix = tf.Tensor2D | readonly (readonly number[])[];
type Vector = tf.Tensor1D | readonly number[];

export interface PolicyLossInput {
  /** Per-token log-probs of the current policy, [N, T]; the tensor to differentiate. */
  logps: tf.Tensor2D;
  /** Log-probs of the policy that sampled the completions; default stop-gradient(logps). */
  oldLogps?: Matrix;
  /** Log-probs of the frozen reference model; without it the KL is 0. */
  refLogps?: Matrix;
  /** 1 for completion tokens, 0 for padding, [N, T]. */
  mask: Matrix;
  /** One advantage per sequence, [N]. */
  advantages: Vector;
}

export interface PolicyLossConfig {
  /** KL coefficient (Video-R1 0.04; TRL ≥ 0.17 defaults to 0). */
  beta: number;
  /** Lower clip: ratio ≥ 1 − epsilonLow (default 0.2). */
  epsilonLow?: number;
  /** Upper clip: ratio ≤ 1 + epsilonHigh (default 0.2; DAPO uses 0.28). */
  epsilonHigh?: number;
  /** Aggregation over tokens (default 'grpo', as Video-R1). */
  lossType?: LossType;
  /** dr_grpo's constant denominator per sequence (default T, the mask's width). */
  maxCompletionLength?: number;
  /** The KL's log-ratio is clamped to ±klClamp (default 10, Video-R1); null: no clamp (TRL). */
  klClamp?: number | null;
  /**
   * Guarded mode. In the reference a sequence with an empty mask makes the 'grpo' loss
   * and `meanKl` NaN (0/0), which ruins a run. With `nanGuard: true` such rows are
   * skipped: they are left out of the mean over sequences (loss, meanKl) and get zero
   * gradient; if every row is empty the loss is 0. 'bnpo' and 'dr_grpo' never divide by
   * a row count, so they are the same in both modes. Default false (reference).
   */
  nanGuard?: boolean;
  /**
   * 'graph': tfjs ops, recorded on the tape (runs wherever tfjs runs, including on a GPU
   * without leaving it). 'fused': one JavaScript pass with a hand-written gradient,
   * reading the inputs back with dataSync (an order of magnitude faster where tensors
   * live in this process). 'auto' (default): fused on the cpu and wasm backends, graph
   * elsewhere. Both give the reference numbers; only `logps` is differentiable in 'fused'.
   */
  implementation?: 'auto' | 'graph' | 'fused';
}

export interface PolicyLossResult {
  /** Scalar loss to minimise. */
  loss: tf.Scalar;
  /**
   * Mean over sequences of each sequence's masked mean KL: 0 without refLogps, and NaN (as
   * Video-R1 logs it) when a row has no completion tokens, unless `nanGuard` skips such rows.
   */
  meanKl: tf.Scalar;
  /** TRL's region clip ratio: share of masked tokens whose ratio was clipped against the advantage's sign. */
  clipRatio: tf.Scalar;
}

function shapeText(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

function asMatrix(name: string, value: Matrix, n: number, t: number): tf.Tensor2D {
  const tensor = value instanceof tf.Tensor ? value : tf.tensor2d(value as number[][], undefined, 'float32');
  if (tensor.rank !== 2 || tensor.shape[0] !== n || tensor.shape[1] !== t) {
    throw new Error(`policyLoss: ${name} must be [${n}, ${t}] like logps, got ${shapeText(tensor.shape)}.`);
  }
  return tensor.dtype === 'float32' ? tensor : tf.cast(tensor, 'float32');
}

type CheckedConfig = Required<Omit<PolicyLossConfig, 'klClamp' | 'implementation'>> & { klClamp: number | null };

function checkConfig(config: PolicyLossConfig, t: number): CheckedConfig {
  const {
    beta,
    epsilonLow = 0.2,
    epsilonHigh = 0.2,
    lossType = 'grpo',
    maxCompletionLength = t,
    klClamp = 10,
    nanGuard = false,
  } = config;
  if (typeof beta !== 'number' || !Number.isFinite(beta)) {
    throw new Error(`policyLoss: config.beta must be a finite number (Video-R1 uses 0.04), got ${String(beta)}.`);
  }
  for (const [name, eps] of [
    ['epsilonLow', epsilonLow],
    ['epsilonHigh', epsilonHigh],
  ] as const) {
    if (!Number.isFinite(eps) || eps < 0) throw new Error(`policyLoss: config.${name} must be ≥ 0, got ${eps}.`);
  }
  if (lossType !== 'grpo' && lossType !== 'bnpo' && lossType !== 'dr_grpo') {
    throw new Error(`policyLoss: config.lossType must be 'grpo', 'bnpo' or 'dr_grpo', got ${JSON.stringify(lossType)}.`);
  }
  if (!Number.isInteger(maxCompletionLength) || maxCompletionLength < 1) {
    throw new Error(`policyLoss: config.maxCompletionLength must be a positive integer, got ${maxCompletionLength}.`);
  }
  if (klClamp !== null && !(klClamp > 0)) {
    throw new Error(`policyLoss: config.klClamp must be > 0 or null (no clamp), got ${String(klClamp)}.`);
  }
  return { beta, epsilonLow, epsilonHigh, lossType, maxCompletionLength, klClamp, nanGuard };
}

/**
 * Per token, with r = exp(logp − oldLogp) and A the sequence's advantage:
 *
 *   ℓ = −min(r·A, clip(r, 1−εlow, 1+εhigh)·A) + β·KL,   KL = eˣ − x − 1,
 *   x = clamp(ref − logp, ±klClamp)
 *
 * aggregated by `lossType`: 'grpo' masked mean per sequence, then mean over sequences;
 * 'bnpo' masked sum / max(mask sum, 1); 'dr_grpo' masked sum / (N · maxCompletionLength).
 *
 * Differentiable with respect to `logps` (tf.grad / tf.variableGrads). All three results
 * are scalars owned by the caller; inside `tf.variableGrads`, `tf.keep` the metrics you
 * want to read after the step.
 */
export function policyLoss(input: PolicyLossInput, config: PolicyLossConfig): PolicyLossResult {
  const { logps } = input;
  if (!(logps instanceof tf.Tensor) || logps.rank !== 2) {
    throw new Error('policyLoss: logps must be a [N, T] tf.Tensor2D (the tensor gradients flow into).');
  }
  const [n, t] = logps.shape;
  const cfg = checkConfig(config, t);
  const implementation = config.implementation ?? 'auto';
  if (implementation !== 'auto' && implementation !== 'graph' && implementation !== 'fused') {
    throw new Error(`policyLoss: config.implementation must be 'auto', 'graph' or 'fused', got ${JSON.stringify(implementation)}.`);
  }
  const fused = implementation === 'fused' || (implementation === 'auto' && FUSED_LOSS_BACKENDS.has(tf.getBackend()));
  return fused ? fusedLoss(input, cfg, n, t) : graphLoss(input, cfg, n, t);
}

function fusedLoss(input: PolicyLossInput, cfg: CheckedConfig, n: number, t: number): PolicyLossResult {
  const advantages = toFloat32('advantages', input.advantages, [n]);
  return fusedPolicyLoss(
    input.logps,
    {
      n,
      t,
      old: input.oldLogps === undefined ? undefined : toFloat32('oldLogps', input.oldLogps, [n, t]),
      ref: input.refLogps === undefined ? undefined : toFloat32('refLogps', input.refLogps, [n, t]),
      mask: toFloat32('mask', input.mask, [n, t]),
      advantages,
    },
    cfg,
  );
}

/** Values of a tensor or nested array as float32, after the same shape check as the graph path. */
function toFloat32(name: string, value: Matrix | Vector, shape: [number] | [number, number]): Float32Array {
  const wanted = shape.length === 1 ? `[${shape[0]}] (one per sequence)` : `[${shape[0]}, ${shape[1]}] like logps`;
  if (value instanceof tf.Tensor) {
    if (value.rank !== shape.length || value.shape.some((d, i) => d !== shape[i])) {
      throw new Error(`policyLoss: ${name} must be ${wanted}, got ${shapeText(value.shape)}.`);
    }
    const data = value.dataSync();
    return data instanceof Float32Array ? data : Float32Array.from(data as ArrayLike<number>);
  }
  const rows = value as readonly (readonly number[] | number)[];
  const actual = [rows.length, ...(shape.length === 2 && Array.isArray(rows[0]) ? [(rows[0] as number[]).length] : [])];
  const ragged = shape.length === 2 && rows.some((row) => !Array.isArray(row) || row.length !== shape[1]);
  if (rows.length !== shape[0] || ragged || (shape.length === 1 && rows.some((x) => typeof x !== 'number'))) {
    throw new Error(`policyLoss: ${name} must be ${wanted}, got ${ragged ? 'ragged rows' : shapeText(actual)}.`);
  }
  return Float32Array.from(shape.length === 2 ? (rows as number[][]).flat() : (rows as number[]));
}

function graphLoss(input: PolicyLossInput, cfg: CheckedConfig, n: number, t: number): PolicyLossResult {
  const { logps } = input;
  return tf.tidy(() => {
    const mask = asMatrix('mask', input.mask, n, t);
    const advantagesTensor =
      input.advantages instanceof tf.Tensor ? input.advantages : tf.tensor1d(input.advantages as number[], 'float32');
    if (advantagesTensor.rank !== 1 || advantagesTensor.shape[0] !== n) {
      throw new Error(`policyLoss: advantages must be [${n}] (one per sequence), got ${shapeText(advantagesTensor.shape)}.`);
    }
    const advantages = tf.expandDims<tf.Tensor2D>(tf.cast(advantagesTensor, 'float32'), 1); // [N, 1]
    const old = input.oldLogps === undefined ? stopGradient(logps) : asMatrix('oldLogps', input.oldLogps, n, t);

    const ratio = tf.exp(tf.sub(logps, old));
    const clipped = tf.clipByValue(ratio, 1 - cfg.epsilonLow, 1 + cfg.epsilonHigh);
    let perToken: tf.Tensor2D = tf.neg(tf.minimum<tf.Tensor2D>(tf.mul(ratio, advantages), tf.mul(clipped, advantages)));

    let kl: tf.Tensor2D | undefined;
    if (input.refLogps !== undefined) {
      let x: tf.Tensor2D = tf.sub(asMatrix('refLogps', input.refLogps, n, t), logps);
      if (cfg.klClamp !== null) x = tf.clipByValue(x, -cfg.klClamp, cfg.klClamp);
      const perTokenKl = tf.sub<tf.Tensor2D>(tf.sub(tf.exp(x), x), 1);
      kl = perTokenKl;
      // As TRL: with β = 0 the KL stays out of the graph (0 · ∞ would be NaN).
      if (cfg.beta !== 0) perToken = tf.add(perToken, tf.mul(perTokenKl, cfg.beta));
    }

    const rowTokens: tf.Tensor1D = tf.sum(mask, 1); // [N]
    const masked = tf.mul(perToken, mask);
    let loss: tf.Scalar;
    switch (cfg.lossType) {
      case 'grpo':
        loss = meanOverRows(tf.sum<tf.Tensor1D>(masked, 1), rowTokens, cfg.nanGuard);
        break;
      case 'bnpo':
        loss = tf.div(tf.sum(masked), tf.maximum(tf.sum(mask), 1));
        break;
      case 'dr_grpo':
        loss = tf.div(tf.sum(masked), n * cfg.maxCompletionLength);
        break;
    }

    // Without a reference the KL is 0 per token, but its masked mean per row is still 0/0 for an
    // empty row: NaN, as Video-R1 logs it (guarded mode leaves such rows out).
    const rowKl = kl === undefined ? tf.zerosLike(rowTokens) : tf.sum<tf.Tensor1D>(tf.mul(kl, mask), 1);
    const meanKl = meanOverRows(rowKl, rowTokens, cfg.nanGuard);

    const lowClipped = tf.logicalAnd(tf.less(ratio, 1 - cfg.epsilonLow), tf.less(advantages, 0));
    const highClipped = tf.logicalAnd(tf.greater(ratio, 1 + cfg.epsilonHigh), tf.greater(advantages, 0));
    const clippedTokens = tf.sum(tf.mul(tf.cast(tf.logicalOr(lowClipped, highClipped), 'float32'), mask));
    const clipRatio = tf.div(clippedTokens, tf.maximum(tf.sum(mask), 1)) as tf.Scalar;

    return { loss, meanKl, clipRatio };
  });
}

/**
 * Mean over sequences of `rowSums / rowTokens`. Reference mode divides blindly (an empty
 * row gives NaN); guarded mode leaves empty rows out of both the sum and the count.
 */
function meanOverRows(rowSums: tf.Tensor1D, rowTokens: tf.Tensor1D, nanGuard: boolean): tf.Scalar {
  if (!nanGuard) return tf.mean(tf.div(rowSums, rowTokens));
  const present = tf.cast(tf.greater(rowTokens, 0), 'float32');
  const perRow = tf.mul(tf.div(rowSums, tf.maximum(rowTokens, 1)), present);
  return tf.div(tf.sum(perRow), tf.maximum(tf.sum(present), 1));
}

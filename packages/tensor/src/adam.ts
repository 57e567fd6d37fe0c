// Adam(W) with global-norm gradient clipping, and a serialisable state (moments and step)
// so that a resumed run continues exactly, for any list of named variables (a model's trainable
// variables: the small policy's weights, a Qwen2.5-VL model's weights or its LoRA adapter).
// Written out rather than tf.train.adam because tfjs's optimizer keeps its moments in private
// variables keyed by variable name, which change between processes.
import { tf } from './tf.js';

type Scalar = tf.Scalar;
type Tensor = tf.Tensor;
type Variable = tf.Variable;

/** What an optimizer updates: variables in a fixed order, with names that identify them across processes. */
export interface OptimizerTarget {
  /** One unique name per variable, in `variables` order (checked again when a state is restored). */
  readonly names: readonly string[];
  readonly variables: readonly Variable[];
}

export interface AdamOptions {
  learningRate: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /** Decoupled weight decay (AdamW), applied to matrices only (not biases, norms or 1-D tables). Default 0. */
  weightDecay?: number;
  /** Clip gradients to this global L2 norm (PyTorch's clip_grad_norm_); 0 or Infinity disables. Default 1. */
  maxGradNorm?: number;
}

export type ResolvedAdamOptions = Required<AdamOptions>;

/** Serialisable optimizer state, in the target's variable order. */
export interface AdamState {
  /** Updates applied so far (bias correction uses it). */
  step: number;
  options: ResolvedAdamOptions;
  names: string[];
  m: Float32Array[];
  v: Float32Array[];
}

export type SkipReason = 'non-finite-loss' | 'non-finite-gradient';

export interface OptimizerStepResult {
  loss: number;
  /** Global gradient norm before clipping. */
  gradNorm: number;
  clipped: boolean;
  /** False when the update was skipped (see `skipped`). */
  applied: boolean;
  skipped?: SkipReason;
  learningRate: number;
  /** Optimizer step count after this call. */
  step: number;
}

function resolve(options: AdamOptions): ResolvedAdamOptions {
  const resolved = {
    learningRate: options.learningRate,
    beta1: options.beta1 ?? 0.9,
    beta2: options.beta2 ?? 0.999,
    epsilon: options.epsilon ?? 1e-8,
    weightDecay: options.weightDecay ?? 0,
    maxGradNorm: options.maxGradNorm ?? 1,
  };
  const check = (name: keyof ResolvedAdamOptions, ok: boolean): void => {
    if (!ok) throw new Error(`Adam option ${name} is invalid: ${resolved[name]}`);
  };
  check('learningRate', resolved.learningRate >= 0 && Number.isFinite(resolved.learningRate));
  check('beta1', resolved.beta1 >= 0 && resolved.beta1 < 1);
  check('beta2', resolved.beta2 >= 0 && resolved.beta2 < 1);
  check('epsilon', resolved.epsilon > 0);
  check('weightDecay', resolved.weightDecay >= 0);
  check('maxGradNorm', resolved.maxGradNorm >= 0);
  return resolved;
}

export class AdamOptimizer {
  readonly options: ResolvedAdamOptions;
  readonly #variables: Variable[];
  readonly #names: string[];
  readonly #m: Variable[];
  readonly #v: Variable[];
  #step = 0;

  constructor(target: OptimizerTarget, options: AdamOptions) {
    if (target.names.length !== target.variables.length) {
      throw new Error(`AdamOptimizer: ${target.names.length} names for ${target.variables.length} variables`);
    }
    if (new Set(target.names).size !== target.names.length) throw new Error('AdamOptimizer: variable names must be unique');
    this.options = resolve(options);
    this.#variables = [...target.variables];
    this.#names = [...target.names];
    const zeros = (p: Variable): Variable => {
      const initial = tf.zerosLike(p);
      const v = tf.variable(initial, false);
      initial.dispose();
      return v;
    };
    this.#m = this.#variables.map(zeros);
    this.#v = this.#variables.map(zeros);
  }

  /** An optimizer continuing from a saved state. */
  static fromState(target: OptimizerTarget, state: AdamState): AdamOptimizer {
    const optimizer = new AdamOptimizer(target, state.options);
    optimizer.setState(state);
    return optimizer;
  }

  /** The variable names, in update order. */
  get names(): readonly string[] {
    return this.#names;
  }

  get step(): number {
    return this.#step;
  }

  /**
   * Computes the loss and its gradients with respect to the target's variables, clips
   * them, and applies one Adam update. A non-finite loss or gradient norm skips the update
   * (the step count does not advance) and says why.
   */
  minimize(lossFn: () => Scalar, options: { learningRate?: number } = {}): OptimizerStepResult {
    const variables = this.#variables;
    const { value, grads } = tf.variableGrads(lossFn, variables);
    try {
      const ordered = variables.map((v) => grads[v.name]);
      if (ordered.some((g) => g === undefined || g === null)) {
        throw new Error('AdamOptimizer: the loss does not depend on every variable');
      }
      const loss = value.dataSync()[0]!;
      return this.applyGradients(ordered as Tensor[], { ...options, loss });
    } finally {
      value.dispose();
      for (const g of Object.values(grads)) g?.dispose();
    }
  }

  /** Applies gradients given in the target's variable order (clipping and skipping as `minimize`). */
  applyGradients(grads: readonly Tensor[], options: { learningRate?: number; loss?: number } = {}): OptimizerStepResult {
    const lr = options.learningRate ?? this.options.learningRate;
    const loss = options.loss ?? Number.NaN;
    const base = { loss, learningRate: lr };
    if (options.loss !== undefined && !Number.isFinite(loss)) {
      return { ...base, gradNorm: Number.NaN, clipped: false, applied: false, skipped: 'non-finite-loss', step: this.#step };
    }
    const gradNorm = tf.tidy(() => tf.sqrt(tf.addN(grads.map((g) => tf.sum(tf.square(g))))).dataSync()[0]!);
    if (!Number.isFinite(gradNorm)) {
      return { ...base, gradNorm, clipped: false, applied: false, skipped: 'non-finite-gradient', step: this.#step };
    }
    const { beta1, beta2, epsilon, weightDecay, maxGradNorm } = this.options;
    const clipCoef = maxGradNorm > 0 && Number.isFinite(maxGradNorm) ? maxGradNorm / (gradNorm + 1e-6) : 1;
    const clipped = clipCoef < 1;
    const t = this.#step + 1;
    const bc1 = 1 - beta1 ** t;
    const bc2 = Math.sqrt(1 - beta2 ** t);
    const variables = this.#variables;
    tf.tidy(() => {
      variables.forEach((p, i) => {
        const g = clipped ? tf.mul(grads[i]!, clipCoef) : grads[i]!;
        const m = tf.add(tf.mul(this.#m[i]!, beta1), tf.mul(g, 1 - beta1));
        const v = tf.add(tf.mul(this.#v[i]!, beta2), tf.mul(tf.square(g), 1 - beta2));
        this.#m[i]!.assign(m);
        this.#v[i]!.assign(v);
        // PyTorch's form: p -= lr / bc1 · m / (sqrt(v) / sqrt(bc2) + eps).
        const update = tf.div(m, tf.add(tf.div(tf.sqrt(v), bc2), epsilon));
        let next = tf.sub(p, tf.mul(update, lr / bc1));
        if (weightDecay > 0 && p.rank >= 2) next = tf.sub(next, tf.mul(p, lr * weightDecay));
        p.assign(next);
      });
    });
    this.#step = t;
    return { ...base, gradNorm, clipped, applied: true, step: t };
  }

  getState(): AdamState {
    return {
      step: this.#step,
      options: { ...this.options },
      names: [...this.#names],
      m: this.#m.map((t) => Float32Array.from(t.dataSync() as Float32Array)),
      v: this.#v.map((t) => Float32Array.from(t.dataSync() as Float32Array)),
    };
  }

  /** Restores moments and step (names and sizes must match this target). */
  setState(state: AdamState): void {
    if (state.names.join('\n') !== this.#names.join('\n')) {
      throw new Error('AdamOptimizer.setState: the saved optimizer belongs to other variables (names differ)');
    }
    state.m.forEach((values, i) => {
      const target = this.#m[i]!;
      if (values.length !== target.size || state.v[i]?.length !== target.size) {
        throw new Error(`AdamOptimizer.setState: moments of ${this.#names[i]} have the wrong size`);
      }
      tf.tidy(() => {
        target.assign(tf.tensor(values, target.shape));
        this.#v[i]!.assign(tf.tensor(state.v[i]!, target.shape));
      });
    });
    this.#step = state.step;
  }

  dispose(): void {
    for (const t of [...this.#m, ...this.#v]) t.dispose();
  }
}

export interface LearningRateSchedule {
  /** Peak learning rate (reached at the end of warm-up). */
  peak: number;
  /** Linear warm-up over this many steps: step s (0-based) gets peak · (s + 1) / warmupSteps. Default 0. */
  warmupSteps?: number;
  /** Total steps (needed by 'linear' and 'cosine' decay). */
  totalSteps?: number;
  /** After warm-up: keep the peak, or decay to `minRatio · peak`. Default 'constant'. */
  decay?: 'constant' | 'linear' | 'cosine';
  minRatio?: number;
}

/**
 * Learning rate for optimizer step `step` (0-based): linear warm-up, then constant, linear or
 * cosine decay as in transformers' schedulers (except that warm-up starts at peak / warmupSteps,
 * not at 0, so the first step is not wasted).
 */
export function learningRateAt(step: number, schedule: LearningRateSchedule): number {
  const warmup = schedule.warmupSteps ?? 0;
  if (step < warmup) return (schedule.peak * (step + 1)) / warmup;
  const decay = schedule.decay ?? 'constant';
  if (decay === 'constant') return schedule.peak;
  const total = schedule.totalSteps;
  if (total === undefined) throw new Error(`learningRateAt: decay '${decay}' needs totalSteps`);
  const progress = Math.min(1, Math.max(0, (step - warmup) / Math.max(1, total - warmup)));
  const min = schedule.minRatio ?? 0;
  const factor = decay === 'linear' ? 1 - progress : 0.5 * (1 + Math.cos(Math.PI * progress));
  return schedule.peak * (min + (1 - min) * factor);
}

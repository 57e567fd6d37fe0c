import type { Rng } from './random.js';
import type { tf } from './tf.js';


export interface SampleOptions {
  /** Softmax temperature; 0 means greedy (argmax, lowest id on ties). Default 1. */
  temperature?: number;
  /** Nucleus sampling mass in (0, 1]; 1 disables it. Default 1. */
  topP?: number;
  /** Keep only the k most probable tokens before top-p (0 or absent: no limit). */
  topK?: number;
  rng: Rng;
}

/**
 * Draws one token id per row of `logits` ([N, V]).
 *
 * Order as in Hugging Face generation: temperature, then top-k, then top-p, then one
 * draw from the renormalised distribution. Top-p follows `TopPLogitsWarper`: keep the
 * smallest set of most probable tokens whose cumulative probability is ≥ topP (a token is
 * kept when the mass ranked strictly before it is < topP), always at least one.
 *
 * Ties: tokens are ranked by probability, equal probabilities by ascending token id, so
 * at the top-p/top-k boundary the lower ids are kept (PyTorch's unstable sort leaves
 * this order unspecified). The draw u = rng() picks the first kept token whose
 * cumulative probability exceeds u, walking the kept tokens in rank order (in id order
 * when neither top-k nor top-p filters anything, which avoids ranking V tokens). It
 * consumes exactly one `rng()` per row (none when greedy), so a seeded rng reproduces the
 * output. Probabilities are computed in float64 from the float32 logits.
 */
export function sampleTokens(logits: tf.Tensor2D, options: SampleOptions): number[] {
  if (logits.rank !== 2) {
    throw new Error(`sampleTokens: logits must be [N, V], got shape [${logits.shape.join(', ')}].`);
  }
  const temperature = options.temperature ?? 1;
  const topP = options.topP ?? 1;
  const topK = options.topK ?? 0;
  if (!(temperature >= 0) || !Number.isFinite(temperature)) {
    throw new Error(`sampleTokens: temperature must be a finite number ≥ 0, got ${temperature}.`);
  }
  if (!(topP > 0 && topP <= 1)) throw new Error(`sampleTokens: topP must be in (0, 1], got ${topP}.`);
  if (!Number.isInteger(topK) || topK < 0) {
    throw new Error(`sampleTokens: topK must be a non-negative integer, got ${topK}.`);
  }
  if (typeof options.rng !== 'function') throw new Error('sampleTokens: options.rng must be a function returning [0, 1).');

  const [n, v] = logits.shape;
  const values = logits.dataSync();
  const out: number[] = new Array<number>(n);
  const work: RowWork = { probs: new Float64Array(v), buckets: new Uint8Array(v), order: new Int32Array(v) };
  for (let row = 0; row < n; row++) {
    const base = row * v;
    let max = -Infinity;
    let argmax = -1;
    for (let j = 0; j < v; j++) {
      const x = values[base + j] as number;
      if (Number.isNaN(x)) throw new Error(`sampleTokens: logits[${row}][${j}] is NaN.`);
      if (x > max) {
        max = x;
        argmax = j;
      }
    }
    if (max === -Infinity || max === Infinity) {
      throw new Error(`sampleTokens: row ${row} has no finite maximum logit (max is ${max}).`);
    }
    if (temperature === 0) {
      out[row] = argmax;
      continue;
    }
    const { probs, buckets } = work;
    let total = 0;
    for (let j = 0; j < v; j++) {
      const z = ((values[base + j] as number) - max) / temperature; // ≤ 0
      const p = Math.exp(z);
      probs[j] = p;
      total += p;
      // Octave below the top probability: p ∈ (pmax·2^-(b+1), pmax·2^-b], capped.
      buckets[j] = Math.min(BUCKETS - 1, Math.floor(-z * Math.LOG2E));
    }
    out[row] = drawFromRow(work, total, topK, topP, options.rng, row);
  }
  return out;
}

/** Octave buckets used to find the few tokens top-k/top-p can keep without sorting V. */
const BUCKETS = 64;

interface RowWork {
  probs: Float64Array;
  buckets: Uint8Array;
  order: Int32Array;
}

function drawFromRow(work: RowWork, total: number, topK: number, topP: number, rng: Rng, row: number): number {
  const { probs, buckets, order } = work;
  const v = probs.length;
  let kept = v;
  const filter = topP < 1 || (topK > 0 && topK < v);
  if (filter) {
    // The kept tokens are a prefix of the ranking, so any upper set of the ranking that
    // already holds k tokens (top-k) or topP of the mass (top-p alone) contains them.
    // Octave buckets give such a set in one pass; only it is sorted.
    const bucketMass = new Float64Array(BUCKETS);
    const bucketCount = new Int32Array(BUCKETS);
    for (let j = 0; j < v; j++) {
      if ((probs[j] as number) > 0) {
        const b = buckets[j] as number;
        bucketMass[b] = (bucketMass[b] as number) + (probs[j] as number);
        bucketCount[b] = (bucketCount[b] as number) + 1;
      }
    }
    let last = BUCKETS - 1;
    let mass = 0;
    let count = 0;
    for (let b = 0; b < BUCKETS; b++) {
      mass += bucketMass[b] as number;
      count += bucketCount[b] as number;
      const enough = topK > 0 && topK < v ? count >= topK : mass >= topP * total;
      if (enough) {
        // One octave more, so float rounding in these sums can never cut the set short.
        last = Math.min(BUCKETS - 1, b + 1);
        break;
      }
    }
    let m = 0;
    for (let j = 0; j < v; j++) if ((probs[j] as number) > 0 && (buckets[j] as number) <= last) order[m++] = j;
    const ranked = order.subarray(0, m);
    ranked.sort((a, b) => (probs[b] as number) - (probs[a] as number) || a - b);
    kept = topK > 0 ? Math.min(m, topK) : m;
    if (topP < 1) {
      let keptMass = 0;
      if (topK > 0 && topK < v) for (let i = 0; i < kept; i++) keptMass += probs[ranked[i] as number] as number;
      else keptMass = total;
      // Mass ranked strictly before token i, relative to the (top-k filtered) total.
      let before = 0;
      let i = 0;
      for (; i < kept; i++) {
        if (i > 0 && before / keptMass >= topP) break;
        before += probs[ranked[i] as number] as number;
      }
      kept = Math.max(1, i);
    }
    total = 0;
    for (let i = 0; i < kept; i++) total += probs[ranked[i] as number] as number;
  }
  const u = rng();
  if (!(u >= 0 && u < 1)) throw new Error(`sampleTokens: rng() returned ${u} for row ${row}; it must be in [0, 1).`);
  const target = u * total;
  let cumulative = 0;
  for (let i = 0; i < kept; i++) {
    const j = filter ? (order[i] as number) : i;
    cumulative += probs[j] as number;
    if (target < cumulative) return j;
  }
  // Rounding can leave target a hair above the last cumulative sum.
  return filter ? (order[kept - 1] as number) : lastNonZero(probs);
}

function lastNonZero(probs: Float64Array): number {
  for (let j = probs.length - 1; j >= 0; j--) if ((probs[j] as number) > 0) return j;
  return 0;
}

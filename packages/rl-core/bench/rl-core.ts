// pnpm --filter @video-r1/rl-core bench
// Forward+backward time of policyLoss (N=16, T=512) and tokenLogProbs (V=32k) on every
// backend that loads here, plus a matmul to show what each backend is worth. Medians of
// repeated runs measured side by side in one process.
import { BACKEND_ORDER, selectBackend, tf, sampleTokens, tokenLogProbs, type BackendName } from '@video-r1/tensor';
import { policyLoss, type PolicyLossConfig } from '../src/index.js';

/** PyTorch 1.13, CPU, one thread, policyLoss fwd+bwd at N=16, T=512, float32 (vectors README). */
const TORCH_CPU_MS = 0.33;

const LOSS = { n: 16, t: 512 };
const LOGPROBS = { n: 4, t: 128, v: 32_000 };
const MATMUL = 512;
const SAMPLE = { n: 16, v: 32_000 };

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

interface Timing {
  median: number;
  min: number;
}

/** Runs `fn` (which must block until its result is computed) `warmup + runs` times. */
function time(fn: () => void, runs: number, warmup = 3): Timing {
  for (let i = 0; i < warmup; i++) fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    fn();
    samples.push(performance.now() - start);
  }
  return { median: median(samples), min: Math.min(...samples) };
}

function lossInputs() {
  const { n, t } = LOSS;
  const logps = tf.randomUniform([n, t], -3, 0, 'float32', 1) as tf.Tensor2D;
  const oldLogps = tf.add(logps, tf.randomNormal([n, t], 0, 0.1, 'float32', 2)) as tf.Tensor2D;
  const refLogps = tf.add(logps, tf.randomNormal([n, t], 0, 0.3, 'float32', 3)) as tf.Tensor2D;
  // Ragged completions: row i keeps its first 64 + 28·i tokens.
  const mask = tf.tensor2d(Array.from({ length: n }, (_, i) => Array.from({ length: t }, (_, j) => (j < 64 + 28 * i ? 1 : 0))));
  const advantages = tf.randomNormal([n], 0, 1, 'float32', 4) as tf.Tensor1D;
  return { logps, oldLogps, refLogps, mask, advantages };
}

type Implementation = 'graph' | 'fused';

function benchPolicyLoss(implementation: Implementation): Timing {
  const { logps, ...rest } = lossInputs();
  const config: PolicyLossConfig = { beta: 0.04, lossType: 'grpo', implementation };
  const lossOf = (x: tf.Tensor) => policyLoss({ ...rest, logps: x as tf.Tensor2D }, config).loss;
  const ms = time(() => {
    tf.tidy(() => {
      const { value, grad } = tf.valueAndGrad(lossOf)(logps);
      value.dataSync();
      grad.dataSync();
    });
  }, 50, 10);
  tf.dispose([logps, ...Object.values(rest)]);
  return ms;
}

function benchTokenLogProbs(implementation: Implementation): { forward: Timing; forwardBackward: Timing } {
  const { n, t, v } = LOGPROBS;
  const logits = tf.randomNormal([n, t, v], 0, 2, 'float32', 5) as tf.Tensor3D;
  const ids = tf.randomUniform([n, t], 0, v, 'int32', 6) as tf.Tensor2D;
  const forward = time(() => {
    tf.tidy(() => {
      tokenLogProbs(logits, ids, { validateIds: false, implementation }).dataSync();
    });
  }, 5, 1);
  const forwardBackward = time(() => {
    tf.tidy(() => {
      const { value, grad } = tf.valueAndGrad((x: tf.Tensor) =>
        tf.sum(tokenLogProbs(x as tf.Tensor3D, ids, { validateIds: false, implementation })),
      )(logits);
      value.dataSync();
      grad.dataSync();
    });
  }, 3, 1);
  tf.dispose([logits, ids]);
  return { forward, forwardBackward };
}

function benchMatMul(): Timing {
  const a = tf.randomNormal([MATMUL, MATMUL], 0, 1, 'float32', 7);
  const ms = time(() => {
    tf.tidy(() => {
      tf.matMul(a, a).dataSync();
    });
  }, 5, 1);
  a.dispose();
  return ms;
}

const ms = (x: number) => x.toFixed(x < 10 ? 3 : 1);
const fmt = (t: Timing) => `${ms(t.median)} ms (min ${ms(t.min)})`;

function benchSampling(): Timing {
  const logits = tf.randomNormal([SAMPLE.n, SAMPLE.v], 0, 3, 'float32', 8) as tf.Tensor2D;
  let state = 1;
  const rng = () => ((state = (state * 48271) % 2147483647) - 1) / 2147483646;
  const t = time(() => sampleTokens(logits, { temperature: 1, topP: 0.95, rng }), 10, 2);
  logits.dispose();
  return t;
}

async function main(): Promise<void> {
  console.log(`rl-core bench — Node ${process.version}, ${process.platform}/${process.arch}`);
  console.log(
    `policyLoss: N=${LOSS.n}, T=${LOSS.t}, grpo, beta 0.04, oldLogps + refLogps, forward+backward (tf.valueAndGrad), median of 50`,
  );
  console.log(`tokenLogProbs: N=${LOGPROBS.n}, T=${LOGPROBS.t}, V=${LOGPROBS.v}, forward (median of 5) and forward+backward (median of 3)`);
  console.log("implementations: 'graph' = tfjs ops on the tape, 'fused' = one JS pass with a hand-written gradient");
  console.log(`matMul: ${MATMUL}×${MATMUL} · ${MATMUL}×${MATMUL}, median of 5`);
  console.log('Times are medians (and minima) in one process; a loaded machine inflates medians more than minima.\n');

  type Row = {
    backend: BackendName;
    implementation: Implementation;
    loss: Timing;
    lp: { forward: Timing; forwardBackward: Timing };
  };
  const rows: Row[] = [];
  const matmuls: Partial<Record<BackendName, Timing>> = {};
  for (const backend of BACKEND_ORDER) {
    try {
      await selectBackend(backend, { log: false });
    } catch (error) {
      console.log(`${backend}: not available — ${(error as { reason?: string }).reason ?? String(error)}`);
      continue;
    }
    const mm = benchMatMul();
    matmuls[backend] = mm;
    console.log(`${backend}: matMul ${fmt(mm)}`);
    for (const implementation of ['graph', 'fused'] as const) {
      const loss = benchPolicyLoss(implementation);
      const lp = benchTokenLogProbs(implementation);
      rows.push({ backend, implementation, loss, lp });
      console.log(
        `  ${implementation}: policyLoss fwd+bwd ${fmt(loss)}, ${(loss.median / TORCH_CPU_MS).toFixed(2)}× the PyTorch CPU time | ` +
          `tokenLogProbs fwd ${fmt(lp.forward)}, fwd+bwd ${fmt(lp.forwardBackward)}`,
      );
    }
  }

  const cpuGraph = rows.find((r) => r.backend === 'cpu' && r.implementation === 'graph');
  if (cpuGraph !== undefined) {
    console.log('\nSpeed-up over cpu/graph, the plain tfjs baseline (higher is better):');
    for (const r of rows.filter((row) => row !== cpuGraph)) {
      console.log(
        `  ${r.backend}/${r.implementation}: policyLoss ${(cpuGraph.loss.median / r.loss.median).toFixed(2)}×, ` +
          `tokenLogProbs fwd+bwd ${(cpuGraph.lp.forwardBackward.median / r.lp.forwardBackward.median).toFixed(2)}×`,
      );
    }
  }
  if (matmuls.cpu !== undefined && matmuls.wasm !== undefined) {
    console.log(`  matMul: wasm ${(matmuls.cpu.median / matmuls.wasm.median).toFixed(1)}× faster than cpu`);
  }
  console.log(`\nsampleTokens (N=${SAMPLE.n}, V=${SAMPLE.v}, topP 0.95, JS on downloaded logits): ${fmt(benchSampling())}`);
  console.log(
    `\nPyTorch anchor: ${TORCH_CPU_MS} ms for policyLoss fwd+bwd at N=16, T=512 (PyTorch 1.13, CPU, 1 thread, float32, ` +
      'median of 20 on these 2-core machines; test/fixtures/rlcore-README.md). Ratios above 1 are slower than PyTorch.',
  );
}

await main();

// Gradients without the @tensorflow/tfjs umbrella: every kernel's gradient must be registered
// by this package alone, in the source (as the other suites import it), the ESM build and the
// CommonJS build, on the same tfjs-core instance the backends use.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { selectBackend, tf } from '../src/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.join(here, '..', 'dist');

// d/dx Σ 2·logsumexp(x) = 2·softmax(x): a chain of max, sub, exp, sum, log and mul gradients,
// plus gather (UnsortedSegmentSum) and matMul, written out analytically below.
const PROGRAM = `
const g = tf.grad((x) => tf.sum(tf.mul(tf.logSumExp(x, -1), tf.scalar(2))));
const v = tf.variable(tf.tensor1d([1, 2, 3]));
const { grads } = tf.variableGrads(() => tf.sum(tf.square(tf.gather(v, tf.tensor1d([0, 2, 2], 'int32')))));
const a = tf.tensor2d([[1, 2], [3, 4]]);
const gm = tf.grad((m) => tf.sum(tf.matMul(m, a)));
process.stdout.write(JSON.stringify({
  softmax2: Array.from(g(tf.tensor2d([[1, 2], [3, 5]])).dataSync()),
  gather: Array.from(grads[v.name].dataSync()),
  matMul: Array.from(gm(tf.ones([2, 2])).dataSync()),
  core: tf.version_core,
}));
`;

function expected(): { softmax2: number[]; gather: number[]; matMul: number[] } {
  const softmax = (row: number[]) => {
    const e = row.map((x) => Math.exp(x - Math.max(...row)));
    const s = e.reduce((p, q) => p + q, 0);
    return e.map((x) => (2 * x) / s);
  };
  return {
    softmax2: [...softmax([1, 2]), ...softmax([3, 5])],
    // d/dv Σ v[ids]² = 2·v·(times picked): v = [1, 2, 3], ids [0, 2, 2].
    gather: [2, 0, 12],
    // d/dm Σ (m·a) = 1·aᵀ: row sums of a.
    matMul: [3, 7, 3, 7],
  };
}

function closeTo(actual: number[], wanted: number[]): void {
  expect(actual).toHaveLength(wanted.length);
  actual.forEach((x, i) => expect(x).toBeCloseTo(wanted[i] as number, 5));
}

describe('gradients without the umbrella', () => {
  // (On wasm the stock gather gradient needs UnsortedSegmentSum, which that backend lacks;
  // gatherRows exists for that, and logprobs.test.ts trains through it on wasm.)
  it('tf.grad and tf.variableGrads work from the source', async () => {
    for (const backend of ['cpu'] as const) {
      await selectBackend(backend, { env: {}, log: false });
      const result = new Function('tf', 'process', `${PROGRAM.replace('process.stdout.write', 'return ')}`)(tf, process) as string;
      const out = JSON.parse(result) as ReturnType<typeof expected>;
      const want = expected();
      closeTo(out.softmax2, want.softmax2);
      closeTo(out.gather, want.gather);
      closeTo(out.matMul, want.matMul);
    }
  });

  it.each([
    ['ESM', 'index.js', `import { tf } from ${JSON.stringify(path.join(dist, 'index.js'))};`, ['--input-type=module']],
    ['CommonJS', 'index.cjs', `const { tf } = require(${JSON.stringify(path.join(dist, 'index.cjs'))});`, ['--input-type=commonjs']],
  ])('tf.grad works in the %s build (a fresh Node process)', (_label, file, load, flags) => {
    if (!existsSync(path.join(dist, file))) throw new Error(`dist/${file} is missing: run 'pnpm --filter @video-r1/tensor build' first`);
    const stdout = execFileSync(process.execPath, [...flags, '-e', `${load}\ntf.env().set('IS_TEST', true);\n${PROGRAM}`], {
      encoding: 'utf8',
    });
    const out = JSON.parse(stdout) as ReturnType<typeof expected> & { core: string };
    const want = expected();
    closeTo(out.softmax2, want.softmax2);
    closeTo(out.gather, want.gather);
    closeTo(out.matMul, want.matMul);
    expect(out.core).toBe(tf.version_core);
  });

  it('the builds import @tensorflow/tfjs-core (one instance), never the umbrella', () => {
    for (const file of ['index.js', 'index.cjs']) {
      const code = readFileSync(path.join(dist, file), 'utf8');
      expect(code).toMatch(/["']@tensorflow\/tfjs-core["']/);
      expect(code).not.toMatch(/["']@tensorflow\/tfjs["']/);
      // The core's modules are bundled only for the gradients: no second engine entry point.
      expect(code).not.toMatch(/["']@tensorflow\/tfjs-core\/dist\//);
    }
  });
});

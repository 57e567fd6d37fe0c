// Generation speed and training step time of the default-size policy on every backend that
// loads here, measured side by side in one process (medians of several runs).
//
//   pnpm --filter @video-r1/policy bench [-- --runs 7 --backends cpu,wasm]
//
// Shapes follow the synthetic set under the default preset: 16 frames of 32×32 (32 visual
// tokens), 13-token prompts, 15-token completions, a vocabulary of ~1,000 tokens.
import { parseArgs } from 'node:util';

import { type BackendName, selectBackend, tf } from '@video-r1/tensor';
import { createRng } from '@video-r1/tensor';
import type { FrameStack } from '@video-r1/video-io';

import { AdamOptimizer, type PolicyInput, Tokenizer, completionCrossEntropy, createPolicy, generate } from '../src/index.js';

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    backends: { type: 'string', default: 'cpu,wasm,tensorflow' },
  },
});
const runs = Number(args.runs);

const words = Array.from({ length: 1000 }, (_, i) => `w${i.toString(36)}`);
const rng = createRng(1);
const sentence = (n: number): string => Array.from({ length: n }, () => words[Math.floor(rng() * words.length)]).join(' ');
const tokenizer = Tokenizer.fit(words.map((w) => ` ${w}`).concat(words), { maxMerges: 0 });
const frames: FrameStack = { data: Uint8Array.from({ length: 16 * 32 * 32 * 3 }, () => Math.floor(rng() * 256)), frames: 16, height: 32, width: 32 };
const prompt = sentence(13);
const completion = [...tokenizer.encode(`<think>${sentence(11)}</think><answer>${sentence(1)}</answer>`), tokenizer.eosId].slice(0, 15);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function time(fn: () => void): number {
  fn(); // warm-up: kernels compiled, buffers allocated
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    fn();
    ms.push(performance.now() - t);
  }
  return median(ms);
}

interface Row {
  backend: string;
  genTokS: number;
  genNoCacheTokS: number;
  sftStepMs: number;
  rlStepMs: number;
}

const rows: Row[] = [];
for (const name of args.backends.split(',') as BackendName[]) {
  try {
    await selectBackend(name, { log: false });
  } catch (error) {
    console.log(`${name}: not available (${(error as Error).message.split('\n')[0]})`);
    continue;
  }
  const policy = createPolicy({}, tokenizer);
  const group: PolicyInput[] = [{ prompt, frames }];
  const newTokens = 32;
  // A GRPO group: 8 completions of one prompt (tokens/s counts what was generated).
  let generated = 0;
  const genMs = time(() => {
    const out = generate(policy, group, { maxNewTokens: newTokens, numSamples: 8, temperature: 1, rng: createRng(3) });
    generated = out.lengths.reduce((a, b) => a + b, 0);
  });
  let generatedFull = 0;
  const genFullMs = time(() => {
    const out = generate(policy, group, { maxNewTokens: newTokens, numSamples: 8, temperature: 1, rng: createRng(3), useCache: false });
    generatedFull = out.lengths.reduce((a, b) => a + b, 0);
  });
  const optimizer = new AdamOptimizer(policy, { learningRate: 1e-4 });
  const sftInputs = Array.from({ length: 16 }, () => ({ prompt, frames }));
  const sftCompletions = Array.from({ length: 16 }, () => completion);
  const sftStepMs = time(() => {
    optimizer.minimize(() => completionCrossEntropy(policy, sftInputs, sftCompletions));
  });
  // The RL update of T-GRPO's default group: 12 completions of one prompt; log-probs, loss, backward, Adam.
  // One input object for the whole group, as the trainer passes it: the prompt is encoded once.
  const groupInput: PolicyInput = { prompt, frames };
  const rlInputs = Array.from({ length: 12 }, () => groupInput);
  const rlCompletions = Array.from({ length: 12 }, () => completion);
  const rlStepMs = time(() => {
    optimizer.minimize(() => completionCrossEntropy(policy, rlInputs, rlCompletions));
  });
  rows.push({
    backend: name,
    genTokS: (generated / genMs) * 1000,
    genNoCacheTokS: (generatedFull / genFullMs) * 1000,
    sftStepMs,
    rlStepMs,
  });
  optimizer.dispose();
  policy.dispose();
  if (tf.memory().numTensors > 64) console.log(`${name}: ${tf.memory().numTensors} tensors still allocated`);
}

const policy = createPolicy({}, tokenizer);
console.log(
  `default policy: ${policy.parameterCount.toLocaleString('en-US')} parameters (dModel ${policy.config.dModel}, ` +
    `${policy.config.nLayers} layers, ${policy.config.nHeads} heads, vocabulary ${tokenizer.vocabSize}); medians of ${runs} runs\n`,
);
policy.dispose();
console.log('backend      generate tok/s (KV cache)   without cache   SFT step (16 seqs)   RL step (12 seqs)');
for (const r of rows) {
  console.log(
    `${r.backend.padEnd(12)} ${r.genTokS.toFixed(0).padStart(25)} ${r.genNoCacheTokS.toFixed(0).padStart(15)} ` +
      `${(r.sftStepMs.toFixed(0) + ' ms').padStart(20)} ${(r.rlStepMs.toFixed(0) + ' ms').padStart(19)}`,
  );
}

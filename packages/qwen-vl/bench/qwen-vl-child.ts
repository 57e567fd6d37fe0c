// One measurement in a fresh process (peak RSS is per process): load a checkpoint on a backend and,
// unless --load-only, time prefill, KV-cached decoding and forward+backward. Prints one JSON line.
import { parseArgs } from 'node:util';

import { type BackendName, selectBackend } from '@video-r1/tensor';

import { completionLogProbs, maskedSum, gradientsByName } from '../src/logprobs.js';
import { generate } from '../src/generate.js';
import { QwenVLModel } from '../src/model.js';
import { tf } from '../src/tf.js';

const { values } = parseArgs({
  options: {
    model: { type: 'string' },
    backend: { type: 'string', default: 'cpu' },
    prompt: { type: 'string', default: '128' },
    'new-tokens': { type: 'string', default: '16' },
    completion: { type: 'string', default: '32' },
    runs: { type: 'string', default: '3' },
    'load-only': { type: 'boolean', default: false },
  },
});

const MB = 1024 * 1024;
const maxRssBytes = (): number => process.resourceUsage().maxRSS * 1024;

/** Best of `runs` after a warm-up (the machine is shared; the minimum is the least disturbed run). */
function timeMs(fn: () => void, runs: number): number {
  fn(); // warm-up: kernels compiled, buffers allocated
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    fn();
    samples.push(performance.now() - start);
  }
  return Math.min(...samples);
}

async function main(): Promise<void> {
  const dir = values.model;
  if (dir === undefined) throw new Error('--model <dir> is required');
  const backend = values.backend as BackendName;
  await selectBackend(backend);
  const baselineRss = maxRssBytes();
  const loadStart = performance.now();
  const model = QwenVLModel.load(dir, { trainable: !values['load-only'] });
  const loadMs = performance.now() - loadStart;
  const loadPeakRss = maxRssBytes();
  const parameters = [...model.variables.values()].reduce((n, v) => n + v.size, 0);
  const result: Record<string, unknown> = {
    backend,
    parameters,
    loadMs,
    baselineRssMB: baselineRss / MB,
    loadPeakRssMB: loadPeakRss / MB,
  };
  if (!values['load-only']) {
    const runs = Number(values.runs);
    const promptLength = Number(values.prompt);
    const newTokens = Number(values['new-tokens']);
    const completion = Number(values.completion);
    // Text tokens only (ids below the special range), one row, no padding.
    const ids = Array.from({ length: promptLength }, (_, i) => (i * 7919 + 13) % Math.min(model.config.vocabSize - 20, 150000));
    const inputs = { inputIds: [ids], attentionMask: [ids.map(() => 1)] };
    // One generate call, timestamped at every step's logits: prefill = start → first logits,
    // decode = first → last logits over the KV cache, per token.
    const stepTimes = (): { prefill: number; decode: number } => {
      const stamps: number[] = [];
      const start = performance.now();
      generate(model, inputs, {
        maxNewTokens: 1 + newTokens,
        eosTokenId: null,
        onLogits: (_step, logits) => {
          logits.dataSync();
          stamps.push(performance.now());
        },
      });
      return { prefill: (stamps[0] as number) - start, decode: ((stamps[newTokens] as number) - (stamps[0] as number)) / newTokens };
    };
    stepTimes();
    const samples = Array.from({ length: runs }, stepTimes);
    const prefillMs = Math.min(...samples.map((x) => x.prefill));
    const decodeMsPerToken = Math.min(...samples.map((x) => x.decode));
    const mask = [Array.from({ length: completion }, () => 1)];
    const fwdBwdMs = timeMs(() => {
      const { grads } = gradientsByName(model, () => maskedSum(completionLogProbs(model, inputs, completion), mask));
      for (const g of grads.values()) g.dispose();
    }, runs);
    Object.assign(result, {
      promptLength,
      prefillMs,
      prefillTokensPerSecond: (promptLength / prefillMs) * 1000,
      decodeMsPerToken,
      decodeTokensPerSecond: 1000 / decodeMsPerToken,
      completion,
      fwdBwdMs,
      peakRssMB: maxRssBytes() / MB,
      tensorsLeft: tf.memory().numTensors,
    });
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((error: unknown) => {
  process.stdout.write(`${JSON.stringify({ error: error instanceof Error ? error.message : String(error) })}\n`);
  process.exitCode = 1;
});

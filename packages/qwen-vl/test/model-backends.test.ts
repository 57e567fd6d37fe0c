// cpu and wasm compute the same model: logits, log-probs and every gradient agree closely (the
// float32 kernels differ only in summation order).
import { describe, expect, it } from 'vitest';

import { completionLogProbs, gradientsByName, maskedSum } from '../src/logprobs.js';
import { tf } from '../src/tf.js';
import { useBackend } from './helpers/backend.js';
import { disposeInputs, fixtureInputs, loadModel } from './helpers/model-fixtures.js';

interface Run {
  logits: Float32Array;
  grads: Map<string, Float32Array>;
}

async function run(backend: 'cpu' | 'wasm'): Promise<Run> {
  await useBackend(backend);
  // tiny-c: F16 weights in the ≥4.52 layout; two left-padded rows with a video.
  const model = loadModel('tiny-c');
  const inputs = fixtureInputs('lora-tiny-c-0006', model);
  try {
    const { logits } = model.forward(inputs);
    const data = logits.dataSync() as Float32Array;
    logits.dispose();
    const k = 4;
    const mask = inputs.inputIds.map(() => new Array<number>(k).fill(1));
    const { grads } = gradientsByName(model, () => maskedSum(completionLogProbs(model, inputs, k, { temperature: 0.7 }), mask));
    const out = new Map<string, Float32Array>();
    for (const [name, g] of grads) out.set(name, g.dataSync() as Float32Array);
    tf.dispose([...grads.values()]);
    return { logits: data, grads: out };
  } finally {
    disposeInputs(inputs);
    model.dispose();
  }
}

/** max |a − b| / (1e-5 + max |b|): the error relative to the tensor's scale. */
function scaledDiff(a: Float32Array, b: Float32Array): number {
  let diff = a.length === b.length ? 0 : Infinity;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs((a[i] as number) - (b[i] as number)));
    scale = Math.max(scale, Math.abs(b[i] as number));
  }
  return diff / (1e-5 + scale);
}

describe('cpu vs wasm', () => {
  it('logits and the gradient of every tensor agree', async () => {
    const cpu = await run('cpu');
    const wasm = await run('wasm');
    expect(scaledDiff(wasm.logits, cpu.logits)).toBeLessThan(1e-5);
    expect([...wasm.grads.keys()]).toEqual([...cpu.grads.keys()]);
    let worst = 0;
    for (const [name, g] of cpu.grads) worst = Math.max(worst, scaledDiff(wasm.grads.get(name)!, g));
    expect(worst).toBeLessThan(1e-4);
    // The gradients are not trivially zero (the vision tower included).
    expect(Math.max(...cpu.grads.get('model.visual.blocks.0.attn.qkv.weight')!.map(Math.abs))).toBeGreaterThan(1e-4);
  }, 60_000);
});

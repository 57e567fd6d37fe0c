import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCheckpointTensors, type LoadedTensors } from '../src/checkpoint/load-tensors.js';
import { processImages, processVideos } from '../src/processor/index.js';
import { tf } from '../src/tf.js';
import { visionForward, visionLayout, visionWeightNames } from '../src/vision/index.js';
import { TEST_BACKENDS, useBackend, type TestBackend } from './helpers/backend.js';
import { randomFrames } from './helpers/reference-processor.js';
import { referenceVision } from './helpers/reference-vision.js';
import { readCases, readFrames, readRef, worstRatio, type BinRef } from './helpers/visual-vectors.js';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
const cases = readCases(path.join(FIXTURES, 'visual-cases.jsonl'), ['vision']);

function load(model: string): LoadedTensors {
  return loadCheckpointTensors(path.join(FIXTURES, 'models', model));
}
const lookup = (m: LoadedTensors) => (name: string) => {
  const t = m.tensors.get(name);
  if (!t) throw new Error(`no tensor ${name}`);
  return t;
};

/** Embeddings of one case's images / videos (each kind in one tower call), as flat arrays. */
function embed(m: LoadedTensors, input: Record<string, unknown>): Record<string, Float32Array | null> {
  const images = (input['images'] as BinRef[]).map((r) => readFrames(r, FIXTURES));
  const videos = (input['videos'] as BinRef[]).map((r) => readFrames(r, FIXTURES));
  const out: Record<string, Float32Array | null> = {};
  for (const [key, rows] of [
    ['image_embeds', processImages(images).pixelValues],
    ['video_embeds', processVideos(videos).pixelValuesVideos],
  ] as const) {
    if (!rows) {
      out[key] = null;
      continue;
    }
    const y = tf.tidy(() => visionForward(lookup(m), m.checkpoint.config.vision, tf.tensor2d(rows.data, [rows.rows, rows.cols]), rows.gridThw));
    out[key] = y.dataSync() as Float32Array;
    y.dispose();
  }
  return out;
}

const results = new Map<TestBackend, Map<string, Record<string, Float32Array | null>>>();
const gradNorms = new Map<TestBackend, Map<string, number>>();

describe.each(TEST_BACKENDS)('vision tower on %s', (backend) => {
  const models = new Map<string, LoadedTensors>();
  const model = (name: string): LoadedTensors => {
    let m = models.get(name);
    if (!m) models.set(name, (m = load(name)));
    return m;
  };
  afterAll(() => {
    for (const m of models.values()) for (const t of m.tensors.values()) t.dispose();
  });

  it('selects the backend', async () => {
    await useBackend(backend);
    expect(tf.getBackend()).toBe(backend);
    results.set(backend, new Map());
  });

  for (const c of cases) {
    it(`${c.id} within the vectors' tolerance`, () => {
      const out = embed(model(c.model), c.input);
      results.get(backend)!.set(c.id, out);
      for (const key of ['image_embeds', 'video_embeds']) {
        const expected = c.expect[key] as BinRef | null;
        if (expected === null) {
          expect(out[key]).toBeNull();
          continue;
        }
        expect(worstRatio(out[key]!, readRef(expected, FIXTURES), c.tol[key]!)).toBeLessThanOrEqual(1);
      }
    });
  }

  it('back-propagates into every vision tensor', () => {
    const m = model('tiny-a');
    const config = m.checkpoint.config.vision;
    const rows = processVideos([randomFrames(3, 56, 84, 5)]).pixelValuesVideos!;
    const names = visionWeightNames(config);
    const vars = names.map((n) => tf.variable(m.tensors.get(n)!.clone(), true, `${backend}/${n}`));
    const byName = new Map(names.map((n, i) => [n, vars[i]!]));
    const pixels = tf.tensor2d(rows.data, [rows.rows, rows.cols]);
    const { grads, value } = tf.variableGrads(() => {
      const y = visionForward((n) => byName.get(n)!, config, pixels, rows.gridThw);
      // A fixed non-uniform weighting, so no gradient cancels by symmetry.
      const w = tf.sin(tf.reshape(tf.range(0, y.size), y.shape));
      return tf.sum(tf.mul(y, w)) as tf.Scalar;
    }, vars);
    const norms = new Map<string, number>();
    for (const [i, n] of names.entries()) {
      const g = grads[vars[i]!.name]!;
      const norm = tf.norm(g).dataSync()[0]!;
      expect(Number.isFinite(norm), n).toBe(true);
      expect(norm, n).toBeGreaterThan(0);
      norms.set(n, norm);
    }
    gradNorms.set(backend, norms);
    expect(Number.isFinite(value.dataSync()[0]!)).toBe(true);
    tf.dispose([...Object.values(grads), value, pixels, ...vars]);
  });
});

describe('vision tower: cpu and wasm agree', () => {
  it('on every case (max |cpu − wasm| ≤ 1e-4) and on the gradients (rel 1e-3)', () => {
    const cpu = results.get('cpu')!;
    const wasm = results.get('wasm')!;
    expect(cpu.size).toBe(cases.length);
    let worst = 0;
    for (const [id, out] of cpu) {
      for (const [key, a] of Object.entries(out)) {
        const b = wasm.get(id)![key];
        if (a === null) {
          expect(b).toBeNull();
          continue;
        }
        for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b![i]!));
      }
    }
    expect(worst).toBeLessThanOrEqual(1e-4);
    for (const [name, g] of gradNorms.get('cpu')!) expect(Math.abs(gradNorms.get('wasm')!.get(name)! - g), name).toBeLessThanOrEqual(1e-3 * g + 1e-6);
  });
});

describe('vision tower: gradients against finite differences (cpu)', () => {
  it('directional derivatives of a few tensors', async () => {
    await useBackend('cpu');
    const m = load('tiny-c');
    const config = m.checkpoint.config.vision;
    const rows = processImages([randomFrames(1, 84, 112, 9)]).pixelValues!;
    const pixels = tf.tensor2d(rows.data, [rows.rows, rows.cols]);
    const objective = (weights: Map<string, tf.Tensor>): tf.Scalar =>
      tf.tidy(() => {
        const y = visionForward((n) => weights.get(n)!, config, pixels, rows.gridThw);
        return tf.sum(tf.mul(y, tf.cos(tf.reshape(tf.range(0, y.size), y.shape)))) as tf.Scalar;
      });
    for (const name of ['visual.patch_embed.proj.weight', 'visual.blocks.0.attn.qkv.weight', 'visual.blocks.3.mlp.up_proj.bias', 'visual.merger.mlp.0.weight']) {
      const base = m.tensors.get(name)!;
      // A unit-norm random direction: the step stays small next to every weight, whatever its size.
      const raw = tf.randomNormal(base.shape, 0, 1, 'float32', 17);
      const direction = tf.div(raw, tf.norm(raw));
      raw.dispose();
      const grad = tf.grad((w: tf.Tensor) => objective(new Map([...m.tensors, [name, w]])))(base);
      const analytic = tf.sum(tf.mul(grad, direction)).dataSync()[0]!;
      const eps = 1e-2;
      const at = (s: number): number => {
        const w = tf.add(base, tf.mul(direction, s));
        const v = objective(new Map([...m.tensors, [name, w]])).dataSync()[0]!;
        w.dispose();
        return v;
      };
      const numeric = (at(eps) - at(-eps)) / (2 * eps);
      expect(Math.abs(numeric - analytic), name).toBeLessThanOrEqual(2e-2 * Math.abs(analytic) + 1e-3);
      tf.dispose([direction, grad]);
    }
    for (const t of m.tensors.values()) t.dispose();
    pixels.dispose();
  });
});

describe('vision tower: an independent float64 reference on a random config', () => {
  it('partial and padded windows (window 84 → 3×3 cells), two videos and an image in one call', async () => {
    await useBackend('cpu');
    const config = { depth: 3, hiddenSize: 16, numHeads: 2, patchSize: 14, spatialMergeSize: 2, windowSize: 84, fullattBlockIndexes: [1], rmsNormEps: 1e-6 };
    const inter = 24;
    const out = 20;
    const shapes = new Map<string, number[]>([['visual.patch_embed.proj.weight', [16, 3, 2, 14, 14]]]);
    for (let b = 0; b < config.depth; b++) {
      const p = `visual.blocks.${b}`;
      for (const [n, s] of [
        ['norm1.weight', [16]],
        ['norm2.weight', [16]],
        ['attn.qkv.weight', [48, 16]],
        ['attn.qkv.bias', [48]],
        ['attn.proj.weight', [16, 16]],
        ['attn.proj.bias', [16]],
        ['mlp.gate_proj.weight', [inter, 16]],
        ['mlp.gate_proj.bias', [inter]],
        ['mlp.up_proj.weight', [inter, 16]],
        ['mlp.up_proj.bias', [inter]],
        ['mlp.down_proj.weight', [16, inter]],
        ['mlp.down_proj.bias', [16]],
      ] as const)
        shapes.set(`${p}.${n}`, [...s]);
    }
    shapes.set('visual.merger.ln_q.weight', [16]);
    shapes.set('visual.merger.mlp.0.weight', [64, 64]);
    shapes.set('visual.merger.mlp.0.bias', [64]);
    shapes.set('visual.merger.mlp.2.weight', [out, 64]);
    shapes.set('visual.merger.mlp.2.bias', [out]);
    expect([...shapes.keys()].sort()).toEqual(visionWeightNames(config).sort());
    let seed = 12345;
    const rand = (): number => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      return seed / 2 ** 32 - 0.5;
    };
    const values = new Map<string, { data: Float64Array; shape: number[] }>();
    const tensors = new Map<string, tf.Tensor>();
    for (const [name, shape] of shapes) {
      const fanIn = shape.length > 1 ? shape.slice(1).reduce((a, b) => a * b, 1) : 1;
      const isNorm = name.includes('norm') || name.includes('ln_q');
      const f32 = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => (isNorm ? 1 + 0.5 * rand() : (2.5 * rand()) / Math.sqrt(fanIn)));
      values.set(name, { data: Float64Array.from(f32), shape });
      tensors.set(name, tf.tensor(f32, shape));
    }
    const v1 = processVideos([randomFrames(3, 140, 84, 21), randomFrames(2, 56, 112, 22)]).pixelValuesVideos!;
    const im = processImages([randomFrames(1, 56, 196, 23)]).pixelValues!;
    const grids = [...v1.gridThw, ...im.gridThw];
    const pixels = new Float32Array(v1.data.length + im.data.length);
    pixels.set(v1.data);
    pixels.set(im.data, v1.data.length);
    const rows = v1.rows + im.rows;
    const y = tf.tidy(() => visionForward((n) => tensors.get(n)!, config, tf.tensor2d(pixels, [rows, 1176]), grids));
    const got = y.dataSync();
    const want = referenceVision((n) => values.get(n)!, config, Float64Array.from(pixels), grids);
    expect(y.shape).toEqual([rows / 4, out]);
    expect(worstRatio(got, want, { rtol: 1e-4, atol: 1e-5 })).toBeLessThanOrEqual(1);
    tf.dispose([y, ...tensors.values()]);
  });
});

describe('vision layout', () => {
  const config = { depth: 1, hiddenSize: 32, numHeads: 2, patchSize: 14, spatialMergeSize: 2, windowSize: 112, fullattBlockIndexes: [0], rmsNormEps: 1e-6 };

  it('cuts each frame into row-major 4×4-cell windows, partial at the edges, and drops empty ones', () => {
    // Merged grid 5×8 (h = 10, w = 16 patches): window rows of 4 and 1 cells, window cols of 4 and 4.
    const layout = visionLayout(config, [
      [2, 10, 16],
      [1, 8, 8],
    ]);
    expect(layout.frameSegments).toEqual([160, 160, 64]);
    const perFrame = [16, 16, 4, 4].map((c) => c * 4);
    // The 4×4 merged grid is exactly one window: no empty window is left from the padding.
    expect(layout.windowSegments).toEqual([...perFrame, ...perFrame, 64]);
    // First window of frame 0: merged cells of rows 0–3, cols 0–3 → patches 4·cell … 4·cell + 3.
    const firstCells = Array.from(layout.patchOrder.subarray(0, 64)).filter((_, k) => k % 4 === 0).map((p) => p / 4);
    expect(firstCells).toEqual([0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27]);
    // restoreOrder inverts the merged-cell permutation.
    for (let k = 0; k < layout.restoreOrder.length; k++) expect(layout.restoreOrder[layout.patchOrder[k * 4]! / 4]).toBe(k);
  });

  it('gives each patch the rotary angles of its row and column', () => {
    const layout = visionLayout(config, [[1, 4, 4]]);
    // Patch 3 in processor order is (row 1, col 1); window order keeps a single 2×2-cell window as is.
    const hd = layout.headDim;
    const quarter = hd / 4;
    const inv0 = 1;
    expect(layout.cos[3 * hd]).toBeCloseTo(Math.cos(1 * inv0), 6);
    expect(layout.cos[3 * hd + quarter]).toBeCloseTo(Math.cos(1 * inv0), 6);
    expect(layout.sin[2 * hd + quarter]).toBeCloseTo(0, 6); // patch 2 is (row 1, col 0)
    expect(layout.sin[2 * hd]).toBeCloseTo(Math.sin(1), 6);
    expect(Array.from(layout.cos.subarray(3 * hd, 3 * hd + hd / 2))).toEqual(Array.from(layout.cos.subarray(3 * hd + hd / 2, 4 * hd)));
  });
});

// An independent float64 reading of the Qwen2.5-VL vision tower (transformers 4.49–4.51 `get_window_index`,
// `rot_pos_emb`, cu_seqlens attention), written as literally as the Python: padded index grids with −100,
// unique_consecutive on the window boundaries, an explicit segment test per query/key pair.

export interface RefVisionConfig {
  depth: number;
  hiddenSize: number;
  numHeads: number;
  patchSize: number;
  spatialMergeSize: number;
  windowSize: number;
  fullattBlockIndexes: readonly number[];
}

type W = (name: string) => { data: Float64Array; shape: number[] };

function linear(x: Float64Array, rows: number, w: { data: Float64Array; shape: number[] }, b: Float64Array | null): Float64Array {
  const [out, inp] = w.shape as [number, number];
  const y = new Float64Array(rows * out);
  for (let r = 0; r < rows; r++) {
    for (let o = 0; o < out; o++) {
      let s = b ? (b[o] as number) : 0;
      for (let i = 0; i < inp; i++) s += (x[r * inp + i] as number) * (w.data[o * inp + i] as number);
      y[r * out + o] = s;
    }
  }
  return y;
}

function rms(x: Float64Array, rows: number, w: Float64Array, eps: number): Float64Array {
  const d = w.length;
  const y = new Float64Array(x.length);
  for (let r = 0; r < rows; r++) {
    let ss = 0;
    for (let i = 0; i < d; i++) ss += (x[r * d + i] as number) ** 2;
    const k = 1 / Math.sqrt(ss / d + eps);
    for (let i = 0; i < d; i++) y[r * d + i] = (w[i] as number) * (x[r * d + i] as number) * k;
  }
  return y;
}

function erf(x: number): number {
  // Taylor series; beyond |x| = 4 erf is ±1 to 1.6e-8, and inside it the largest term (~e^16) keeps
  // the cancellation error near 1e-9.
  if (Math.abs(x) > 4) return Math.sign(x);
  let sum = x;
  let term = x;
  for (let n = 1; n < 200; n++) {
    term *= (-x * x) / n;
    const add = term / (2 * n + 1);
    sum += add;
    if (Math.abs(add) < 1e-17) break;
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

/** Window index and cu_window_seqlens exactly as `get_window_index` builds them. */
function windowIndex(config: RefVisionConfig, grids: readonly number[][]): { index: number[]; cu: number[] } {
  const m = config.spatialMergeSize;
  const vws = Math.floor(Math.floor(config.windowSize / m) / config.patchSize);
  const index: number[] = [];
  const cu = [0];
  let base = 0;
  for (const [t, h, w] of grids as [number, number, number][]) {
    const lh = h / m;
    const lw = w / m;
    const padH = vws - (lh % vws);
    const padW = vws - (lw % vws);
    const nh = (lh + padH) / vws;
    const nw = (lw + padW) / vws;
    // index_padded[t][wy][wx][iy][ix]
    for (let f = 0; f < t; f++) {
      for (let wy = 0; wy < nh; wy++) {
        for (let wx = 0; wx < nw; wx++) {
          let count = 0;
          for (let iy = 0; iy < vws; iy++) {
            for (let ix = 0; ix < vws; ix++) {
              const y = wy * vws + iy;
              const x = wx * vws + ix;
              if (y < lh && x < lw) {
                index.push(base + (f * lh + y) * lw + x);
                count++;
              }
            }
          }
          cu.push((cu[cu.length - 1] as number) + count * m * m);
        }
      }
    }
    base += t * lh * lw;
  }
  const unique = cu.filter((v, i) => i === 0 || v !== cu[i - 1]);
  return { index, cu: unique };
}

/** `[Σ t·h·w / m², out]` float64, processor order. */
export function referenceVision(weight: W, config: RefVisionConfig, pixels: Float64Array, grids: readonly number[][]): Float64Array {
  const m = config.spatialMergeSize;
  const unit = m * m;
  const D = config.hiddenSize;
  const H = config.numHeads;
  const hd = D / H;
  const N = grids.reduce((a, [t, h, w]) => a + (t as number) * (h as number) * (w as number), 0);
  const proj = weight('visual.patch_embed.proj.weight');
  let x = linear(pixels, N, { data: proj.data, shape: [D, proj.data.length / D] }, null);

  // rot_pos_emb: hpos / wpos through reshape(h/m, m, w/m, m).permute(0, 2, 1, 3), repeated t times.
  const pos: [number, number][] = [];
  for (const [t, h, w] of grids as [number, number, number][]) {
    const framePos: [number, number][] = [];
    for (let a = 0; a < h / m; a++) for (let b = 0; b < w / m; b++) for (let c = 0; c < m; c++) for (let d = 0; d < m; d++) framePos.push([a * m + c, b * m + d]);
    for (let f = 0; f < t; f++) pos.push(...framePos);
  }
  const dim = hd / 2;
  const inv = Array.from({ length: dim / 2 }, (_, i) => 1 / 10000 ** ((2 * i) / dim));
  const angles = pos.map(([r, c]) => {
    const rot = [...inv.map((f) => r * f), ...inv.map((f) => c * f)];
    return [...rot, ...rot];
  });

  const { index, cu: cuWindow } = windowIndex(config, grids);
  const reorder = (rows: Float64Array, width: number): Float64Array => {
    const out = new Float64Array(rows.length);
    index.forEach((cell, k) => out.set(rows.subarray(cell * unit * width, (cell + 1) * unit * width), k * unit * width));
    return out;
  };
  x = reorder(x, D);
  const ang = new Float64Array(N * hd);
  angles.forEach((a, i) => ang.set(a, i * hd));
  const angR = reorder(ang, hd);
  const cuFull = [0];
  for (const [t, h, w] of grids as [number, number, number][]) for (let f = 0; f < t; f++) cuFull.push((cuFull[cuFull.length - 1] as number) + h * w);
  const segmentOf = (cu: number[]): Int32Array => {
    const seg = new Int32Array(N);
    for (let s = 0; s + 1 < cu.length; s++) for (let i = cu[s] as number; i < (cu[s + 1] as number); i++) seg[i] = s;
    return seg;
  };
  const segWindow = segmentOf(cuWindow);
  const segFull = segmentOf(cuFull);
  const vec = (name: string): Float64Array => weight(name).data;

  for (let b = 0; b < config.depth; b++) {
    const p = `visual.blocks.${b}`;
    const n1 = rms(x, N, vec(`${p}.norm1.weight`), 1e-6);
    const qkv = linear(n1, N, weight(`${p}.attn.qkv.weight`), vec(`${p}.attn.qkv.bias`));
    const at = (which: number, i: number, h: number, j: number): number => qkv[i * 3 * D + which * D + h * hd + j] as number;
    const rope = (which: number, i: number, h: number): number[] =>
      Array.from({ length: hd }, (_, j) => {
        const half = hd / 2;
        const rot = j < half ? -at(which, i, h, j + half) : at(which, i, h, j - half);
        const a = angR[i * hd + j] as number;
        return at(which, i, h, j) * Math.cos(a) + rot * Math.sin(a);
      });
    const seg = config.fullattBlockIndexes.includes(b) ? segFull : segWindow;
    const attn = new Float64Array(N * D);
    for (let h = 0; h < H; h++) {
      const q = Array.from({ length: N }, (_, i) => rope(0, i, h));
      const k = Array.from({ length: N }, (_, i) => rope(1, i, h));
      for (let i = 0; i < N; i++) {
        const scores: number[] = [];
        const keys: number[] = [];
        for (let j = 0; j < N; j++) {
          if (seg[j] !== seg[i]) continue;
          let s = 0;
          for (let d = 0; d < hd; d++) s += (q[i]![d] as number) * (k[j]![d] as number);
          scores.push(s / Math.sqrt(hd));
          keys.push(j);
        }
        const mx = Math.max(...scores);
        const e = scores.map((s) => Math.exp(s - mx));
        const z = e.reduce((a, v) => a + v, 0);
        for (let d = 0; d < hd; d++) {
          let s = 0;
          keys.forEach((j, n) => (s += ((e[n] as number) / z) * at(2, j, h, d)));
          attn[i * D + h * hd + d] = s;
        }
      }
    }
    const o = linear(attn, N, weight(`${p}.attn.proj.weight`), vec(`${p}.attn.proj.bias`));
    x = x.map((v, i) => v + (o[i] as number));
    const n2 = rms(x, N, vec(`${p}.norm2.weight`), 1e-6);
    const g = linear(n2, N, weight(`${p}.mlp.gate_proj.weight`), vec(`${p}.mlp.gate_proj.bias`));
    const u = linear(n2, N, weight(`${p}.mlp.up_proj.weight`), vec(`${p}.mlp.up_proj.bias`));
    const act = g.map((v, i) => (v / (1 + Math.exp(-v))) * (u[i] as number));
    const dn = linear(act, N, weight(`${p}.mlp.down_proj.weight`), vec(`${p}.mlp.down_proj.bias`));
    x = x.map((v, i) => v + (dn[i] as number));
  }
  const merged = rms(x, N, vec('visual.merger.ln_q.weight'), 1e-6);
  const h1 = linear(merged, N / unit, weight('visual.merger.mlp.0.weight'), vec('visual.merger.mlp.0.bias')).map((v) => 0.5 * v * (1 + erf(v / Math.SQRT2)));
  const y = linear(h1, N / unit, weight('visual.merger.mlp.2.weight'), vec('visual.merger.mlp.2.bias'));
  const outDim = y.length / (N / unit);
  // argsort(window_index) restores processor order.
  const out = new Float64Array(y.length);
  index.forEach((cell, k) => out.set(y.subarray(k * outDim, (k + 1) * outDim), cell * outDim));
  return out;
}

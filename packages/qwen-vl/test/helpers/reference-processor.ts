// An independent float64 reading of the processor's pixel semantics (the vectors' README): build the
// `[T, C, H, W]` array, pad T by repeating the last frame, then the literal reshape / permute / reshape.
import type { FrameStack } from '@video-r1/video-io';

const MEAN = [0.48145466, 0.4578275, 0.40821073];
const STD = [0.26862954, 0.26130258, 0.27577711];

/** Generic C-order transpose of `data` with `shape` by `perm`. */
export function transpose(data: Float64Array, shape: readonly number[], perm: readonly number[]): { data: Float64Array; shape: number[] } {
  const outShape = perm.map((p) => shape[p] as number);
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const out = new Float64Array(data.length);
  const idx = new Array<number>(outShape.length).fill(0);
  for (let o = 0; o < out.length; o++) {
    let src = 0;
    for (let d = 0; d < idx.length; d++) src += (idx[d] as number) * (strides[perm[d] as number] as number);
    out[o] = data[src] as number;
    for (let d = idx.length - 1; d >= 0; d--) {
      idx[d] = (idx[d] as number) + 1;
      if ((idx[d] as number) < (outShape[d] as number)) break;
      idx[d] = 0;
    }
  }
  return { data: out, shape: outShape };
}

/** `[gt·gh·gw, 3·2·14·14]` patches of one visual, float64. */
export function referencePatches(v: FrameStack, patch = 14, tps = 2, merge = 2): { data: Float64Array; rows: number; grid: [number, number, number] } {
  const T = Math.ceil(v.frames / tps) * tps;
  const { height: H, width: W } = v;
  const tchw = new Float64Array(T * 3 * H * W);
  for (let t = 0; t < T; t++) {
    const f = Math.min(t, v.frames - 1);
    for (let c = 0; c < 3; c++) {
      for (let y = 0; y < H; y++) {
        for (let x = 0; x < W; x++) {
          const u = v.data[((f * H + y) * W + x) * 3 + c] as number;
          tchw[((t * 3 + c) * H + y) * W + x] = (u / 255 - (MEAN[c] as number)) / (STD[c] as number);
        }
      }
    }
  }
  const gt = T / tps;
  const gh = H / patch;
  const gw = W / patch;
  const shape = [gt, tps, 3, gh / merge, merge, patch, gw / merge, merge, patch];
  const { data } = transpose(tchw, shape, [0, 3, 6, 4, 7, 2, 1, 5, 8]);
  return { data, rows: gt * gh * gw, grid: [gt, gh, gw] };
}

/** Deterministic uint8 frames (an LCG), for inputs the vectors do not cover. */
export function randomFrames(frames: number, height: number, width: number, seed: number): FrameStack {
  const data = new Uint8Array(frames * height * width * 3);
  let s = seed >>> 0;
  for (let i = 0; i < data.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    data[i] = s >>> 24;
  }
  return { data, frames, height, width };
}

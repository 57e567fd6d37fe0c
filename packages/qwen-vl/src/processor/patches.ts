import type { FrameStack, RgbImage } from '@video-r1/video-io';
import type { ProcessorConfig } from './config.js';
import { VisualInputError } from './errors.js';

/** A visual as the processor takes it: uint8 RGB frames `[T, H, W, 3]` (an image is one frame). */
export type VisualFrames = FrameStack | RgbImage;

/** `[t, h, w]` in patches: t = padded frames / temporal_patch_size, h = H / patch, w = W / patch. */
export type GridThw = [number, number, number];

/** Flattened patches of one or more visuals, rows concatenated in the order given. */
export interface PatchRows {
  /** `[rows, C·tps·patch·patch]`, row-major. */
  data: Float32Array;
  rows: number;
  cols: number;
  gridThw: GridThw[];
}

const framesOf = (v: VisualFrames): number => ('frames' in v ? v.frames : 1);

/**
 * The 256 normalised values per channel: `float32(u · rescale)` with the product in float64 (numpy's
 * `rescale` casts to float64, multiplies, casts back to float32), then `(x − mean) / std` in float32
 * (transformers' `normalize` casts mean / std to the image dtype). Every pixel is one of these.
 */
function normalisationTable(config: ProcessorConfig): Float32Array[] {
  return [0, 1, 2].map((c) => {
    const mean = Math.fround(config.imageMean[c] as number);
    const std = Math.fround(config.imageStd[c] as number);
    const table = new Float32Array(256);
    for (let u = 0; u < 256; u++) {
      const x = Math.fround(u * config.rescaleFactor);
      // A float64 op on two float32 operands rounded once to float32 equals the float32 op.
      table[u] = Math.fround(Math.fround(x - mean) / std);
    }
    return table;
  });
}

/**
 * Checks that the frame size needs no resize: `smart_resize` is the identity exactly when height and
 * width are multiples of patch·merge and their product lies within [minPixels, maxPixels]. Resizing is
 * qwen-vl-utils' job (`@video-r1/video-io`), so anything else is refused rather than silently resampled.
 */
export function assertProcessorReady(v: VisualFrames, config: ProcessorConfig, what: string): void {
  const frames = framesOf(v);
  for (const [name, value] of [
    ['frames', frames],
    ['height', v.height],
    ['width', v.width],
  ] as const) {
    if (!Number.isInteger(value) || value <= 0) {
      throw new VisualInputError('INVALID_FRAMES', `${what}: ${name} must be a positive integer, got ${value}`);
    }
  }
  const expected = frames * v.height * v.width * 3;
  if (!(v.data instanceof Uint8Array) || v.data.length !== expected) {
    throw new VisualInputError(
      'INVALID_FRAMES',
      `${what}: data must be a Uint8Array of ${frames}×${v.height}×${v.width}×3 = ${expected} RGB bytes, got ${v.data?.length}`,
    );
  }
  const factor = config.patchSize * config.mergeSize;
  const pixels = v.height * v.width;
  if (v.height % factor !== 0 || v.width % factor !== 0 || pixels < config.minPixels || pixels > config.maxPixels) {
    throw new VisualInputError(
      'NEEDS_RESIZE',
      `${what}: ${v.height}×${v.width} frames would be resized by the processor (sides must be multiples of ` +
        `${factor} and the area within ${config.minPixels}…${config.maxPixels} pixels); resize them first ` +
        `(@video-r1/video-io readVideo / readImage do this the qwen-vl-utils way)`,
    );
  }
}

/** The grid of one visual: frames padded up to a multiple of temporal_patch_size. */
export function gridOf(v: VisualFrames, config: ProcessorConfig): GridThw {
  const tps = config.temporalPatchSize;
  return [Math.ceil(framesOf(v) / tps), v.height / config.patchSize, v.width / config.patchSize];
}

/**
 * Qwen2VLImageProcessor's patch flattening for several visuals. Per visual: frames `[T, C, H, W]`, the last
 * frame repeated up to a multiple of temporal_patch_size (an image becomes two identical frames), then
 * reshape `[gt, tps, C, gh/m, m, p, gw/m, m, p]`, permute `(0,3,6,4,7,2,1,5,8)`, reshape
 * `[gt·gh·gw, C·tps·p·p]`: rows over (t, block row, block col, row in block, col in block), columns over
 * (channel, frame in pair, y, x).
 */
export function flattenPatches(visuals: readonly VisualFrames[], config: ProcessorConfig, what: string): PatchRows {
  const { patchSize: p, temporalPatchSize: tps, mergeSize: m } = config;
  const cols = 3 * tps * p * p;
  const grids = visuals.map((v, i) => {
    assertProcessorReady(v, config, `${what}[${i}]`);
    return gridOf(v, config);
  });
  const rows = grids.reduce((acc, [t, h, w]) => acc + t * h * w, 0);
  const data = new Float32Array(rows * cols);
  const table = normalisationTable(config);
  let row = 0;
  visuals.forEach((v, vi) => {
    const [gt, gh, gw] = grids[vi] as GridThw;
    const frames = framesOf(v);
    const { width: W, height: H } = v;
    const frameBytes = H * W * 3;
    for (let t = 0; t < gt; t++) {
      for (let bh = 0; bh < gh / m; bh++) {
        for (let bw = 0; bw < gw / m; bw++) {
          for (let ih = 0; ih < m; ih++) {
            for (let iw = 0; iw < m; iw++) {
              const y0 = (bh * m + ih) * p;
              const x0 = (bw * m + iw) * p;
              let col = row * cols;
              for (let c = 0; c < 3; c++) {
                const tab = table[c] as Float32Array;
                for (let f = 0; f < tps; f++) {
                  const frame = Math.min(t * tps + f, frames - 1);
                  const base = frame * frameBytes;
                  for (let y = 0; y < p; y++) {
                    let src = base + ((y0 + y) * W + x0) * 3 + c;
                    for (let x = 0; x < p; x++, src += 3) data[col++] = tab[v.data[src] as number] as number;
                  }
                }
              }
              row++;
            }
          }
        }
      }
    }
  });
  return { data, rows, cols, gridThw: grids };
}

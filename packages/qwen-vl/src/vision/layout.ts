import { VisualInputError } from '../processor/errors.js';
import type { GridThw } from '../processor/patches.js';
import type { VisionTowerConfig } from './config.js';

/**
 * Everything about a vision-tower call that depends only on the grids (no tensors): the window
 * reordering, the attention segments and the rotary tables, all in window order.
 */
export interface VisionLayout {
  /** Patches in the call (`Σ t·h·w`). */
  patches: number;
  /** `patchOrder[k]`: processor-order row of the patch at window-order position k. */
  patchOrder: Int32Array;
  /** `restoreOrder[i]`: window-order row of merged token i in processor order (argsort of the window index). */
  restoreOrder: Int32Array;
  /** Patch counts of the windows, in window order, empty windows dropped (`unique_consecutive`). */
  windowSegments: number[];
  /** Patch counts of the frames (one segment per temporal slice of each visual): full-attention blocks. */
  frameSegments: number[];
  /** `[patches, headDim]` cos / sin of the 2-D rotary angles, float32, window order. */
  cos: Float32Array;
  sin: Float32Array;
  headDim: number;
}

/**
 * `Qwen2_5_VisionTransformerPretrainedModel.get_window_index` and `rot_pos_emb` for several visuals:
 * per visual and frame, the merged grid (h/m × w/m) is cut into windows of `window_size / patch / m`
 * cells (row-major windows, partial at the edges, row-major inside); merged cells (m² consecutive
 * patches) are taken in that order.
 */
export function visionLayout(config: VisionTowerConfig, gridThw: readonly (readonly number[])[]): VisionLayout {
  const m = config.spatialMergeSize;
  const unit = m * m;
  const ws = Math.floor(config.windowSize / m / config.patchSize);
  if (ws < 1) throw new VisualInputError('INVALID_ARGUMENT', `vision_config.window_size ${config.windowSize} is smaller than one merged cell`);
  const headDim = config.hiddenSize / config.numHeads;
  if (!Number.isInteger(headDim) || headDim % 4 !== 0) {
    throw new VisualInputError('INVALID_ARGUMENT', `vision hidden_size ${config.hiddenSize} / num_heads ${config.numHeads} must be a multiple of 4`);
  }
  let patches = 0;
  const grids = gridThw.map((g, i): GridThw => {
    const [t, h, w] = g as GridThw;
    if (g.length !== 3 || ![t, h, w].every((x) => Number.isInteger(x) && x > 0) || h % m !== 0 || w % m !== 0) {
      throw new VisualInputError('INVALID_ARGUMENT', `grid_thw[${i}] = [${g.join(', ')}]: three positive integers with h, w multiples of ${m} expected`);
    }
    patches += t * h * w;
    return [t, h, w];
  });

  const windowIndex: number[] = [];
  const windowSegments: number[] = [];
  const frameSegments: number[] = [];
  // Processor-order (row, col) of every patch, for the rotary angles.
  const patchRow = new Int32Array(patches);
  const patchCol = new Int32Array(patches);
  let cellBase = 0;
  let patchBase = 0;
  for (const [t, h, w] of grids) {
    const lh = h / m;
    const lw = w / m;
    for (let f = 0; f < t; f++) {
      frameSegments.push(h * w);
      for (let wr = 0; wr * ws < lh; wr++) {
        for (let wc = 0; wc * ws < lw; wc++) {
          const rows = Math.min(ws, lh - wr * ws);
          const cols = Math.min(ws, lw - wc * ws);
          windowSegments.push(rows * cols * unit);
          for (let r = 0; r < rows; r++) {
            for (let c = 0; c < cols; c++) windowIndex.push(cellBase + (f * lh + wr * ws + r) * lw + wc * ws + c);
          }
        }
      }
    }
    for (let f = 0; f < t; f++) {
      for (let bh = 0; bh < lh; bh++) {
        for (let bw = 0; bw < lw; bw++) {
          for (let ih = 0; ih < m; ih++) {
            for (let iw = 0; iw < m; iw++) {
              patchRow[patchBase] = bh * m + ih;
              patchCol[patchBase] = bw * m + iw;
              patchBase++;
            }
          }
        }
      }
    }
    cellBase += t * lh * lw;
  }

  const patchOrder = new Int32Array(patches);
  const restoreOrder = new Int32Array(cellBase);
  windowIndex.forEach((cell, k) => {
    restoreOrder[cell] = k;
    for (let u = 0; u < unit; u++) patchOrder[k * unit + u] = cell * unit + u;
  });

  // Qwen2_5_VisionRotaryEmbedding(dim = headDim/2): inv = 1/10000^(2i/dim), float32 as in PyTorch.
  const dim = headDim / 2;
  const quarter = dim / 2;
  const inv = new Float32Array(quarter);
  for (let i = 0; i < quarter; i++) inv[i] = Math.fround(1 / Math.fround(Math.pow(10000, Math.fround((2 * i) / dim))));
  const cos = new Float32Array(patches * headDim);
  const sin = new Float32Array(patches * headDim);
  for (let k = 0; k < patches; k++) {
    const p = patchOrder[k] as number;
    const base = k * headDim;
    for (let half = 0; half < 2; half++) {
      for (let axis = 0; axis < 2; axis++) {
        const pos = axis === 0 ? (patchRow[p] as number) : (patchCol[p] as number);
        for (let i = 0; i < quarter; i++) {
          // emb = cat(rotary, rotary) with rotary = [row·inv, col·inv].
          const angle = Math.fround(pos * (inv[i] as number));
          const j = base + half * dim + axis * quarter + i;
          cos[j] = Math.cos(angle);
          sin[j] = Math.sin(angle);
        }
      }
    }
  }
  return { patches, patchOrder, restoreOrder, windowSegments, frameSegments, cos, sin, headDim };
}

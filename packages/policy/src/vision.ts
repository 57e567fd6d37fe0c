// Frames → flattened space-time patches (plain JS, no tensors): the model embeds them with
// one matrix multiply and adds spatial and temporal position embeddings.
import type { FrameStack } from '@video-r1/video-io';
import type { VisionConfig } from './config.js';

/**
 * THWC RGB frames, as `readVideo` / `readImage` of @video-r1/video-io return them.
 * @deprecated `FrameStack` of @video-r1/video-io (the one frame type); this alias goes in the next minor release.
 */
export type Frames = FrameStack;

export interface Patches {
  /**
   * [tokens, patchDim] row-major, pixels scaled to [0, 1]: black is 0, so empty background adds
   * nothing and objects stand out (with [-1, 1] scaling the direction task stayed at chance).
   */
  data: Float32Array;
  tokens: number;
  /** Temporal position (0 … maxFrames / temporalPatch − 1) of each token. */
  temporal: Int32Array;
  /** Spatial position (row-major patch index) of each token. */
  spatial: Int32Array;
}

export class FramesError extends Error {
  override readonly name = 'FramesError';
}

export function patchDim(vision: VisionConfig): number {
  return vision.temporalPatch * vision.patchSize * vision.patchSize * 3;
}

export function spatialPatchCount(vision: VisionConfig): number {
  return (vision.height / vision.patchSize) * (vision.width / vision.patchSize);
}

export function temporalPositions(vision: VisionConfig): number {
  return Math.ceil(vision.maxFrames / vision.temporalPatch);
}

function checkFrames(frames: FrameStack, vision: VisionConfig): void {
  const { frames: t, height, width, data } = frames;
  if (!Number.isInteger(t) || t <= 0 || !Number.isInteger(height) || height <= 0 || !Number.isInteger(width) || width <= 0) {
    throw new FramesError(`frames must have positive integer frames/height/width, got ${t}×${height}×${width}`);
  }
  if (data.length !== t * height * width * 3) {
    throw new FramesError(
      `frames.data has ${data.length} bytes but ${t} frames of ${height}×${width} RGB need ${t * height * width * 3}`,
    );
  }
  if (t > vision.maxFrames) {
    throw new FramesError(
      `the input has ${t} frames but this policy takes at most ${vision.maxFrames} (config.vision.maxFrames); ` +
        `sample fewer frames (readVideo's maxFrames option)`,
    );
  }
}

/** Bilinear resize of every frame (half-pixel centres, like align_corners=false). */
export function resizeFrames(frames: FrameStack, height: number, width: number): FrameStack {
  if (frames.height === height && frames.width === width) return frames;
  const { frames: t, height: h0, width: w0, data } = frames;
  const out = new Uint8Array(t * height * width * 3);
  const sy = h0 / height;
  const sx = w0 / width;
  for (let y = 0; y < height; y++) {
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), h0 - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, h0 - 1);
    const wy = fy - y0;
    for (let x = 0; x < width; x++) {
      const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), w0 - 1);
      const x0 = Math.floor(fx);
      const x1 = Math.min(x0 + 1, w0 - 1);
      const wx = fx - x0;
      for (let f = 0; f < t; f++) {
        const base = f * h0 * w0;
        for (let c = 0; c < 3; c++) {
          const p00 = data[(base + y0 * w0 + x0) * 3 + c]!;
          const p01 = data[(base + y0 * w0 + x1) * 3 + c]!;
          const p10 = data[(base + y1 * w0 + x0) * 3 + c]!;
          const p11 = data[(base + y1 * w0 + x1) * 3 + c]!;
          const top = p00 + (p01 - p00) * wx;
          const bottom = p10 + (p11 - p10) * wx;
          out[((f * height + y) * width + x) * 3 + c] = Math.round(top + (bottom - top) * wy);
        }
      }
    }
  }
  return { data: out, frames: t, height, width };
}

/**
 * Cuts frames into space-time patches: `temporalPatch` consecutive frames × `patchSize`²
 * pixels × RGB per token, temporal-major then row-major. Frames of another size are
 * resized first; a frame count that is not a multiple of `temporalPatch` is padded by
 * repeating the last frame (so an image becomes a static clip).
 */
export function framesToPatches(input: FrameStack, vision: VisionConfig): Patches {
  checkFrames(input, vision);
  const frames = resizeFrames(input, vision.height, vision.width);
  const { patchSize: p, temporalPatch: tp, height, width } = vision;
  const gridH = height / p;
  const gridW = width / p;
  const groups = Math.ceil(frames.frames / tp);
  const tokens = groups * gridH * gridW;
  const dim = patchDim(vision);
  const data = new Float32Array(tokens * dim);
  const temporal = new Int32Array(tokens);
  const spatial = new Int32Array(tokens);
  let token = 0;
  for (let g = 0; g < groups; g++) {
    for (let gy = 0; gy < gridH; gy++) {
      for (let gx = 0; gx < gridW; gx++) {
        temporal[token] = g;
        spatial[token] = gy * gridW + gx;
        let o = token * dim;
        for (let k = 0; k < tp; k++) {
          const f = Math.min(g * tp + k, frames.frames - 1);
          for (let y = 0; y < p; y++) {
            let src = ((f * height + gy * p + y) * width + gx * p) * 3;
            for (let i = 0; i < p * 3; i++) data[o++] = frames.data[src++]! / 255;
          }
        }
        token++;
      }
    }
  }
  return { data, tokens, temporal, spatial };
}

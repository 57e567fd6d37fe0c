import type { Qwen25VLConfig } from '../checkpoint/config.js';
import { VisualInputError } from '../processor/errors.js';
import type { GridThw } from '../processor/patches.js';

/** The config fields `get_rope_index` reads. */
export interface RopeIndexConfig {
  spatialMergeSize: number;
  imageTokenId: number;
  videoTokenId: number;
  visionStartTokenId: number;
  /** `vision_config.tokens_per_second`. */
  tokensPerSecond: number;
}

/** The rope-index fields of a parsed config.json. */
export function ropeIndexConfigOf(config: Qwen25VLConfig): RopeIndexConfig {
  return {
    spatialMergeSize: config.vision.spatialMergeSize,
    imageTokenId: config.imageTokenId,
    videoTokenId: config.videoTokenId,
    visionStartTokenId: config.visionStartTokenId,
    tokensPerSecond: config.vision.tokensPerSecond,
  };
}

export interface RopeIndex {
  /** `[3][B][L]`: temporal, height, width positions; padded positions hold 1. */
  positionIds: number[][][];
  /** Per row: `max(position) + 1 − L`, added to cache positions during generation. */
  ropeDeltas: number[];
}

export interface RopeIndexInput {
  inputIds: readonly (readonly number[])[];
  attentionMask?: readonly (readonly number[])[] | null;
  imageGridThw?: readonly (readonly number[])[] | null;
  videoGridThw?: readonly (readonly number[])[] | null;
  secondPerGridTs?: readonly number[] | null;
}

/**
 * Temporal offset of merged frame `i`: transformers 4.49–4.51 multiply an int64 range by the float32
 * `second_per_grid_t` and the int `tokens_per_second` in float32, then truncate (`.long()`); 4.52+ cast
 * to an integer first, which this does not follow.
 */
function temporalOffset(i: number, secondPerGrid: number, tokensPerSecond: number): number {
  return Math.trunc(Math.fround(Math.fround(i * Math.fround(secondPerGrid)) * tokensPerSecond));
}

/**
 * `Qwen2_5_VLForConditionalGeneration.get_rope_index` (transformers 4.49–4.51): 3-D M-RoPE positions for
 * left-padded rows. Per row, over the tokens with mask 1, visuals are found from vision_start followed by
 * an image / video token and consumed in order of appearance (images and videos each from their own list,
 * continuing across rows); text runs count up on all three axes, a visual's merged cells get
 * (start + T_i, start + row, start + col). Without any grid, positions are `cumsum(mask) − 1`.
 */
export function getRopeIndex(config: RopeIndexConfig, input: RopeIndexInput): RopeIndex {
  const { inputIds } = input;
  const B = inputIds.length;
  const L = B > 0 ? (inputIds[0] as readonly number[]).length : 0;
  inputIds.forEach((row, b) => {
    if (row.length !== L) throw new VisualInputError('INVALID_ARGUMENT', `input_ids row ${b} has ${row.length} tokens, row 0 has ${L}; pad the rows to one length`);
  });
  const mask = input.attentionMask ?? null;
  if (mask) {
    if (mask.length !== B || mask.some((r) => r.length !== L)) {
      throw new VisualInputError('INVALID_ARGUMENT', `attention_mask must be [${B}][${L}] like input_ids`);
    }
  }
  const imageGrids = input.imageGridThw ?? null;
  const videoGrids = input.videoGridThw ?? null;
  const positionIds = [0, 1, 2].map(() => inputIds.map(() => new Array<number>(L).fill(1)));

  if (imageGrids === null && videoGrids === null) {
    const ropeDeltas = inputIds.map((_, b) => {
      if (!mask) {
        for (let a = 0; a < 3; a++) for (let j = 0; j < L; j++) (positionIds[a] as number[][])[b]![j] = j;
        return 0;
      }
      let count = 0;
      let max = -Infinity;
      const m = mask[b] as readonly number[];
      for (let j = 0; j < L; j++) {
        count += m[j] as number;
        const pos = m[j] === 0 ? 1 : count - 1;
        for (let a = 0; a < 3; a++) (positionIds[a] as number[][])[b]![j] = pos;
        max = Math.max(max, pos);
      }
      return L === 0 ? 0 : max + 1 - L;
    });
    return { positionIds, ropeDeltas };
  }

  const merge = config.spatialMergeSize;
  let imageIndex = 0;
  let videoIndex = 0;
  const ropeDeltas: number[] = [];
  for (let b = 0; b < B; b++) {
    const row = inputIds[b] as readonly number[];
    const kept: number[] = [];
    const tokens: number[] = [];
    for (let j = 0; j < L; j++) {
      if (!mask || (mask[b] as readonly number[])[j] === 1) {
        kept.push(j);
        tokens.push(row[j] as number);
      }
    }
    if (tokens.length === 0) {
      throw new VisualInputError('INVALID_ARGUMENT', `row ${b}: attention_mask masks every token; each row needs at least one`);
    }
    let imageNums = 0;
    let videoNums = 0;
    for (let j = 0; j + 1 < tokens.length; j++) {
      if (tokens[j] === config.visionStartTokenId) {
        if (tokens[j + 1] === config.imageTokenId) imageNums++;
        else if (tokens[j + 1] === config.videoTokenId) videoNums++;
      }
    }
    const t3: number[] = [];
    const h3: number[] = [];
    const w3: number[] = [];
    let next = 0; // 1 + max of everything placed so far
    const pushText = (n: number): void => {
      for (let k = 0; k < n; k++) {
        t3.push(next + k);
        h3.push(next + k);
        w3.push(next + k);
      }
      if (n > 0) next += n;
    };
    let st = 0;
    let remainImages = imageNums;
    let remainVideos = videoNums;
    for (let v = 0; v < imageNums + videoNums; v++) {
      const edImage = remainImages > 0 ? indexFrom(tokens, config.imageTokenId, st) : tokens.length + 1;
      const edVideo = remainVideos > 0 ? indexFrom(tokens, config.videoTokenId, st) : tokens.length + 1;
      let grid: readonly number[] | undefined;
      let secondPerGrid: number;
      let ed: number;
      if (edImage < edVideo) {
        grid = imageGrids?.[imageIndex];
        if (!grid) throw new VisualInputError('INVALID_ARGUMENT', `row ${b}: image #${imageIndex + 1} has no image_grid_thw entry`);
        secondPerGrid = 0;
        imageIndex++;
        remainImages--;
        ed = edImage;
      } else {
        grid = videoGrids?.[videoIndex];
        if (!grid) throw new VisualInputError('INVALID_ARGUMENT', `row ${b}: video #${videoIndex + 1} has no video_grid_thw entry`);
        const spg = input.secondPerGridTs?.[videoIndex];
        secondPerGrid = input.secondPerGridTs ? (spg as number) : 1.0;
        if (input.secondPerGridTs && spg === undefined) {
          throw new VisualInputError('INVALID_ARGUMENT', `row ${b}: video #${videoIndex + 1} has no second_per_grid_ts entry`);
        }
        videoIndex++;
        remainVideos--;
        ed = edVideo;
      }
      if (ed > tokens.length) {
        throw new VisualInputError('INVALID_ARGUMENT', `row ${b}: a vision_start is not followed by its placeholder tokens`);
      }
      if (grid.length !== 3 || !grid.every((x) => Number.isInteger(x) && x > 0)) {
        throw new VisualInputError('INVALID_ARGUMENT', `row ${b}: grid [${grid.join(', ')}] must be three positive integers`);
      }
      const [gt, gh, gw] = grid as GridThw;
      const lh = Math.floor(gh / merge);
      const lw = Math.floor(gw / merge);
      const textLen = ed - st;
      pushText(textLen);
      // The visual starts at text start + text length: 1 + max of the text run (or of the previous visual).
      const start = next;
      let max = -Infinity;
      for (let i = 0; i < gt; i++) {
        const ti = temporalOffset(i, secondPerGrid, config.tokensPerSecond);
        for (let j = 0; j < lh; j++) {
          for (let k = 0; k < lw; k++) {
            t3.push(start + ti);
            h3.push(start + j);
            w3.push(start + k);
            max = Math.max(max, start + ti, start + j, start + k);
          }
        }
      }
      if (gt * lh * lw > 0) next = max + 1;
      st = ed + gt * lh * lw;
    }
    if (st < tokens.length) pushText(tokens.length - st);
    if (t3.length !== tokens.length) {
      throw new VisualInputError(
        'INVALID_ARGUMENT',
        `row ${b}: ${tokens.length} unpadded tokens but the grids account for ${t3.length} positions; ` +
          'expand each placeholder to t·h·w/merge² tokens',
      );
    }
    let rowMax = -Infinity;
    kept.forEach((j, n) => {
      (positionIds[0] as number[][])[b]![j] = t3[n] as number;
      (positionIds[1] as number[][])[b]![j] = h3[n] as number;
      (positionIds[2] as number[][])[b]![j] = w3[n] as number;
      rowMax = Math.max(rowMax, t3[n] as number, h3[n] as number, w3[n] as number);
    });
    ropeDeltas.push(rowMax + 1 - L);
  }
  return { positionIds, ropeDeltas };
}

function indexFrom(tokens: readonly number[], id: number, from: number): number {
  const i = tokens.indexOf(id, from);
  // Python's list.index raises when absent; transformers only reaches here when a placeholder follows.
  return i < 0 ? tokens.length + 1 : i;
}

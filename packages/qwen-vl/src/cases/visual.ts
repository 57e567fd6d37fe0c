// Runner glue for the processor, ropeIndex and vision case kinds (the vectors' README, "Case kinds").
import type { FrameStack } from '@video-r1/video-io';
import type { Qwen25VLConfig } from '../checkpoint/config.js';
import { processImages, processQwenVl, processVideos, type PatchRows } from '../processor/index.js';
import { getRopeIndex, ropeIndexConfigOf } from '../rope/index.js';
import { tf } from '../tf.js';
import { visionForward, type VisionWeightLookup } from '../vision/index.js';
import type { ArrayReader, BinRef, BinWriter } from './arrays.js';
import { CaseError } from './errors.js';

export const VISUAL_CASE_KINDS = ['processor', 'ropeIndex', 'vision'] as const;
export type VisualCaseKind = (typeof VISUAL_CASE_KINDS)[number];

export const isVisualCaseKind = (kind: string): kind is VisualCaseKind => (VISUAL_CASE_KINDS as readonly string[]).includes(kind);

export interface VisualCaseContext {
  arrays: ArrayReader;
  /** Where large float arrays go (pixel values, embeddings). */
  bins: BinWriter;
  /** Parsed config.json of the case's model. */
  config(model: string): Qwen25VLConfig;
  /** Weights of the case's model by hub-layout name (loaded once by the caller). */
  weights(model: string): VisionWeightLookup;
}

type Json = Record<string, unknown>;

function field<T>(input: Json, key: string, check: (v: unknown) => boolean, what: string): T {
  const v = input[key];
  if (!check(v)) throw new CaseError('BAD_INPUT', `input.${key}: expected ${what}, got ${JSON.stringify(v)?.slice(0, 80)}`);
  return v as T;
}

const isIntRows = (v: unknown): boolean => Array.isArray(v) && v.every((r) => Array.isArray(r) && r.every((x) => Number.isInteger(x)));
const isNullOr = (check: (v: unknown) => boolean) => (v: unknown) => v === null || v === undefined || check(v);
const isList = (v: unknown): boolean => Array.isArray(v);

function frames(ctx: VisualCaseContext, list: unknown[], key: string): FrameStack[] {
  return list.map((ref, i) => {
    const { shape, data } = ctx.arrays.read(ref as BinRef, `input.${key}[${i}]`);
    if (shape.length !== 4 || shape[3] !== 3) throw new CaseError('BAD_INPUT', `input.${key}[${i}]: uint8 frames [T, H, W, 3] expected, got [${shape.join(', ')}]`);
    const [t, h, w] = shape as [number, number, number];
    return { data: data instanceof Uint8Array ? data : Uint8Array.from(data), frames: t, height: h, width: w };
  });
}

const pixelOut = (ctx: VisualCaseContext, rows: PatchRows | null): BinRef | null => (rows ? ctx.bins.write([rows.rows, rows.cols], rows.data) : null);

function answerProcessor(input: Json, config: Qwen25VLConfig, ctx: VisualCaseContext): Json {
  const inputIds = field<number[][]>(input, 'input_ids', isIntRows, 'rows of token ids');
  const images = frames(ctx, field<unknown[]>(input, 'images', isNullOr(isList), 'a list of frame arrays') ?? [], 'images');
  const videos = frames(ctx, field<unknown[]>(input, 'videos', isNullOr(isList), 'a list of frame arrays') ?? [], 'videos');
  const fps = field<number | number[] | null>(
    input,
    'video_fps',
    isNullOr((v) => typeof v === 'number' || (Array.isArray(v) && v.every((x) => typeof x === 'number'))),
    'a number or a list of numbers',
  );
  // transformers 4.49: no fps → 2.0 for every video.
  const videoFps = fps === null || fps === undefined || (Array.isArray(fps) && fps.length === 0) ? undefined : fps;
  const out = processQwenVl(
    { inputIds, images, videos, ...(videoFps !== undefined ? { videoFps } : {}) },
    { imageTokenId: config.imageTokenId, videoTokenId: config.videoTokenId },
  );
  return {
    pixel_values: pixelOut(ctx, out.pixelValues),
    image_grid_thw: out.imageGridThw,
    pixel_values_videos: pixelOut(ctx, out.pixelValuesVideos),
    video_grid_thw: out.videoGridThw,
    second_per_grid_ts: out.secondPerGridTs,
    num_image_tokens: out.numImageTokens,
    num_video_tokens: out.numVideoTokens,
    input_ids: out.inputIds,
  };
}

function answerRopeIndex(input: Json, config: Qwen25VLConfig): Json {
  const grid = isNullOr(isIntRows);
  const out = getRopeIndex(ropeIndexConfigOf(config), {
    inputIds: field<number[][]>(input, 'input_ids', isIntRows, 'rows of token ids'),
    attentionMask: field<number[][] | null>(input, 'attention_mask', grid, 'rows of 0/1 or null') ?? null,
    imageGridThw: field<number[][] | null>(input, 'image_grid_thw', grid, 'a list of [t, h, w] or null') ?? null,
    videoGridThw: field<number[][] | null>(input, 'video_grid_thw', grid, 'a list of [t, h, w] or null') ?? null,
    secondPerGridTs: field<number[] | null>(input, 'second_per_grid_ts', isNullOr((v) => Array.isArray(v) && v.every((x) => typeof x === 'number')), 'a list of numbers or null') ?? null,
  });
  return { position_ids: out.positionIds, rope_deltas: out.ropeDeltas };
}

function embeds(ctx: VisualCaseContext, model: string, config: Qwen25VLConfig, rows: PatchRows | null): BinRef | null {
  if (!rows) return null;
  const out = tf.tidy(() => visionForward(ctx.weights(model), config.vision, tf.tensor2d(rows.data, [rows.rows, rows.cols]), rows.gridThw));
  const data = out.dataSync() as Float32Array;
  const ref = ctx.bins.write(out.shape, data);
  out.dispose();
  return ref;
}

function answerVision(input: Json, model: string, config: Qwen25VLConfig, ctx: VisualCaseContext): Json {
  const images = frames(ctx, field<unknown[]>(input, 'images', isNullOr(isList), 'a list of frame arrays') ?? [], 'images');
  const videos = frames(ctx, field<unknown[]>(input, 'videos', isNullOr(isList), 'a list of frame arrays') ?? [], 'videos');
  // Each kind goes through the tower in one call, as the model's forward does; fps does not reach the tower.
  return {
    image_embeds: embeds(ctx, model, config, processImages(images).pixelValues),
    video_embeds: embeds(ctx, model, config, processVideos(videos).pixelValuesVideos),
  };
}

/** The `output` object of one processor / ropeIndex / vision case. */
export function answerVisualCase(kind: VisualCaseKind, model: string, input: Json, ctx: VisualCaseContext): Json {
  const config = ctx.config(model);
  switch (kind) {
    case 'processor':
      return answerProcessor(input, config, ctx);
    case 'ropeIndex':
      return answerRopeIndex(input, config);
    case 'vision':
      return answerVision(input, model, config, ctx);
  }
}

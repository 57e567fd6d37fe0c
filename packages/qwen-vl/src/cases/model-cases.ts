// Parity-case answers of the decoder kinds: forward, logprobs, generate, lora.
import type { FrameStack } from '@video-r1/video-io';

import { generate } from '../generate.js';
import { completionLogProbs, gradientsByName, maskedSum } from '../logprobs.js';
import type { ModelInputs, QwenVLModel } from '../model.js';
import { processImages, processVideos } from '../processor/index.js';
import { tf } from '../tf.js';
import type { ArrayReader, BinWriter } from './arrays.js';
import { CaseError } from './errors.js';

export interface CaseContext {
  arrays: ArrayReader;
  bins: BinWriter;
  /** The model of a case's `model` name (loaded once, base weights, no adapter). */
  model(name: string): QwenVLModel;
  /** Directory of the cases file (adapters are relative to it). */
  baseDir: string;
}

export interface ParityCase {
  id: string;
  kind: string;
  model?: string;
  input: Record<string, unknown>;
}

type Rows = number[][];

function rows(value: unknown, field: string): Rows {
  if (!Array.isArray(value) || !value.every((r) => Array.isArray(r) && r.every((x) => typeof x === 'number'))) {
    throw new CaseError('BAD_INPUT', `input.${field} must be a list of number lists`);
  }
  return value as Rows;
}

/** uint8 `[T, H, W, 3]` references → frame stacks. */
export function framesOf(ctx: CaseContext, value: unknown, field: string): FrameStack[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new CaseError('BAD_INPUT', `input.${field} must be a list`);
  return value.map((ref, i) => {
    const { shape, data } = ctx.arrays.read(ref, `${field}[${i}]`);
    if (shape.length !== 4 || shape[3] !== 3 || !(data instanceof Uint8Array)) {
      throw new CaseError('BAD_INPUT', `input.${field}[${i}] must be uint8 [T, H, W, 3], got [${shape.join(', ')}]`);
    }
    return { data, frames: shape[0] as number, height: shape[1] as number, width: shape[2] as number };
  });
}

/** input_ids / attention_mask / images / videos / video_fps → model inputs (pixel tensors owned by the caller). */
export function modelInputsOf(ctx: CaseContext, c: ParityCase, model: QwenVLModel): ModelInputs {
  const input = c.input;
  const inputIds = rows(input['input_ids'], 'input_ids');
  const attentionMask = input['attention_mask'] === null || input['attention_mask'] === undefined ? null : rows(input['attention_mask'], 'attention_mask');
  const images = processImages(framesOf(ctx, input['images'], 'images'));
  const fps = input['video_fps'];
  const videos = processVideos(framesOf(ctx, input['videos'], 'videos'), Array.isArray(fps) ? (fps as number[]) : typeof fps === 'number' ? fps : undefined);
  void model;
  return {
    inputIds,
    attentionMask,
    pixelValues: images.pixelValues ? tf.tensor2d(images.pixelValues.data, [images.pixelValues.rows, images.pixelValues.cols]) : null,
    imageGridThw: images.imageGridThw,
    pixelValuesVideos: videos.pixelValuesVideos
      ? tf.tensor2d(videos.pixelValuesVideos.data, [videos.pixelValuesVideos.rows, videos.pixelValuesVideos.cols])
      : null,
    videoGridThw: videos.videoGridThw,
    secondPerGridTs: videos.secondPerGridTs,
  };
}

function disposeInputs(inputs: ModelInputs): void {
  inputs.pixelValues?.dispose();
  inputs.pixelValuesVideos?.dispose();
}

function modelOf(ctx: CaseContext, c: ParityCase): QwenVLModel {
  if (typeof c.model !== 'string') throw new CaseError('BAD_INPUT', `case ${c.id}: "model" must name a directory under models/`);
  return ctx.model(c.model);
}

function numberField(c: ParityCase, field: string): number {
  const v = c.input[field];
  if (typeof v !== 'number') throw new CaseError('BAD_INPUT', `input.${field} must be a number`);
  return v;
}

/** Runs `body` with the case's adapter attached (when it names one), detaching it afterwards. */
function withAdapter<T>(ctx: CaseContext, c: ParityCase, model: QwenVLModel, required: boolean, body: () => T): T {
  const adapter = c.input['adapter'];
  if (adapter === undefined || adapter === null) {
    if (required) throw new CaseError('BAD_INPUT', 'input.adapter must name a PEFT adapter directory');
    return body();
  }
  if (typeof adapter !== 'string') throw new CaseError('BAD_INPUT', 'input.adapter must be a path');
  model.loadAdapter(`${ctx.baseDir}/${adapter}`);
  try {
    return body();
  } finally {
    model.detachLora();
  }
}

function floatRows(t: tf.Tensor): number[][] {
  return t.arraySync() as number[][];
}

/** Logits at `positions` (all positions when absent), with the adapter when one is named. */
export function answerForward(ctx: CaseContext, c: ParityCase): Record<string, unknown> {
  const model = modelOf(ctx, c);
  const inputs = modelInputsOf(ctx, c, model);
  try {
    return withAdapter(ctx, c, model, false, () => {
      const positions = c.input['positions'] === undefined || c.input['positions'] === null ? undefined : rows(c.input['positions'], 'positions');
      const { logits, ropeDeltas } = model.forward(inputs, positions === undefined ? {} : { positions });
      const ref = ctx.bins.write(logits.shape, logits.dataSync() as Float32Array);
      logits.dispose();
      return { logits: ref, rope_deltas: ropeDeltas };
    });
  } finally {
    disposeInputs(inputs);
  }
}

/** logprobs and lora: log-probs, objective, and with want_grads every gradient by file name. */
export function answerLogProbs(ctx: CaseContext, c: ParityCase, lora: boolean): Record<string, unknown> {
  const model = modelOf(ctx, c);
  const inputs = modelInputsOf(ctx, c, model);
  try {
    return withAdapter(ctx, c, model, lora, () => {
      const k = numberField(c, 'logits_to_keep');
      const temperature = numberField(c, 'temperature');
      const mask = rows(c.input['completion_mask'], 'completion_mask');
      const wantGrads = c.input['want_grads'] === true;
      let logps: number[][] = [];
      const objective = (): tf.Scalar => {
        const lp = completionLogProbs(model, inputs, k, { temperature });
        logps = floatRows(lp);
        return maskedSum(lp, mask);
      };
      if (!wantGrads) {
        const value = tf.tidy(objective);
        const out = { logps: maskNulls(logps, mask), objective: value.dataSync()[0] };
        value.dispose();
        return out;
      }
      const { value, grads } = gradientsByName(model, objective);
      const gradNorms: Record<string, number> = {};
      const full: Record<string, unknown> = {};
      for (const [name, g] of grads) {
        const data = g.dataSync() as Float32Array;
        let sum = 0;
        for (let i = 0; i < data.length; i++) sum += (data[i] as number) * (data[i] as number);
        gradNorms[name] = Math.sqrt(sum);
        full[name] = ctx.bins.write(g.shape, data);
        g.dispose();
      }
      return { logps: maskNulls(logps, mask), objective: value, grad_norms: gradNorms, grads: full };
    });
  } finally {
    disposeInputs(inputs);
  }
}

function maskNulls(logps: number[][], mask: Rows): (number | null)[][] {
  return logps.map((row, b) => row.map((x, k) => (mask[b]?.[k] ? x : null)));
}

/** Greedy, exactly max_new_tokens tokens (no stop), with the adapter when named. */
export function answerGenerate(ctx: CaseContext, c: ParityCase): Record<string, unknown> {
  const model = modelOf(ctx, c);
  const inputs = modelInputsOf(ctx, c, model);
  try {
    return withAdapter(ctx, c, model, false, () => {
      const result = generate(model, inputs, { maxNewTokens: numberField(c, 'max_new_tokens'), temperature: 0, eosTokenId: null });
      return { tokens: result.tokens, step_max_logits: result.stepMaxLogits };
    });
  } finally {
    disposeInputs(inputs);
  }
}

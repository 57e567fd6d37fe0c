// Qwen2.5-VL as a `VisionLanguageModel` (@video-r1/model-api): what the GRPO step, the trainer
// and the evaluator use. A prompt becomes Video-R1's chat message
// `[{type: video|image}, {type: text}]` through the checkpoint's chat template (generation prompt
// added), the processor turns the frames into patch rows and expands the placeholder; batches are
// left-padded.
import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';

import type {
  LogProbOptions,
  ModelLoader,
  ModelPrompt,
  SampledCompletions,
  SampleOptions,
  TokenFacts,
  VisionLanguageModel,
} from '@video-r1/model-api';
import type { FrameRequest } from '@video-r1/video-io';

import { generate } from './generate.js';
import { completionLogProbs } from './logprobs.js';
import { type ModelInputs, QwenVLModel } from './model.js';
import { QwenVLModelError } from './model-error.js';
import { lookupRows } from './ops.js';
import { expandPlaceholders, type GridThw, type PatchRows, processImages, processVideos } from './processor/index.js';
import { type ChatContentPart, QwenTokenizer } from './text/index.js';
import { tf } from './tf.js';

/** One encoded prompt: expanded ids (unpadded) and the patch rows of its visual. */
export interface QwenVLInput {
  readonly ids: readonly number[];
  readonly pixelValues: PatchRows | null;
  readonly imageGridThw: readonly GridThw[];
  readonly pixelValuesVideos: PatchRows | null;
  readonly videoGridThw: readonly GridThw[];
  readonly secondPerGridTs: readonly number[];
}

export interface QwenVLPolicyOptions {
  /** For logs and result files (default `qwen2.5-vl`). */
  name?: string;
  /**
   * Frames and sizes to ask video-io for (default Video-R1's training preset). The processor
   * needs frames whose sides are multiples of 28 within its pixel bounds, as qwen-vl-utils gives them.
   */
  mediaRequest?: FrameRequest;
  /** false: a frozen policy (no trainable variables). Default true. */
  trainable?: boolean;
  /** The reference policy of GRPO's KL: the same weights with the LoRA adapter switched off. */
  useLora?: boolean;
  /** Whether dispose() frees the model (default true; views such as reference() share it). */
  ownsModel?: boolean;
  /** Ends a completion (default: the tokenizer's eos_token, else the config's first eos id). */
  eosId?: number;
  /** Fills ragged completions and is never sampled (default: the tokenizer's pad_token, else the config's). */
  padId?: number;
}

const DEFAULT_MEDIA_REQUEST: FrameRequest = { preset: 'video-r1-train' };

/** Patch rows of several visuals stacked into one `[Σ rows, cols]` tensor (null when there are none). */
function patchTensor(parts: readonly (PatchRows | null)[]): tf.Tensor2D | null {
  const present = parts.filter((p): p is PatchRows => p !== null);
  if (present.length === 0) return null;
  const cols = present[0]!.cols;
  const data = new Float32Array(present.reduce((s, p) => s + p.rows, 0) * cols);
  let offset = 0;
  for (const p of present) {
    data.set(p.data, offset);
    offset += p.data.length;
  }
  return tf.tensor2d(data, [data.length / cols, cols]);
}

function disposeBatch(batch: ModelInputs): void {
  tf.dispose([batch.pixelValues, batch.pixelValuesVideos, batch.imageEmbeds, batch.videoEmbeds].filter((t): t is tf.Tensor2D => t != null));
}

function firstId(ids: number | readonly number[] | undefined): number | undefined {
  return typeof ids === 'number' ? ids : ids?.[0];
}

export class QwenVLPolicy implements VisionLanguageModel<QwenVLInput> {
  readonly name: string;
  readonly mediaRequest: FrameRequest;
  readonly tokens: TokenFacts;
  readonly trainable: boolean;
  private readonly useLora: boolean;
  private readonly ownsModel: boolean;
  /** Ids that end a sequence during sampling: eosId and the config's eos ids (PAD excluded). */
  private readonly stopIds: number[];
  /** Never sampled: PAD and the image/video placeholder tokens. */
  readonly bannedIds: readonly number[];

  constructor(
    readonly model: QwenVLModel,
    readonly tokenizer: QwenTokenizer,
    options: QwenVLPolicyOptions = {},
  ) {
    tokenizer.assertMatchesConfig(model.config);
    this.name = options.name ?? 'qwen2.5-vl';
    this.mediaRequest = options.mediaRequest ?? DEFAULT_MEDIA_REQUEST;
    this.trainable = options.trainable ?? true;
    this.useLora = options.useLora ?? true;
    this.ownsModel = options.ownsModel ?? true;
    const eosId = options.eosId ?? tokenizer.eosTokenId ?? firstId(model.config.eosTokenId);
    const padId = options.padId ?? tokenizer.padTokenId ?? model.config.padTokenId;
    if (eosId === undefined || padId === undefined) {
      throw new QwenVLModelError('INVALID_INPUT', 'QwenVLPolicy: no eos/pad id in the tokenizer or config; pass options.eosId / options.padId');
    }
    if (eosId === padId) throw new QwenVLModelError('INVALID_INPUT', `QwenVLPolicy: eos and pad are both id ${eosId}; PAD must differ from EOS`);
    this.tokens = { eosId, padId };
    const configEos = model.config.eosTokenId;
    this.stopIds = [...new Set([eosId, ...(configEos === undefined ? [] : [configEos].flat())])].filter((id) => id !== padId);
    this.bannedIds = [padId, model.config.imageTokenId, model.config.videoTokenId];
  }

  /**
   * Loads a directory holding a Hugging Face checkpoint and its tokenizer files (tokenizer.json,
   * tokenizer_config.json, chat_template.json) and, when present, a PEFT adapter in `adapter/`.
   */
  static load(dir: string, options: QwenVLPolicyOptions = {}): QwenVLPolicy {
    const model = QwenVLModel.load(dir);
    try {
      const adapter = path.join(dir, 'adapter');
      if (existsSync(path.join(adapter, 'adapter_config.json'))) model.loadAdapter(adapter);
      return new QwenVLPolicy(model, QwenTokenizer.load(dir), options);
    } catch (error) {
      model.dispose();
      throw error;
    }
  }

  /** The frozen KL reference: the same weights (no copy) with the adapter off, nothing trainable. */
  reference(): QwenVLPolicy {
    return new QwenVLPolicy(this.model, this.tokenizer, {
      name: `${this.name}-reference`,
      mediaRequest: this.mediaRequest,
      trainable: false,
      useLora: false,
      ownsModel: false,
      eosId: this.tokens.eosId,
      padId: this.tokens.padId,
    });
  }

  encode(prompt: ModelPrompt): QwenVLInput {
    const frames = prompt.frames;
    const kind = frames === null ? null : (prompt.mediaKind ?? (frames.frames > 1 ? 'video' : 'image'));
    const content: ChatContentPart[] = [...(kind === null ? [] : [{ type: kind }]), { type: 'text', text: prompt.text }];
    const text = this.tokenizer.applyChatTemplate([{ role: 'user', content }], { addGenerationPrompt: true });
    const ids = this.tokenizer.encode(text);
    const images = kind === 'image' && frames !== null ? processImages([frames]) : { pixelValues: null, imageGridThw: [] };
    const videos =
      kind === 'video' && frames !== null
        ? processVideos([frames], prompt.sampleFps ?? undefined)
        : { pixelValuesVideos: null, videoGridThw: [], secondPerGridTs: [] };
    const [expanded] = expandPlaceholders(
      [ids],
      images.imageGridThw,
      videos.videoGridThw,
      { imageTokenId: this.model.config.imageTokenId, videoTokenId: this.model.config.videoTokenId },
      this.model.config.vision.spatialMergeSize,
    );
    return {
      ids: expanded as number[],
      pixelValues: images.pixelValues,
      imageGridThw: images.imageGridThw,
      pixelValuesVideos: videos.pixelValuesVideos,
      videoGridThw: videos.videoGridThw,
      secondPerGridTs: videos.secondPerGridTs,
    };
  }

  /** Rows `inputs[n]` followed by `suffixes[n]`, prompts left-padded so every suffix starts at one column. */
  private batch(inputs: readonly QwenVLInput[], suffixes?: readonly (readonly number[])[]): ModelInputs {
    const pad = this.tokens.padId;
    const promptLength = Math.max(...inputs.map((x) => x.ids.length));
    const inputIds = inputs.map((x, n) => [...new Array<number>(promptLength - x.ids.length).fill(pad), ...x.ids, ...(suffixes?.[n] ?? [])]);
    const attentionMask = inputs.map((x, n) => [
      ...new Array<number>(promptLength - x.ids.length).fill(0),
      ...new Array<number>(x.ids.length + (suffixes?.[n]?.length ?? 0)).fill(1),
    ]);
    const grids = {
      imageGridThw: inputs.flatMap((x) => x.imageGridThw),
      videoGridThw: inputs.flatMap((x) => x.videoGridThw),
      secondPerGridTs: inputs.flatMap((x) => x.secondPerGridTs),
    };
    const unique = [...new Set(inputs)];
    if (unique.length === inputs.length) {
      return {
        inputIds,
        attentionMask,
        pixelValues: patchTensor(inputs.map((x) => x.pixelValues)),
        pixelValuesVideos: patchTensor(inputs.map((x) => x.pixelValuesVideos)),
        ...grids,
      };
    }
    // Rows sharing one Input object (a GRPO group) share one vision tower pass.
    return {
      inputIds,
      attentionMask,
      imageEmbeds: this.sharedEmbeddings(inputs, unique, (x) => x.pixelValues, (x) => x.imageGridThw),
      videoEmbeds: this.sharedEmbeddings(inputs, unique, (x) => x.pixelValuesVideos, (x) => x.videoGridThw),
      ...grids,
    };
  }

  /** Tower output of every unique input once, repeated in row order (differentiable). */
  private sharedEmbeddings(
    inputs: readonly QwenVLInput[],
    unique: readonly QwenVLInput[],
    pixels: (x: QwenVLInput) => PatchRows | null,
    grids: (x: QwenVLInput) => readonly GridThw[],
  ): tf.Tensor2D | null {
    const withVisual = unique.filter((x) => pixels(x) !== null);
    if (withVisual.length === 0) return null;
    return tf.tidy(() => {
      const merge = this.model.config.vision.spatialMergeSize ** 2;
      const start = new Map<QwenVLInput, { offset: number; count: number }>();
      let offset = 0;
      for (const x of withVisual) {
        const count = grids(x).reduce((s, [t, h, w]) => s + (t * h * w) / merge, 0);
        start.set(x, { offset, count });
        offset += count;
      }
      const all = this.model.visionEmbeddings(patchTensor(withVisual.map(pixels))!, withVisual.flatMap(grids));
      const rows: number[] = [];
      for (const x of inputs) {
        const span = start.get(x);
        if (span !== undefined) for (let i = 0; i < span.count; i++) rows.push(span.offset + i);
      }
      return lookupRows(all, rows);
    });
  }

  sample(inputs: readonly QwenVLInput[], options: SampleOptions): Promise<SampledCompletions> {
    try {
      const rows = inputs.flatMap((x) => new Array<QwenVLInput>(options.numSamples).fill(x));
      const batch = this.batch(rows);
      try {
        const out = generate(this.model, batch, {
          maxNewTokens: options.maxNewTokens,
          temperature: options.temperature,
          topP: options.topP,
          topK: options.topK ?? 0,
          ...(options.rng === undefined ? {} : { rng: options.rng }),
          eosTokenId: this.stopIds,
          padTokenId: this.tokens.padId,
          // A sampled image/video placeholder would make the completion unscorable (its log-probs need
          // visuals for it), so neither is ever sampled, like PAD.
          bannedTokenIds: this.bannedIds,
          useLora: this.useLora,
        });
        const ids = out.tokens.map((row, n) => row.slice(0, out.lengths[n]));
        return Promise.resolve({
          ids,
          texts: ids.map((row) => this.tokenizer.decode(row, { skipSpecialTokens: true })),
          lengths: ids.map((row) => row.length),
          finished: out.finished,
        });
      } finally {
        disposeBatch(batch);
      }
    } catch (error) {
      return Promise.reject(error);
    }
  }

  completionLogProbs(inputs: readonly QwenVLInput[], completions: readonly (readonly number[])[], options: LogProbOptions = {}): tf.Tensor2D {
    if (inputs.length !== completions.length) {
      throw new QwenVLModelError('INVALID_INPUT', `completionLogProbs: ${inputs.length} inputs for ${completions.length} completions`);
    }
    const length = options.length ?? Math.max(1, ...completions.map((c) => c.length));
    const pad = this.tokens.padId;
    const padded = completions.map((c) => {
      if (c.length > length) throw new QwenVLModelError('INVALID_INPUT', `completionLogProbs: a completion has ${c.length} tokens, more than length ${length}`);
      return [...c, ...new Array<number>(length - c.length).fill(pad)];
    });
    const batch = this.batch(inputs, padded);
    try {
      return completionLogProbs(this.model, batch, length, { temperature: options.temperature ?? 1, useLora: this.useLora });
    } finally {
      disposeBatch(batch);
    }
  }

  trainableVariables(): tf.Variable[] {
    if (!this.trainable) return [];
    return [...this.model.trainableVariables().values()];
  }

  /**
   * Writes the base weights, config and tokenizer files, and the adapter (in `adapter/`) when one
   * is attached, into a sibling temporary directory renamed over `dir` at the end.
   */
  save(dir: string): Promise<void> {
    try {
      const target = path.resolve(dir);
      const staging = `${target}.tmp-${process.pid}`;
      rmSync(staging, { recursive: true, force: true });
      mkdirSync(staging, { recursive: true });
      this.model.save(staging, { layout: this.model.layout });
      copyTokenizerFiles(this.tokenizer, staging);
      if (this.model.lora !== null) this.model.saveAdapter(path.join(staging, 'adapter'), { layout: this.model.layout });
      // Swap directories so a crash leaves either the old or the new save complete.
      const old = `${target}.old-${process.pid}`;
      if (existsSync(target)) renameSync(target, old);
      renameSync(staging, target);
      rmSync(old, { recursive: true, force: true });
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(error);
    }
  }

  dispose(): void {
    if (this.ownsModel) this.model.dispose();
  }
}

/** The tokenizer's files (tokenizer.json, tokenizer_config.json, the chat template file) into `dir`. */
function copyTokenizerFiles(tokenizer: QwenTokenizer, dir: string): void {
  const { tokenizerFile, tokenizerConfigFile, chatTemplateFile } = tokenizer.files;
  copyFileSync(tokenizerFile, path.join(dir, 'tokenizer.json'));
  copyFileSync(tokenizerConfigFile, path.join(dir, 'tokenizer_config.json'));
  // Keep the template file's own name: a `.jinja` file is plain text, not JSON.
  if (chatTemplateFile !== undefined) copyFileSync(chatTemplateFile, path.join(dir, path.basename(chatTemplateFile)));
}

/** `ModelLoader` of @video-r1/model-api: what `QwenVLPolicy.save` wrote → a policy (frozen with `trainable: false`). */
export const loadQwenVLPolicy: ModelLoader<QwenVLInput> = (dir, options = {}) => {
  try {
    return Promise.resolve(QwenVLPolicy.load(dir, options.trainable === undefined ? {} : { trainable: options.trainable }));
  } catch (error) {
    return Promise.reject(error);
  }
};

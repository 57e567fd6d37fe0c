// The SFT batch of Video-R1's sft_video.py (`collate_fn`): the whole conversation
// `[system, user: media + question, assistant: process + "\n" + solution]` through the chat
// template (no generation prompt), the processor on the same frames, right padding, and
// labels = input ids with every PAD and every `<|image_pad|>` set to −100. sft_video.py masks
// only the processor's image token for a Qwen2.5-VL processor (its list of three visual ids is
// for Qwen2-VL's processor class), so the prompt text, `<|vision_start|>`, `<|vision_end|>` and
// the `<|video_pad|>` placeholders of a video stay in the loss. `'completion'` is TRL's
// completion-only collator instead: everything up to and including `<|im_start|>assistant\n` is
// −100, so only the answer and its `<|im_end|>\n` are learned.
import type { ModelPrompt } from '@video-r1/model-api';

import type { Qwen25VLConfig } from '../checkpoint/config.js';
import type { ModelInputs } from '../model.js';
import { QwenVLModelError } from '../model-error.js';
import { DEFAULT_VIDEO_FPS, expandPlaceholders, type GridThw, type PatchRows, processImages, processVideos } from '../processor/index.js';
import { type ChatContentPart, type ChatMessage, QWEN_SPECIAL_TOKENS, type QwenTokenizer } from '../text/index.js';
import { tf } from '../tf.js';

/** The label of a token that is not learned (PyTorch's `ignore_index`). */
export const IGNORE_INDEX = -100;

/** `video-r1`: sft_video.py's labels (PAD and `<|image_pad|>` masked); `completion`: TRL's completion-only loss. */
export type SftLossMask = 'video-r1' | 'completion';

export interface QwenSftExample {
  /** The user turn: its text with the dataset's template applied (QUESTION_TEMPLATE + TYPE_TEMPLATE), and its frames. */
  prompt: ModelPrompt;
  /** The assistant turn: `process + "\n" + solution` (`sftTarget` of @video-r1/datasets). */
  target: string;
  /**
   * The system turn: sft_video.py's is "You are a helpful assistant" (`SFT_SYSTEM_MESSAGE` of
   * @video-r1/datasets). null: none, and the Qwen chat template then writes its own default.
   */
  system: string | null;
}

export interface SftCollateOptions {
  /** Default `video-r1`. */
  mask?: SftLossMask;
  /**
   * The fps behind `second_per_grid_ts`. `processor-default` (default): sft_video.py calls the
   * processor without the `video_kwargs` qwen-vl-utils returns, so transformers uses fps 2.0
   * for every video; `sampled`: each prompt's `sampleFps` (as grpo.py and inference do).
   */
  videoFps?: 'processor-default' | 'sampled';
}

/** One collated batch: model inputs (right-padded) and the labels aligned with `inputs.inputIds`. */
export interface SftBatch {
  inputs: ModelInputs;
  /** Same shape as `inputs.inputIds`; −100 where no loss is taken. */
  labels: number[][];
  /** Tokens whose label enters the loss (label ≠ −100, after the one-token shift). */
  lossTokens: number;
}

/** The three messages sft_video.py's `prepare_dataset` builds (the media part carries no path: the frames are given). */
export function sftMessages(example: QwenSftExample): ChatMessage[] {
  const kind = mediaKindOf(example.prompt);
  const user: ChatContentPart[] = [...(kind === null ? [] : [{ type: kind }]), { type: 'text', text: example.prompt.text }];
  return [
    ...(example.system === null ? [] : [{ role: 'system', content: [{ type: 'text', text: example.system }] }]),
    { role: 'user', content: user },
    { role: 'assistant', content: [{ type: 'text', text: example.target }] },
  ];
}

function mediaKindOf(prompt: ModelPrompt): 'image' | 'video' | null {
  if (prompt.frames === null) return null;
  return prompt.mediaKind ?? (prompt.frames.frames > 1 ? 'video' : 'image');
}

/** Rows of every visual, concatenated in prompt order (null when there are none). */
function stackRows(parts: readonly PatchRows[]): tf.Tensor2D | null {
  if (parts.length === 0) return null;
  const cols = parts[0]!.cols;
  const data = new Float32Array(parts.reduce((s, p) => s + p.data.length, 0));
  let offset = 0;
  for (const p of parts) {
    data.set(p.data, offset);
    offset += p.data.length;
  }
  return tf.tensor2d(data, [data.length / cols, cols]);
}

/** Start of the first occurrence of `needle` in `row`, or −1. */
function indexOfSequence(row: readonly number[], needle: readonly number[]): number {
  outer: for (let i = 0; i + needle.length <= row.length; i++) {
    for (let j = 0; j < needle.length; j++) if (row[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/**
 * `collate_fn` of sft_video.py over `examples`. The caller disposes `inputs.pixelValues` and
 * `inputs.pixelValuesVideos` (see `disposeSftBatch`).
 */
export function collateSft(tokenizer: QwenTokenizer, config: Qwen25VLConfig, examples: readonly QwenSftExample[], options: SftCollateOptions = {}): SftBatch {
  if (examples.length === 0) throw new QwenVLModelError('INVALID_INPUT', 'collateSft: no examples');
  const mask = options.mask ?? 'video-r1';
  const padId = tokenizer.padTokenId;
  if (padId === undefined) {
    throw new QwenVLModelError('INVALID_INPUT', `collateSft: ${tokenizer.files.tokenizerConfigFile} names no pad_token; sft_video.py pads with it and masks it`);
  }
  const rows: number[][] = [];
  const images: PatchRows[] = [];
  const videos: PatchRows[] = [];
  const imageGridThw: GridThw[] = [];
  const videoGridThw: GridThw[] = [];
  const secondPerGridTs: number[] = [];
  for (const example of examples) {
    const text = tokenizer.applyChatTemplate(sftMessages(example), { addGenerationPrompt: false });
    const ids = tokenizer.encode(text);
    const kind = mediaKindOf(example.prompt);
    const frames = example.prompt.frames;
    let rowImages: GridThw[] = [];
    let rowVideos: GridThw[] = [];
    if (kind === 'image' && frames !== null) {
      const out = processImages([frames]);
      if (out.pixelValues !== null) images.push(out.pixelValues);
      rowImages = out.imageGridThw;
    } else if (kind === 'video' && frames !== null) {
      const fps = options.videoFps === 'sampled' ? (example.prompt.sampleFps ?? DEFAULT_VIDEO_FPS) : DEFAULT_VIDEO_FPS;
      const out = processVideos([frames], fps);
      if (out.pixelValuesVideos !== null) videos.push(out.pixelValuesVideos);
      rowVideos = out.videoGridThw;
      secondPerGridTs.push(...out.secondPerGridTs);
    }
    imageGridThw.push(...rowImages);
    videoGridThw.push(...rowVideos);
    const [expanded] = expandPlaceholders(
      [ids],
      rowImages,
      rowVideos,
      { imageTokenId: config.imageTokenId, videoTokenId: config.videoTokenId },
      config.vision.spatialMergeSize,
    );
    rows.push(expanded!);
  }
  const length = Math.max(...rows.map((r) => r.length));
  const inputIds = rows.map((r) => [...r, ...new Array<number>(length - r.length).fill(padId)]);
  const attentionMask = rows.map((r) => [...new Array<number>(r.length).fill(1), ...new Array<number>(length - r.length).fill(0)]);
  const responseTemplate = mask === 'completion' ? tokenizer.encode(`${QWEN_SPECIAL_TOKENS.imStart}assistant\n`) : [];
  const labels = inputIds.map((row, n) => {
    const out = row.map((id) => (id === padId || id === config.imageTokenId ? IGNORE_INDEX : id));
    if (mask === 'completion') {
      const start = indexOfSequence(rows[n]!, responseTemplate);
      if (start < 0) {
        throw new QwenVLModelError('INVALID_INPUT', `collateSft: example ${n} has no "<|im_start|>assistant\\n" turn for the completion-only loss`);
      }
      out.fill(IGNORE_INDEX, 0, start + responseTemplate.length);
    }
    return out;
  });
  const lossTokens = labels.reduce((s, row) => s + row.slice(1).filter((id) => id !== IGNORE_INDEX).length, 0);
  return {
    inputs: {
      inputIds,
      attentionMask,
      pixelValues: stackRows(images),
      imageGridThw,
      pixelValuesVideos: stackRows(videos),
      videoGridThw,
      secondPerGridTs,
    },
    labels,
    lossTokens,
  };
}

export function disposeSftBatch(batch: SftBatch): void {
  batch.inputs.pixelValues?.dispose();
  batch.inputs.pixelValuesVideos?.dispose();
}

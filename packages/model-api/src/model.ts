// The one contract between a vision-language policy and the code that trains or evaluates it.
// The GRPO / T-GRPO step (@video-r1/rl-core), the trainer and the evaluator see a model only
// through `VisionLanguageModel`; the small policy (@video-r1/policy) and Qwen2.5-VL
// (@video-r1/qwen-vl) implement it.
import type { Rng, tf } from '@video-r1/tensor';
import type { FrameRequest, FrameStack, MediaKind } from '@video-r1/video-io';

/** A prompt with its media, as a trainer or an evaluator hands it to a model. */
export interface ModelPrompt {
  /** The user turn's text, the dataset's prompt template already applied (no chat template). */
  text: string;
  /**
   * THWC RGB frames read with the model's `mediaRequest` (an image is one frame); null for a
   * text-only prompt.
   */
  frames: FrameStack | null;
  /** What `frames` are. Models that encode videos and images differently need it; default: video when frames > 1. */
  mediaKind?: MediaKind | null;
  /** Sampling rate of `frames` (frames per second of video time), when known: Qwen2.5-VL's `second_per_grid_ts` needs it. */
  sampleFps?: number | null;
}

/** Special-token facts the loss and the rollouts need. */
export interface TokenFacts {
  /** Ends a completion; the completion mask includes it. */
  eosId: number;
  /** Fills ragged completions to a rectangle; never sampled. */
  padId: number;
}

export interface SampleOptions {
  /** Completions per input (a GRPO group of G). Sequences come back input-major. */
  numSamples: number;
  /** Most tokens per completion, EOS included. */
  maxNewTokens: number;
  /** Softmax temperature; 0 is greedy. */
  temperature: number;
  /** Nucleus mass in (0, 1]; 1 disables it. */
  topP: number;
  /** Keep the k most probable tokens before top-p; 0 or absent: no limit. */
  topK?: number;
  /**
   * The seeded generator (`createRng(seed)` of @video-r1/tensor). Implementations draw from it
   * in a fixed order (one draw per sequence and step is the convention), so a seed reproduces a
   * batch. Required when temperature > 0.
   */
  rng?: Rng;
}

export interface SampledCompletions {
  /** Generated ids per sequence, ending with EOS when it finished; no padding. Input-major: input i's samples are rows i·G … i·G + G − 1. */
  ids: number[][];
  /** The decoded completions (special tokens such as EOS removed). */
  texts: string[];
  /** `ids[n].length`. */
  lengths: number[];
  /** Whether sequence n ended with EOS (false: cut at maxNewTokens). */
  finished: boolean[];
}

export interface LogProbOptions {
  /** Columns of the result (default: the longest completion); shorter rows are padded with PAD. */
  length?: number;
  /** Divides the logits before the softmax (TRL's sampling-temperature scaling). Default 1. */
  temperature?: number;
}

/**
 * A vision-language policy as GRPO, SFT-free evaluation and the trainer use it.
 *
 * `Input` is the model's own encoding of a `ModelPrompt` (token ids, visual patches, cached
 * pixel values…): opaque to callers, who only pass it back. Passing the same `Input` object for
 * several rows (a GRPO group) allows an implementation to encode the prompt once; results must
 * equal per-row computation up to float rounding.
 */
export interface VisionLanguageModel<Input = unknown> {
  /** A short name for logs and result files (e.g. `video-r1-policy`, `qwen2.5-vl-7b`). */
  readonly name: string;
  /** What frames and sizes to ask @video-r1/video-io for (`new FrameSource({ request })`). */
  readonly mediaRequest: FrameRequest;
  readonly tokens: TokenFacts;
  /** Whether its trainable variables train (false for a frozen KL reference). */
  readonly trainable: boolean;
  /** Encodes one prompt and its media. Pure: no randomness, no variables read. */
  encode(prompt: ModelPrompt): Input;
  /** Samples `numSamples` completions per input, as one batch. */
  sample(inputs: readonly Input[], options: SampleOptions): Promise<SampledCompletions>;
  /**
   * Log-probabilities [N, T] of `completions[n]` after `inputs[n]` (teacher forcing), columns
   * past a completion's end holding PAD's log-probability (mask them, see `completionMask`).
   * Differentiable with respect to `trainableVariables()`: called inside `tf.variableGrads`.
   * Synchronous, because tfjs records gradients only for synchronous code.
   */
  completionLogProbs(inputs: readonly Input[], completions: readonly (readonly number[])[], options?: LogProbOptions): tf.Tensor2D;
  /** The variables an optimizer updates, in a fixed order (names are unique). */
  trainableVariables(): tf.Variable[];
  /**
   * Writes the model (weights and whatever `load` needs to rebuild it) to `dir`, atomically.
   * Training state (optimizer, data cursor) is the trainer's and not part of it.
   */
  save(dir: string): Promise<void>;
  /** Frees the variables. */
  dispose(): void;
}

/** Rebuilds a model from what `save` wrote; `trainable: false` gives a frozen copy (a KL reference). */
export type ModelLoader<Input = unknown> = (dir: string, options?: { trainable?: boolean }) => Promise<VisionLanguageModel<Input>>;

/** The `Input` type of a model. */
export type InputOf<M> = M extends VisionLanguageModel<infer I> ? I : never;

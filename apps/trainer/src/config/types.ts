/** The trainer's configuration, as stored in `<run>/config.json` (fully resolved: no field left to a default). */

export type Algo = 'grpo' | 'tgrpo';
export type BackendPreference = 'auto' | 'cpu' | 'wasm' | 'tensorflow' | 'tensorflow-gpu';
export type PresetName = 'default' | 'video-r1' | 'smoke' | 'qwen-tiny';
/** `policy`: this project's small model; `qwen2.5-vl`: a Hugging Face Qwen2.5-VL checkpoint (@video-r1/qwen-vl). */
export type ModelFamily = 'policy' | 'qwen2.5-vl';

/** PEFT LoRA settings (dropout 0), or `full` fine-tuning of every weight. */
export type AdapterConfig = { r: number; alpha: number; targetModules: string[] | string } | 'full';

/** Where RL completions are sampled: in-process, or on an OpenAI-compatible server (vLLM with --enable-lora). */
export type RolloutConfig = 'local' | { server: string; baseModel: string; adapterDir?: string | null };
export type LrSchedule = 'constant' | 'cosine';

export interface SyntheticDataConfig {
  /** Seed of the embedded synthetic set; null = the package's default (the set other tools use too). */
  seed: number | null;
  /** Items per split, passed to `ensureSyntheticSet`; null = the package's default size. */
  size: number | null;
  /** Cache directory; null = the package's default (`<repo>/.cache/synthetic`). */
  dir: string | null;
}

export interface FileDataConfig {
  /** Video-R1-260k style JSON for RL training. */
  train: string;
  /** Video-R1-COT-165k style JSON (with `process`) for the SFT cold start; null = `train`. */
  sft: string | null;
  /** Held-out JSON for validation accuracy; null = no validation. */
  validation: string | null;
  /** Video-R1-eval style JSON for the final test evaluation. */
  test: string;
  /** Root that relative media paths in the JSON files resolve against; null = each file's directory. */
  dataRoot: string | null;
}

export interface DataConfig {
  source: 'synthetic' | 'files';
  synthetic: SyntheticDataConfig;
  files: FileDataConfig | null;
  /** Caps on the number of records used from each split (null = all): small presets, quick checks. */
  maxTrain: number | null;
  maxValidation: number | null;
  maxTest: number | null;
}

export interface VideoConfig {
  /** Maximum frames sampled per video (Video-R1: 16 in training). */
  frames: number;
  /** Sampling rate before the frame cap (Video-R1: 2 fps). */
  fps: number;
  /** Minimum frames per video (Video-R1: 4). */
  minFrames: number;
  /** Pixel budget per frame (Video-R1: 128·28·28 in training). Ignored when `outputSize` is set. */
  maxPixels: number;
  /** Exact per-frame size for a tiny model (not the reference's smart_resize); null = smart_resize. */
  outputSize: { height: number; width: number } | null;
}

export interface SftConfig {
  enabled: boolean;
  epochs: number;
  lr: number;
  /** Fraction of the SFT steps spent in linear warm-up. */
  warmupRatio: number;
  batchSize: number;
  maxGradNorm: number;
  /** Start RL from this SFT checkpoint directory instead of training one (null = train). */
  init: string | null;
  /**
   * qwen2.5-vl: `video-r1` = sft_video.py's labels (everything but PAD and <|image_pad|> learned);
   * `completion` = TRL's completion-only loss. Default `video-r1`.
   */
  loss?: 'video-r1' | 'completion';
}

export interface LengthControlConfig {
  enabled: boolean;
  /** Token bounds of the length bonus; 'auto' scales Video-R1's 320..512 of 768 to `maxCompletionLength`. */
  minLength: number | 'auto';
  maxLength: number | 'auto';
  /** Bonus added to correct completions whose length is within bounds (Video-R1: 0.2). */
  bonus: number;
}

export interface TemporalConfig {
  /** T-GRPO applies the bonus when acc(ordered) >= ratio · acc(shuffled) (Video-R1: 0.8). */
  ratio: number;
  /** Bonus added to the correct ordered-frame completions (Video-R1: 0.3). */
  bonus: number;
}

export interface RlConfig {
  enabled: boolean;
  algo: Algo;
  steps: number;
  /** Prompts per optimizer step (Video-R1: per_device_train_batch_size = 1). */
  promptsPerStep: number;
  numGenerations: number;
  temperature: number;
  topP: number;
  /** Token cap per completion; 'auto' = 1.5 × the longest tokenized SFT target. */
  maxCompletionLength: number | 'auto';
  beta: number;
  lr: number;
  lrSchedule: LrSchedule;
  /** Fraction of the RL steps spent in linear warm-up (HF's warmup_ratio; Video-R1 leaves it at 0). */
  warmupRatio: number;
  weightDecay: number;
  maxGradNorm: number;
  /** Names from the @video-r1/rewards registry, summed in this order; the first one is the accuracy reward. */
  rewardFuncs: string[];
  lengthControl: LengthControlConfig;
  temporal: TemporalConfig;
  /** qwen2.5-vl: where completions are sampled (default `local`). */
  rollout?: RolloutConfig;
  /**
   * Sequences per forward+backward pass of the GRPO loss (rl-core's `microBatchSize`); the
   * gradients are accumulated exactly. Default: all of a step's sequences in one pass.
   */
  microBatchSize?: number;
}

export interface ScheduleConfig {
  /** Save a checkpoint every N RL steps. */
  checkpointEvery: number;
  /** Save a checkpoint every N SFT steps (and at the end of every SFT epoch). */
  sftCheckpointEvery: number;
  /** Validation accuracy every N RL steps (0 = never). */
  validateEvery: number;
  /** Validation records used each time (null = all of the validation split). */
  validationSamples: number | null;
  /** Keep this many step checkpoints (older ones are deleted; `sft` and `final` are always kept). */
  keepCheckpoints: number;
}

export interface EvalConfig {
  maxNewTokens: number | 'auto';
  temperature: number;
  topP: number;
  /** Evaluate the untrained policy too (eval.json `baseline`). */
  baseline: boolean;
  /** Evaluate the SFT checkpoint before RL (eval.json `sft`). */
  sft: boolean;
}

export interface ReportConfig {
  html: boolean;
  /** PNG charts through headless Chromium when one is found, else a built-in rasterizer. */
  png: boolean;
}

export interface DebugConfig {
  /** Fault injection for tests: RL steps whose loss is replaced by NaN (the update must be skipped). */
  nanLossAtSteps: number[];
}

/** The policy's `PolicyConfigInput` (sizes of @video-r1/policy's model); every key optional. */
export interface ModelConfig {
  dModel?: number;
  nLayers?: number;
  nHeads?: number;
  dFF?: number;
  maxTextLength?: number;
  layerNormEps?: number;
  initStd?: number;
  /** Weight initialisation seed; unset = the run's seed. */
  seed?: number;
  vision?: { height?: number; width?: number; maxFrames?: number; patchSize?: number; temporalPatch?: number };
  /** Default `policy` (the keys above size it); `qwen2.5-vl` reads `dir` and `adapter`. */
  family?: ModelFamily;
  /** qwen2.5-vl: the checkpoint directory; null = a random tiny Qwen2.5-VL created in the run (preset qwen-tiny). */
  dir?: string | null;
  /** qwen2.5-vl: LoRA (r, alpha, target modules) or `full`; RL trains it, and SFT too unless the model is random (then SFT is full). */
  adapter?: AdapterConfig;
}

export interface TrainerConfig {
  preset: PresetName;
  seed: number;
  backend: BackendPreference;
  /** Directory holding run directories (default `apps/trainer/runs`). */
  out: string;
  /** Run directory name; null = `<timestamp>-<algo>-s<seed>`. */
  runId: string | null;
  data: DataConfig;
  video: VideoConfig;
  /** Passed to the policy's `createPolicy` (sizes; unset keys take the policy's defaults). */
  model: ModelConfig;
  sft: SftConfig;
  rl: RlConfig;
  schedule: ScheduleConfig;
  eval: EvalConfig;
  report: ReportConfig;
  debug: DebugConfig;
}

/** A partial config as a user writes it in a JSON file (every field optional, nested). */
export type DeepPartial<T> = {
  [K in keyof T]?: T[K] extends (infer U)[]
    ? U[]
    : NonNullable<T[K]> extends object
      ? DeepPartial<NonNullable<T[K]>> | (null extends T[K] ? null : never)
      : T[K];
};
export type PartialConfig = DeepPartial<TrainerConfig>;

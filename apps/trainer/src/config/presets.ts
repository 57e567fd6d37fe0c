import type { PresetName, TrainerConfig } from './types.js';

/** Video-R1's training pixel budget per frame (qwen-vl-utils VIDEO_MAX_PIXELS in Video-R1). */
export const VIDEO_R1_MAX_PIXELS = 128 * 28 * 28;

const videoR1Video = {
  frames: 16,
  fps: 2,
  minFrames: 4,
  maxPixels: VIDEO_R1_MAX_PIXELS,
} as const;

// T-GRPO constants of Video-R1's grpo_trainer.py: the temporal bonus applies when the ordered-frame
// accuracy is at least 0.8× the shuffled one, and adds 0.3 to each correct completion; the length bonus
// adds 0.2 to correct completions of 320..512 tokens (max_completion_length 768).
const videoR1Temporal = { ratio: 0.8, bonus: 0.3 } as const;

/**
 * `default`: the embedded synthetic set and the policy's tiny model, sized so that SFT + T-GRPO + the
 * three test evaluations finish in under 10 minutes on 2 CPU cores. Learning rates are far above
 * Video-R1's 1e-6 because the model is trained from scratch in minutes, not fine-tuned from 7B weights.
 */
const defaultPreset: TrainerConfig = {
  preset: 'default',
  seed: 42,
  backend: 'auto',
  out: 'runs',
  runId: null,
  data: {
    source: 'synthetic',
    synthetic: { seed: null, size: null, dir: null },
    files: null,
    maxTrain: null,
    maxValidation: null,
    maxTest: null,
  },
  video: { ...videoR1Video, outputSize: { height: 32, width: 32 } },
  model: {},
  // The policy package's measured SFT settings for this set (its README: 52.7 % test accuracy).
  sft: {
    enabled: true,
    epochs: 3,
    lr: 4e-3,
    warmupRatio: 0.05,
    batchSize: 16,
    maxGradNorm: 1,
    init: null,
  },
  rl: {
    enabled: true,
    algo: 'tgrpo',
    steps: 60,
    // Video-R1 trains one prompt per GPU on 8 GPUs (8 prompts per step). This model gets 32: what RL can
    // teach it that carries over to unseen prompts (sharper answers: its temperature-1 accuracy is far
    // below its greedy one) is a small, consistent part of each step's gradient, the rest is
    // prompt-specific noise that Adam turns into full-size steps. With 8 prompts the accuracy reward
    // stays flat at any learning rate that moves the policy (README, "Why the accuracy reward was flat").
    promptsPerStep: 32,
    numGenerations: 8,
    temperature: 1,
    topP: 0.95,
    maxCompletionLength: 'auto',
    beta: 0.04,
    lr: 1e-3,
    lrSchedule: 'cosine',
    warmupRatio: 0.1,
    weightDecay: 0.01,
    maxGradNorm: 5,
    rewardFuncs: ['accuracy', 'format'],
    lengthControl: { enabled: true, minLength: 'auto', maxLength: 'auto', bonus: 0.2 },
    temporal: { ...videoR1Temporal },
  },
  schedule: { checkpointEvery: 10, sftCheckpointEvery: 100, validateEvery: 10, validationSamples: 32, keepCheckpoints: 2 },
  // Video-R1 evaluates with Qwen2.5-VL's demo decoding (temperature 0.01, top_p 0.001): near-greedy.
  eval: { maxNewTokens: 'auto', temperature: 0.01, topP: 0.001, baseline: true, sft: true },
  report: { html: true, png: true },
  debug: { nanLossAtSteps: [] },
};

/**
 * `video-r1`: the published settings of Video-R1's `run_sft_video.sh` and `run_grpo_video.sh`
 * (Qwen2.5-VL-7B on 8 GPUs) for a real Video-R1 data root on a GPU backend: 16 frames at 128·28·28
 * pixels and 2 fps, SFT one epoch at lr 1e-6 (global batch 16 = 8 GPUs × 1 × accumulation 2), RL
 * 1.2k steps at lr 1e-6 cosine with weight decay 0.01, beta 0.04, 8 generations, 768 completion tokens,
 * gradient clipping 5, checkpoints every 100 steps, temporal and length control on.
 */
const videoR1Preset: TrainerConfig = {
  ...defaultPreset,
  preset: 'video-r1',
  backend: 'tensorflow-gpu',
  data: {
    source: 'files',
    synthetic: defaultPreset.data.synthetic,
    files: {
      train: 'Video-R1-data/Video-R1-260k.json',
      sft: 'Video-R1-data/Video-R1-COT-165k.json',
      validation: null,
      test: 'Evaluation/eval_videommmu.json',
      dataRoot: null,
    },
    maxTrain: null,
    maxValidation: null,
    maxTest: null,
  },
  video: { ...videoR1Video, outputSize: null },
  // Video-R1's model: a Qwen2.5-VL checkpoint given with --model (Qwen2.5-VL-7B-Instruct for SFT, or the
  // COT-SFT checkpoint with sft.enabled false to run RL only); a LoRA adapter on every decoder linear unless `full`.
  model: { family: 'qwen2.5-vl', dir: null, adapter: { r: 64, alpha: 128, targetModules: ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] } },
  sft: { enabled: true, epochs: 1, lr: 1e-6, warmupRatio: 0, batchSize: 16, maxGradNorm: 5, init: null, loss: 'video-r1' },
  rl: {
    ...defaultPreset.rl,
    algo: 'tgrpo',
    steps: 1200,
    promptsPerStep: 1,
    numGenerations: 8,
    maxCompletionLength: 768,
    beta: 0.04,
    lr: 1e-6,
    lrSchedule: 'cosine',
    warmupRatio: 0,
    weightDecay: 0.01,
    maxGradNorm: 5,
    lengthControl: { enabled: true, minLength: 320, maxLength: 512, bonus: 0.2 },
    // The 8 ordered-frame sequences of a 7B model with 16 frames and 768 tokens do not fit one
    // backward pass (the shuffled half is sampled only); one at a time gives the same gradient.
    microBatchSize: 1,
  },
  schedule: { checkpointEvery: 100, sftCheckpointEvery: 1000, validateEvery: 0, validationSamples: null, keepCheckpoints: 3 },
  eval: { maxNewTokens: 1024, temperature: 0.01, topP: 0.001, baseline: true, sft: true },
};

/** `smoke`: seconds-long runs for tests and quick checks (tiny set, tiny model, a few steps). */
const smokePreset: TrainerConfig = {
  ...defaultPreset,
  preset: 'smoke',
  data: { ...defaultPreset.data, maxTrain: 24, maxValidation: 8, maxTest: 8 },
  video: { ...defaultPreset.video, frames: 8, outputSize: { height: 16, width: 16 } },
  sft: { ...defaultPreset.sft, epochs: 1, batchSize: 8 },
  rl: { ...defaultPreset.rl, steps: 6, numGenerations: 4, promptsPerStep: 2 },
  schedule: { checkpointEvery: 2, sftCheckpointEvery: 2, validateEvery: 3, validationSamples: 4, keepCheckpoints: 2 },
  eval: { ...defaultPreset.eval, baseline: false, sft: false },
  report: { html: true, png: false },
};

/**
 * `qwen-tiny`: the real-model path in CI size. A randomly initialised Qwen2.5-VL of the reference
 * vectors' tiny architecture (its tokenizer fitted to the synthetic set) is created in the run,
 * trained with SFT on all weights (it starts from random), then with T-GRPO through a LoRA adapter
 * (saved as PEFT directories in the checkpoints), and evaluated in-process; a few minutes on 2 cores.
 * Frames are 56×56 (a multiple of 28: 4 merged tokens per 2 frames).
 */
const qwenTinyPreset: TrainerConfig = {
  ...defaultPreset,
  preset: 'qwen-tiny',
  data: { ...defaultPreset.data, maxTrain: 96, maxValidation: 8, maxTest: 24 },
  video: { ...defaultPreset.video, frames: 4, maxPixels: 56 * 56, outputSize: { height: 56, width: 56 } },
  model: { family: 'qwen2.5-vl', dir: null, adapter: { r: 8, alpha: 16, targetModules: ['q_proj', 'k_proj', 'v_proj', 'o_proj'] } },
  sft: { enabled: true, epochs: 10, lr: 5e-3, warmupRatio: 0.05, batchSize: 8, maxGradNorm: 1, init: null, loss: 'completion' },
  rl: { ...defaultPreset.rl, steps: 4, numGenerations: 4, promptsPerStep: 2, lr: 1e-3, warmupRatio: 0, rollout: 'local' },
  schedule: { checkpointEvery: 2, sftCheckpointEvery: 1000, validateEvery: 0, validationSamples: 8, keepCheckpoints: 2 },
  eval: { ...defaultPreset.eval, baseline: false, sft: true },
  report: { html: true, png: false },
};

export const PRESETS: Readonly<Record<PresetName, TrainerConfig>> = {
  default: defaultPreset,
  'video-r1': videoR1Preset,
  smoke: smokePreset,
  'qwen-tiny': qwenTinyPreset,
};

export const PRESET_NAMES = Object.keys(PRESETS) as PresetName[];

export function presetConfig(name: PresetName): TrainerConfig {
  return structuredClone(PRESETS[name]);
}

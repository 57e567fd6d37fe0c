// Model configuration: sizes, with defaults chosen for the trainer's default run (SFT,
// then T-GRPO, then evaluation in under 10 minutes on 2 CPU cores with the wasm backend).

/**
 * Frame geometry the default policy is built for. Media are read with `policyFrameRequest`
 * (frames.ts) through a video-io `FrameSource`, so that the trainer and the evaluator feed the
 * model the same frames. `maxFrames` matches Video-R1's training sampling (at most 16 frames).
 */
export const POLICY_FRAME_PRESET = Object.freeze({ maxFrames: 16, height: 32, width: 32 });

export interface VisionConfig {
  /** Frame height and width the patch grid is built for; other sizes are resized (bilinear). */
  height: number;
  width: number;
  /** Most frames per input (after temporal patching, `maxFrames / temporalPatch` temporal positions). */
  maxFrames: number;
  /** Square patch side in pixels; must divide height and width. */
  patchSize: number;
  /**
   * Frames per patch (Qwen2.5-VL's temporal_patch_size is 2). Clips whose frame count is not a
   * multiple are padded by repeating the last frame; an image is one frame repeated.
   */
  temporalPatch: number;
}

export interface PolicyConfig {
  /** Set from the tokenizer by `createPolicy`. */
  vocabSize: number;
  dModel: number;
  nLayers: number;
  nHeads: number;
  /** Hidden width of the MLP. */
  dFF: number;
  /** Most text tokens (prompt + completion) per sequence. */
  maxTextLength: number;
  vision: VisionConfig;
  layerNormEps: number;
  /** Standard deviation of the normal initialisation. */
  initStd: number;
  /** Seed of the weight initialisation. */
  seed: number;
}

export type PolicyConfigInput = Partial<Omit<PolicyConfig, 'vision'>> & { vision?: Partial<VisionConfig> };

export const DEFAULT_POLICY_CONFIG: Readonly<Omit<PolicyConfig, 'vocabSize'>> = Object.freeze({
  dModel: 64,
  nLayers: 2,
  nHeads: 4,
  dFF: 256,
  maxTextLength: 256,
  vision: Object.freeze({
    height: POLICY_FRAME_PRESET.height,
    width: POLICY_FRAME_PRESET.width,
    maxFrames: POLICY_FRAME_PRESET.maxFrames,
    patchSize: 16,
    temporalPatch: 2,
  }),
  layerNormEps: 1e-5,
  initStd: 0.02,
  seed: 0,
});

export class PolicyConfigError extends Error {
  override readonly name = 'PolicyConfigError';
}

/** Fills defaults and checks the sizes; errors name the field. */
export function resolvePolicyConfig(input: PolicyConfigInput, vocabSize: number): PolicyConfig {
  const { vision: visionInput, ...rest } = input;
  const config: PolicyConfig = {
    ...DEFAULT_POLICY_CONFIG,
    ...rest,
    vocabSize,
    vision: { ...DEFAULT_POLICY_CONFIG.vision, ...visionInput },
  };
  const positive = (field: string, value: number): void => {
    if (!Number.isInteger(value) || value <= 0) {
      throw new PolicyConfigError(`policy config ${field} must be a positive integer, got ${value}`);
    }
  };
  positive('vocabSize', config.vocabSize);
  positive('dModel', config.dModel);
  positive('nLayers', config.nLayers);
  positive('nHeads', config.nHeads);
  positive('dFF', config.dFF);
  positive('maxTextLength', config.maxTextLength);
  const v = config.vision;
  positive('vision.height', v.height);
  positive('vision.width', v.width);
  positive('vision.maxFrames', v.maxFrames);
  positive('vision.patchSize', v.patchSize);
  positive('vision.temporalPatch', v.temporalPatch);
  if (config.dModel % config.nHeads !== 0) {
    throw new PolicyConfigError(`policy config dModel (${config.dModel}) must be divisible by nHeads (${config.nHeads})`);
  }
  if (v.height % v.patchSize !== 0 || v.width % v.patchSize !== 0) {
    throw new PolicyConfigError(
      `policy config vision.patchSize (${v.patchSize}) must divide vision.height (${v.height}) and vision.width (${v.width})`,
    );
  }
  if (!(config.layerNormEps > 0)) throw new PolicyConfigError('policy config layerNormEps must be > 0');
  if (!(config.initStd > 0)) throw new PolicyConfigError('policy config initStd must be > 0');
  if (!Number.isInteger(config.seed)) throw new PolicyConfigError('policy config seed must be an integer');
  return config;
}

/** Visual tokens one input of `frames` frames produces. */
export function visualTokenCount(vision: VisionConfig, frames: number): number {
  const spatial = (vision.height / vision.patchSize) * (vision.width / vision.patchSize);
  return Math.ceil(frames / vision.temporalPatch) * spatial;
}

// The two pieces of Qwen2.5-VL the decoder consumes but does not own: the vision tower (pixel
// rows → one embedding per merged visual token) and get_rope_index (3-D positions). A model takes
// them as a pair so tests can swap in stand-ins.
import type { Qwen25VLConfig, Qwen25VLVisionConfig } from './checkpoint/config.js';
import { type RopeIndex, type RopeIndexInput, getRopeIndex, ropeIndexConfigOf } from './rope/index.js';
import type { tf } from './tf.js';
import { visionForward } from './vision/index.js';

/** Canonical-name (hub layout, `visual.…`) weight lookup; the model passes its variables. */
export type WeightLookup = (canonicalName: string) => tf.Tensor;

export interface VisionTowers {
  /** `[Σ t·h·w, C·tps·p·p]` pixel rows of several visuals → `[Σ t·h·w / merge², D]`, differentiable. */
  vision(
    weight: WeightLookup,
    config: Qwen25VLVisionConfig,
    pixelValues: tf.Tensor2D,
    gridThw: readonly (readonly number[])[],
  ): tf.Tensor2D;
  ropeIndex(config: Qwen25VLConfig, input: RopeIndexInput): RopeIndex;
}

export const defaultVisionTowers: VisionTowers = {
  vision: (weight, config, pixelValues, gridThw) => visionForward(weight, config, pixelValues, gridThw),
  ropeIndex: (config, input) => getRopeIndex(ropeIndexConfigOf(config), input),
};

import type { Qwen25VLVisionConfig } from '../checkpoint/config.js';

/** The `vision_config` fields the vision tower reads (`Qwen25VLConfig.vision` satisfies it). */
export type VisionTowerConfig = Pick<
  Qwen25VLVisionConfig,
  'depth' | 'hiddenSize' | 'numHeads' | 'patchSize' | 'spatialMergeSize' | 'windowSize' | 'fullattBlockIndexes' | 'rmsNormEps'
>;

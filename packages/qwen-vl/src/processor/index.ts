export { QWEN2_VL_PROCESSOR_DEFAULTS, processorConfigFromJson, type PlaceholderTokenIds, type ProcessorConfig } from './config.js';
export { VisualInputError, type VisualInputErrorCode } from './errors.js';
export { assertProcessorReady, flattenPatches, gridOf, type GridThw, type PatchRows, type VisualFrames } from './patches.js';
export { expandPlaceholders, visualTokenCount } from './placeholders.js';
export {
  DEFAULT_VIDEO_FPS,
  permuteFrames,
  processImages,
  processPermutedVideo,
  processQwenVl,
  processVideos,
  sampleFpsOf,
  type ProcessedImages,
  type ProcessedVideos,
  type ProcessorInput,
  type ProcessorOutput,
} from './processor.js';

export { VideoIoError, type VideoIoErrorCode } from './errors.js';
export { setVideoIoLogger, type Logger } from './log.js';
export {
  resolveFfmpeg,
  clearFfmpegCache,
  describeResolution,
  DEFAULT_FFMPEG_SEARCH,
  type ResolveFfmpegOptions,
  type ResolvedFfmpeg,
  type ResolvedBinary,
  type FfmpegSource,
  type FfmpegSearchSource,
  type FfmpegTool,
} from './ffmpeg/resolve.js';
export { createRng, type Rng } from './rng.js';
export {
  smartNFrames,
  smartResize,
  sampleIndices,
  linspaceFloat32,
  pyRound,
  FRAME_FACTOR,
  IMAGE_FACTOR,
  MAX_RATIO,
  VIDEO_R1_FRAME_DEFAULTS,
  type FrameDefaults,
  type NFramesOptions,
  type ResizeOptions,
} from './sampling.js';
export { VIDEO_PRESETS, videoPreset, type VideoPreset, type VideoPresetName } from './presets.js';
export {
  probeVideo,
  type VideoProbe,
  type ProbeOptions,
  type FrameCountSource,
  type FpsSource,
  type FfmpegChoice,
  type StreamDamage,
} from './probe.js';
export { readVideo, type ReadVideoOptions, type ReadVideoResult, type VideoProvenance, type DecodeStrategy } from './read-video.js';
export { readVideos, readVideosSettled, type ReadVideosOptions } from './read-videos.js';
export { readImage, type ReadImageOptions, type ReadImageResult } from './image.js';
export { writeVideo, writeImage, type WriteVideoOptions, type WriteImageOptions } from './write.js';
export { shuffleFrames, type ShuffledFrames } from './shuffle.js';
export { frameAt, type FrameStack, type RgbImage } from './frames.js';
export { FrameSource, FrameSources, readFrames, frameRequestKey, type FrameRequest, type FrameReadOptions, type FrameSourceOptions } from './frame-source.js';
export {
  FrameCache,
  type CachedFrames,
  type FrameCacheOptions,
  type FrameCacheStats,
  type FrameDecoder,
  type MediaKind,
} from './frame-cache.js';
export type { OutputSize, ResizeRecord } from './resize.js';
export type { DecodePlanSummary } from './plan.js';
export { defaultDecodeThreads } from './threads.js';

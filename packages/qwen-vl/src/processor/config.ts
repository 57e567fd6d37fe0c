/**
 * The fields of a Hugging Face `preprocessor_config.json` (Qwen2VLImageProcessor) the processor uses, with
 * the class defaults of transformers 4.49 (`Qwen2VLImageProcessor.__init__`).
 */
export interface ProcessorConfig {
  /** `patch_size`: spatial side of one patch (14). */
  patchSize: number;
  /** `temporal_patch_size`: frames per patch (2). */
  temporalPatchSize: number;
  /** `merge_size`: patches merged per side into one LLM token (2). */
  mergeSize: number;
  /** `image_mean` / `image_std`, per RGB channel. */
  imageMean: readonly [number, number, number];
  imageStd: readonly [number, number, number];
  /** `rescale_factor` (1/255). */
  rescaleFactor: number;
  /** `min_pixels` / `max_pixels`: a frame outside these bounds would be resized by smart_resize. */
  minPixels: number;
  maxPixels: number;
}

/** OpenAI CLIP mean / std, as `OPENAI_CLIP_MEAN` / `OPENAI_CLIP_STD` in transformers. */
export const QWEN2_VL_PROCESSOR_DEFAULTS: Readonly<ProcessorConfig> = Object.freeze({
  patchSize: 14,
  temporalPatchSize: 2,
  mergeSize: 2,
  imageMean: [0.48145466, 0.4578275, 0.40821073] as const,
  imageStd: [0.26862954, 0.26130258, 0.27577711] as const,
  rescaleFactor: 1 / 255,
  minPixels: 56 * 56,
  maxPixels: 28 * 28 * 1280,
});

/** Token ids the placeholder expansion needs (from the model's config.json). */
export interface PlaceholderTokenIds {
  imageTokenId: number;
  videoTokenId: number;
}

/**
 * Reads a `preprocessor_config.json` object: known keys override the defaults, unknown keys are ignored
 * (the flat `min_pixels` / `max_pixels` first, then `size.{min_pixels,max_pixels}` or the newer
 * `size.{shortest_edge,longest_edge}`).
 */
export function processorConfigFromJson(json: Record<string, unknown>): ProcessorConfig {
  const num = (key: string, fallback: number): number => {
    const v = json[key];
    return typeof v === 'number' ? v : fallback;
  };
  const triple = (key: string, fallback: readonly [number, number, number]): readonly [number, number, number] => {
    const v = json[key];
    return Array.isArray(v) && v.length === 3 && v.every((x) => typeof x === 'number')
      ? ([v[0] as number, v[1] as number, v[2] as number] as const)
      : fallback;
  };
  const d = QWEN2_VL_PROCESSOR_DEFAULTS;
  const size = (json['size'] ?? {}) as Record<string, unknown>;
  const sizeNum = (key: string, fallback: number): number => {
    const v = size[key];
    return typeof v === 'number' ? v : fallback;
  };
  return {
    patchSize: num('patch_size', d.patchSize),
    temporalPatchSize: num('temporal_patch_size', d.temporalPatchSize),
    mergeSize: num('merge_size', d.mergeSize),
    imageMean: triple('image_mean', d.imageMean),
    imageStd: triple('image_std', d.imageStd),
    rescaleFactor: num('rescale_factor', d.rescaleFactor),
    minPixels: num('min_pixels', sizeNum('min_pixels', sizeNum('shortest_edge', d.minPixels))),
    maxPixels: num('max_pixels', sizeNum('max_pixels', sizeNum('longest_edge', d.maxPixels))),
  };
}

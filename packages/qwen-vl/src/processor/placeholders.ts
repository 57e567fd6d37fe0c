import type { PlaceholderTokenIds } from './config.js';
import { VisualInputError } from './errors.js';
import type { GridThw } from './patches.js';

/** LLM tokens of one visual: `t·h·w / merge²`. */
export const visualTokenCount = ([t, h, w]: GridThw, mergeSize: number): number => (t * h * w) / (mergeSize * mergeSize);

/**
 * Qwen2.5-VL processor's placeholder expansion on token ids: every image (video) token becomes
 * `t·h·w / merge²` copies of itself, consuming the visuals of that kind in order over the rows (row-major),
 * as the processor replaces `<|image_pad|>` / `<|video_pad|>` in each text in turn. The count of
 * placeholders must equal the count of visuals of each kind.
 */
export function expandPlaceholders(
  inputIds: readonly (readonly number[])[],
  imageGridThw: readonly GridThw[],
  videoGridThw: readonly GridThw[],
  ids: PlaceholderTokenIds,
  mergeSize: number,
): number[][] {
  let image = 0;
  let video = 0;
  const out = inputIds.map((row) => {
    const expanded: number[] = [];
    for (const id of row) {
      if (id === ids.imageTokenId || id === ids.videoTokenId) {
        const isImage = id === ids.imageTokenId;
        const grids = isImage ? imageGridThw : videoGridThw;
        const k = isImage ? image++ : video++;
        const grid = grids[k];
        if (grid === undefined) {
          throw new VisualInputError(
            'PLACEHOLDER_MISMATCH',
            `input_ids: ${isImage ? 'image' : 'video'} placeholder #${k + 1} (token ${id}) has no ${isImage ? 'image' : 'video'}: ` +
              `${grids.length} given; pass one visual per placeholder`,
          );
        }
        const n = visualTokenCount(grid, mergeSize);
        for (let i = 0; i < n; i++) expanded.push(id);
      } else {
        expanded.push(id);
      }
    }
    return expanded;
  });
  if (image !== imageGridThw.length || video !== videoGridThw.length) {
    throw new VisualInputError(
      'PLACEHOLDER_MISMATCH',
      `input_ids hold ${image} image and ${video} video placeholders but ${imageGridThw.length} images and ` +
        `${videoGridThw.length} videos were given; pass one visual per placeholder`,
    );
  }
  return out;
}

/**
 * Failures of the processor, the rope index and the vision tower: a `code` a caller can branch on and a
 * message naming the visual / row / field and what to do.
 */
export type VisualInputErrorCode =
  /** A frame stack or image is malformed (sizes, byte count). */
  | 'INVALID_FRAMES'
  /** Height / width are not multiples of patch·merge or lie outside [minPixels, maxPixels]: the processor would resize. */
  | 'NEEDS_RESIZE'
  /** The number of image / video placeholders in the ids differs from the number of visuals given. */
  | 'PLACEHOLDER_MISMATCH'
  /** A grid, fps, mask or pixel tensor is inconsistent with the rest of the input. */
  | 'INVALID_ARGUMENT';

export class VisualInputError extends Error {
  override readonly name = 'VisualInputError';
  readonly code: VisualInputErrorCode;

  constructor(code: VisualInputErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

/** Codes of the model's own failures (checkpoint I/O fails with CheckpointError instead). */
export type QwenVLModelErrorCode =
  /** Token rows, masks, positions or options that do not fit the model or each other. */
  | 'INVALID_INPUT'
  /** Placeholder tokens in input_ids and vision features (or pixel values) do not match. */
  | 'PLACEHOLDER_MISMATCH'
  /** A weight the computation needs is not in the model. */
  | 'MISSING_WEIGHT'
  /** A LoRA adapter that does not fit the model, or an adapter operation in the wrong state. */
  | 'INVALID_ADAPTER';

export class QwenVLModelError extends Error {
  override readonly name = 'QwenVLModelError';
  constructor(
    readonly code: QwenVLModelErrorCode,
    message: string,
  ) {
    super(message);
  }
}

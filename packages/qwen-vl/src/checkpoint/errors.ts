/**
 * Every failure of checkpoint, adapter and tokenizer I/O is a `CheckpointError` with a `code` a caller
 * can branch on, the `file` it concerns and, where one is involved, the `tensor` (both are also in the
 * message).
 */
export type CheckpointErrorCode =
  /** The directory or a file it must hold (config.json, tokenizer.json, …) does not exist. */
  | 'FILE_NOT_FOUND'
  /** Neither model.safetensors nor model.safetensors.index.json is in the directory. */
  | 'NO_WEIGHTS'
  /** model.safetensors.index.json names a shard file that is not there. */
  | 'MISSING_SHARD'
  /** A JSON file (config, index, adapter config) is not valid JSON or lacks a required field. */
  | 'INVALID_JSON'
  /** config.json holds a value this implementation cannot run (e.g. an activation other than silu). */
  | 'INVALID_CONFIG'
  /** config.json `architectures` is not Qwen2_5_VLForConditionalGeneration. */
  | 'UNKNOWN_ARCHITECTURE'
  /** A safetensors header is malformed (length, JSON, offsets, byte sizes). */
  | 'INVALID_HEADER'
  /** A stored dtype other than F32, F16 and BF16. */
  | 'UNSUPPORTED_DTYPE'
  /** The file ends before the data the header promises. */
  | 'TRUNCATED_FILE'
  /** A tensor the config requires is in no file (or the index names a file that does not hold it). */
  | 'MISSING_TENSOR'
  /** A tensor's stored shape differs from the shape the config implies. */
  | 'SHAPE_MISMATCH'
  /** A tensor no module of the model has (e.g. an adapter key for a module that does not exist). */
  | 'UNEXPECTED_TENSOR'
  /** The same tensor appears twice (two layouts, or two shards). */
  | 'DUPLICATE_TENSOR'
  /** A value passed to a save function is inconsistent (data length vs shape, unknown name, …). */
  | 'INVALID_ARGUMENT'
  /** adapter_config.json describes an adapter this implementation does not support. */
  | 'UNSUPPORTED_ADAPTER'
  /** The tokenizer or its chat template could not be loaded or rendered. */
  | 'TOKENIZER_ERROR';

export class CheckpointError extends Error {
  override readonly name = 'CheckpointError';
  readonly code: CheckpointErrorCode;
  readonly file: string | undefined;
  readonly tensor: string | undefined;

  constructor(
    code: CheckpointErrorCode,
    message: string,
    options: { file?: string; tensor?: string; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.file = options.file;
    this.tensor = options.tensor;
  }
}

/** Quote a path for messages; the path itself stays verbatim so it can be searched for. */
export function quote(path: string): string {
  return `"${path}"`;
}

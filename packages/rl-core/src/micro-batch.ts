// How a batch's rows split into micro-batches, and what each chunk's loss and metrics weigh so
// that their sum is the one-pass value (the normalisation of each TRL loss_type, batch-wide).
import type { LossType } from './loss.js';

/** A chunk of rows, [start, end). */
export type RowChunk = readonly [start: number, end: number];

/** Consecutive chunks of at most `size` rows; one (possibly empty) chunk for an empty batch. */
export function rowChunks(rows: number, size: number): RowChunk[] {
  if (rows <= size) return [[0, rows]];
  const chunks: RowChunk[] = [];
  for (let start = 0; start < rows; start += size) chunks.push([start, Math.min(rows, start + size)]);
  return chunks;
}

export interface ChunkWeight {
  /** Multiplies the chunk's `policyLoss(...).loss`. */
  loss: number;
  /** Multiplies the chunk's `meanKl`. */
  kl: number;
  /** Multiplies the chunk's `clipRatio`. */
  clipRatio: number;
}

/**
 * policyLoss normalises within the rows it is given. For each chunk c, the factor that turns that
 * into its share of the batch's value:
 * - 'grpo' (mean over sequences): rows_c / N; guarded, non-empty rows_c / max(non-empty rows, 1),
 *   as guarded mode's mean counts only rows with tokens.
 * - 'bnpo' (sum / max(tokens, 1)): tokens_c / max(tokens, 1) (a chunk without tokens gives 0/1).
 * - 'dr_grpo' (sum / (N · L)): rows_c / N, with L kept at the batch's width by the caller.
 * The KL is a mean over sequences like 'grpo''s loss; the clip ratio is over tokens like 'bnpo'.
 */
export function chunkWeights(
  mask: readonly (readonly number[])[],
  chunks: readonly RowChunk[],
  lossType: LossType,
  nanGuard: boolean,
): ChunkWeight[] {
  if (chunks.length === 1) return [{ loss: 1, kl: 1, clipRatio: 1 }];
  const rowTokens = mask.map((row) => row.reduce((a, b) => a + b, 0));
  const count = (values: readonly number[], [start, end]: RowChunk) => values.slice(start, end).reduce((a, b) => a + b, 0);
  const present = rowTokens.map((t): number => (t > 0 ? 1 : 0));
  const rows = mask.length;
  const totalTokens = Math.max(1, count(rowTokens, [0, rows]));
  const totalPresent = Math.max(1, count(present, [0, rows]));
  return chunks.map((chunk) => {
    const rowShare = (chunk[1] - chunk[0]) / rows;
    const sequenceShare = nanGuard ? count(present, chunk) / totalPresent : rowShare;
    const tokenShare = count(rowTokens, chunk) / totalTokens;
    const loss = lossType === 'bnpo' ? tokenShare : lossType === 'grpo' ? sequenceShare : rowShare;
    return { loss, kl: sequenceShare, clipRatio: tokenShare };
  });
}

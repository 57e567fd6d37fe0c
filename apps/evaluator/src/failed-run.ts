/**
 * Whether a finished suite measured anything. Failed answers score 0 (as Video-R1 scores them), so
 * a run where the endpoint was down prints 0.0 like a real score; past a threshold the run fails.
 */
import type { SuiteSummary } from '@video-r1/eval';

/** A sentence for stderr when the run must exit non-zero, else `null`. */
export function failedRunMessage(suite: SuiteSummary, maxFailedRatio: number, firstError?: string): string | null {
  const total = suite.runs.reduce((sum, run) => sum + run.summary.total.count, 0);
  const failed = suite.runs.reduce((sum, run) => sum + run.summary.total.errors, 0);
  if (total === 0 || failed === 0) return null;
  const share = failed / total;
  const example = firstError ? ` (first: ${firstError})` : '';
  const retry = 'the scores above are not a measurement; fix the cause and run again with --resume (failed samples are asked again)';
  if (failed === total) return `no sample was answered: all ${total} model calls failed${example}; ${retry}`;
  if (share > maxFailedRatio) {
    return `${failed} of ${total} model calls failed (${(100 * share).toFixed(1)} %, more than --max-failed-ratio ${maxFailedRatio})${example}; ${retry}`;
  }
  return null;
}

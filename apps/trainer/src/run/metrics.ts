import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { writeFileAtomicSync } from '@video-r1/cli-kit';

export type Stage = 'sft' | 'rl';

/** One line of metrics.jsonl. NaN/±Infinity are written as null (JSON has no such numbers). */
export interface MetricRecord {
  step: number;
  stage: Stage;
  [name: string]: number | string | boolean | null;
}

/**
 * Fields that measure the machine, not the training: they differ between two runs with the same seed
 * and are left out when runs are compared (resume test, ablation).
 */
export const TIMING_FIELDS = ['wall_time', 'step_time', 'tokens_per_second', 'elapsed'] as const;

const STAGE_ORDER: Record<Stage, number> = { sft: 0, rl: 1 };

/** Position of a record in the run: SFT steps come before RL steps. */
export function compareProgress(a: { stage: Stage; step: number }, b: { stage: Stage; step: number }): number {
  return STAGE_ORDER[a.stage] - STAGE_ORDER[b.stage] || a.step - b.step;
}

export function readMetrics(file: string): MetricRecord[] {
  if (!existsSync(file)) return [];
  const records: MetricRecord[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    try {
      records.push(JSON.parse(line) as MetricRecord);
    } catch {
      // A process killed mid-write leaves a partial last line: it is dropped and the step recomputed.
    }
  }
  return records;
}

function finiteOrNull(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? null : value;
}

/** Appends one JSON object per step; each line is written whole with one append call. */
export class MetricsWriter {
  constructor(readonly file: string) {}

  /**
   * Resuming from a checkpoint taken at `upTo`: drops every record after it (they will be recomputed),
   * so that no step is ever recorded twice.
   */
  truncateAfter(upTo: { stage: Stage; step: number } | null): MetricRecord[] {
    const kept = upTo === null ? [] : readMetrics(this.file).filter((r) => compareProgress(r, upTo) <= 0);
    writeFileAtomicSync(this.file, kept.map((r) => JSON.stringify(r, finiteOrNull)).join('\n') + (kept.length > 0 ? '\n' : ''));
    return kept;
  }

  write(record: MetricRecord): void {
    appendFileSync(this.file, `${JSON.stringify(record, finiteOrNull)}\n`);
  }
}

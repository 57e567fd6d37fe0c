/**
 * What an annotation run produced: how many chains were kept (`select`), overall and by problem
 * type, data source and data type, how many of those enter the SFT set, and how long the kept
 * reasoning is.
 */
import { isPythonWhitespace } from '@video-r1/rewards';
import { formatPercent } from '@video-r1/cli-kit';
import { renderTable } from '../report.js';
import type { AnnotatedRecord } from './record.js';
import { isSftRecord } from './record.js';

export interface AnnotationGroup {
  /** Samples in the group (failed ones included). */
  count: number;
  /** Samples with an answer from the model. */
  annotated: number;
  failed: number;
  selected: number;
  /** `selected / annotated`; `null` when nothing was annotated. */
  selection_rate: number | null;
  /** Mean reward over annotated samples; `null` when none. */
  mean_reward: number | null;
  /** Records written to the SFT file (selected, with a process). */
  sft: number;
}

export interface AnnotationSummary {
  /** Samples in the data file. */
  samples: number;
  /** Samples not asked yet (an interrupted run). */
  pending: number;
  total: AnnotationGroup;
  by_problem_type: Record<string, AnnotationGroup>;
  by_data_source: Record<string, AnnotationGroup>;
  by_data_type: Record<string, AnnotationGroup>;
  /** Annotated records whose reply has a think block. */
  with_process: number;
  /** Mean length of the think text (inside the tags) over annotated records that have one. */
  mean_think_chars: number | null;
  mean_think_words: number | null;
  /** The same over the SFT records only. */
  sft_mean_think_chars: number | null;
  sft_mean_think_words: number | null;
}

class GroupCounter {
  count = 0;
  annotated = 0;
  failed = 0;
  selected = 0;
  sft = 0;
  private rewardSum = 0;

  add(record: AnnotatedRecord): void {
    this.count++;
    if (record.error) {
      this.failed++;
      return;
    }
    this.annotated++;
    this.rewardSum += record.reward;
    if (record.select) this.selected++;
    if (isSftRecord(record)) this.sft++;
  }

  result(): AnnotationGroup {
    return {
      count: this.count,
      annotated: this.annotated,
      failed: this.failed,
      selected: this.selected,
      selection_rate: this.annotated > 0 ? this.selected / this.annotated : null,
      mean_reward: this.annotated > 0 ? this.rewardSum / this.annotated : null,
      sft: this.sft,
    };
  }
}

function byField(records: readonly AnnotatedRecord[], field: 'problem_type' | 'data_source' | 'data_type'): Record<string, AnnotationGroup> {
  const groups = new Map<string, GroupCounter>();
  for (const record of records) {
    const value = record[field];
    const name = typeof value === 'string' && value !== '' ? value : '(none)';
    let group = groups.get(name);
    if (!group) groups.set(name, (group = new GroupCounter()));
    group.add(record);
  }
  return Object.fromEntries([...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([name, g]) => [name, g.result()]));
}

/**
 * Code points (Python's `len`) and words (`len(str.split())`) of a process's think text, counted in
 * one pass without building arrays; memoised per record, as a run summarises after every rewrite.
 */
const lengthCache = new WeakMap<AnnotatedRecord, { chars: number; words: number }>();

function thinkLength(record: AnnotatedRecord): { chars: number; words: number } {
  let cached = lengthCache.get(record);
  if (cached) return cached;
  const process = record.process!;
  const end = process.length - '</think>'.length;
  let chars = 0;
  let words = 0;
  let inWord = false;
  for (let i = '<think>'.length; i < end; i++) {
    const c = process.charCodeAt(i);
    if (c < 0xdc00 || c > 0xdfff) chars++; // a low surrogate completes a code point already counted
    const space = isPythonWhitespace(c);
    if (!space && !inWord) words++;
    inWord = !space;
  }
  cached = { chars, words };
  lengthCache.set(record, cached);
  return cached;
}

function meanLength(records: readonly AnnotatedRecord[]): { chars: number | null; words: number | null } {
  if (records.length === 0) return { chars: null, words: null };
  let chars = 0;
  let words = 0;
  for (const r of records) {
    const length = thinkLength(r);
    chars += length.chars;
    words += length.words;
  }
  return { chars: chars / records.length, words: words / records.length };
}

/** `samples`: how many samples the data file has (records may cover fewer when interrupted). */
export function summarizeAnnotation(records: readonly AnnotatedRecord[], samples: number = records.length): AnnotationSummary {
  const total = new GroupCounter();
  for (const r of records) total.add(r);
  const withProcess = records.filter((r) => !r.error && r.process !== undefined);
  const all = meanLength(withProcess);
  const sft = meanLength(records.filter(isSftRecord));
  return {
    samples,
    pending: Math.max(0, samples - records.length),
    total: total.result(),
    by_problem_type: byField(records, 'problem_type'),
    by_data_source: byField(records, 'data_source'),
    by_data_type: byField(records, 'data_type'),
    with_process: withProcess.length,
    mean_think_chars: all.chars,
    mean_think_words: all.words,
    sft_mean_think_chars: sft.chars,
    sft_mean_think_words: sft.words,
  };
}

const HEADERS = ['n', 'annotated', 'failed', 'selected', 'selected %', 'mean reward', 'SFT'];
const ALIGN = ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right'] as const;

function row(name: string, g: AnnotationGroup): string[] {
  return [name, String(g.count), String(g.annotated), String(g.failed), String(g.selected), formatPercent(g.selection_rate), g.mean_reward === null ? '–' : g.mean_reward.toFixed(3), String(g.sft)];
}

/** The summary as terminal/Markdown tables: overall, then one table per breakdown. */
export function annotationTables(summary: AnnotationSummary): string {
  const sections: string[] = [];
  const length = (chars: number | null, words: number | null): string => (chars === null || words === null ? '–' : `${chars.toFixed(0)} characters, ${words.toFixed(1)} words`);
  sections.push(renderTable(['', ...HEADERS], [row('all', summary.total)], ALIGN));
  for (const [title, groups] of [
    ['problem type', summary.by_problem_type],
    ['data source', summary.by_data_source],
    ['data type', summary.by_data_type],
  ] as const) {
    sections.push(renderTable([title, ...HEADERS], Object.entries(groups).map(([name, g]) => row(name, g)), ALIGN));
  }
  sections.push(
    [
      `mean think length: ${length(summary.mean_think_chars, summary.mean_think_words)} (${summary.with_process} records with a think block)`,
      `mean think length of the SFT records: ${length(summary.sft_mean_think_chars, summary.sft_mean_think_words)}`,
      summary.pending > 0 ? `${summary.pending} of ${summary.samples} samples not asked yet: run again with --resume` : '',
      summary.total.failed > 0 ? `${summary.total.failed} samples failed: run again with --resume to ask them again` : '',
    ]
      .filter((l) => l !== '')
      .join('\n'),
  );
  return sections.join('\n\n');
}

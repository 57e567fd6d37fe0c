import { fnv1a, type Rng, shuffled } from '@video-r1/tensor/random';
import type { DataType, ProblemType, VideoR1Record } from './types.js';

export interface RecordFilter {
  dataTypes?: readonly DataType[];
  problemTypes?: readonly ProblemType[];
  /** Exact `data_source` values, or prefixes ending in `/` or `*` (`'LLaVA-Video-178K/'`, `'STAR*'`). */
  sources?: readonly string[];
}

function sourceMatcher(sources: readonly string[]): (s: string | undefined) => boolean {
  const exact = new Set<string>();
  const prefixes: string[] = [];
  for (const s of sources) {
    if (s.endsWith('*')) prefixes.push(s.slice(0, -1));
    else if (s.endsWith('/')) prefixes.push(s);
    else exact.add(s);
  }
  return (s) => s !== undefined && (exact.has(s) || prefixes.some((p) => s.startsWith(p)));
}

/** A predicate for {@link RecordFilter}; empty or missing lists mean "any". */
export function recordFilter(filter: RecordFilter): (r: VideoR1Record) => boolean {
  const dt = filter.dataTypes?.length ? new Set<string>(filter.dataTypes) : undefined;
  const pt = filter.problemTypes?.length ? new Set<string>(filter.problemTypes) : undefined;
  const src = filter.sources?.length ? sourceMatcher(filter.sources) : undefined;
  return (r) =>
    (dt === undefined || dt.has(r.data_type)) &&
    (pt === undefined || pt.has(r.problem_type)) &&
    (src === undefined || src(r.data_source));
}

/** Filter an array or a stream (lazily). */
export function filterRecords<T extends VideoR1Record>(records: readonly T[], filter: RecordFilter): T[];
export function filterRecords<T extends VideoR1Record>(records: AsyncIterable<T>, filter: RecordFilter): AsyncIterable<T>;
export function filterRecords<T extends VideoR1Record>(
  records: readonly T[] | AsyncIterable<T>,
  filter: RecordFilter,
): T[] | AsyncIterable<T> {
  const keep = recordFilter(filter);
  if (Array.isArray(records)) return (records as readonly T[]).filter(keep);
  const source = records as AsyncIterable<T>;
  return {
    async *[Symbol.asyncIterator]() {
      for await (const r of source) if (keep(r)) yield r;
    },
  };
}

/**
 * Fisher–Yates with the given generator; returns a new array, the input is untouched.
 * @deprecated Moved to `@video-r1/tensor` (`shuffled`, also in `@video-r1/tensor/random`); re-exported for one release.
 */
export { shuffled };

export type GroupKey = 'data_source' | 'problem_type' | 'data_type' | 'task' | ((r: VideoR1Record) => string);

function keyFn(by: GroupKey): (r: VideoR1Record) => string {
  if (typeof by === 'function') return by;
  return (r) => String(r[by] ?? '(none)');
}

/** Group records by a key, keeping first-seen group order and record order. */
export function groupRecords<T extends VideoR1Record>(records: readonly T[], by: GroupKey): Map<string, T[]> {
  const key = keyFn(by);
  const groups = new Map<string, T[]>();
  for (const r of records) {
    const k = key(r);
    let g = groups.get(k);
    if (g === undefined) groups.set(k, (g = []));
    g.push(r);
  }
  return groups;
}

export interface BalanceOptions {
  by: GroupKey;
  /** How many records to take in all (default: as many as the equal share allows, see `perGroup`). */
  total?: number;
  /** Cap per group (default: no cap when `total` is given, else the size of the smallest group). */
  perGroup?: number;
  rng: Rng;
}

/**
 * Balanced sample across groups (sources, problem types, …): every group is shuffled, then
 * groups are drawn round-robin in a shuffled order, so each contributes equally until it runs
 * out and the rest fill the remainder. The result is shuffled.
 */
export function balancedSample<T extends VideoR1Record>(records: readonly T[], opts: BalanceOptions): T[] {
  const groups = [...groupRecords(records, opts.by).entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (groups.length === 0) return [];
  const pools = shuffled(groups.map(([, g]) => shuffled(g, opts.rng)), opts.rng);
  const smallest = Math.min(...pools.map((p) => p.length));
  const cap = opts.perGroup ?? (opts.total === undefined ? smallest : Number.POSITIVE_INFINITY);
  const total = Math.min(opts.total ?? Number.POSITIVE_INFINITY, pools.reduce((n, p) => n + Math.min(p.length, cap), 0));
  const out: T[] = [];
  for (let round = 0; out.length < total; round++) {
    let took = false;
    for (const pool of pools) {
      if (out.length >= total) break;
      if (round < pool.length && round < cap) {
        out.push(pool[round]!);
        took = true;
      }
    }
    if (!took) break;
  }
  return shuffled(out, opts.rng);
}

/**
 * 32-bit FNV-1a; stable across runs and platforms, used to place records in a split.
 * @deprecated Moved to `@video-r1/tensor` (`fnv1a`, also in `@video-r1/tensor/random`); re-exported for one release.
 */
export { fnv1a };

export interface SplitOptions {
  /** Fraction of groups that go to validation, in [0, 1]. */
  valFraction: number;
  seed?: number;
  /**
   * What must never straddle the split. Default `'path'`: every question about one video or
   * image lands on the same side, so validation never shows the model media it trained on.
   */
  groupBy?: 'path' | 'problem_id' | ((r: VideoR1Record) => string);
}

/**
 * Deterministic train/validation split. Each group goes to validation when the hash of
 * `seed` and its key falls under `valFraction`, so the split of a record does not depend on
 * the order of the file or on which other records are present.
 */
export function splitTrainVal<T extends VideoR1Record>(records: readonly T[], opts: SplitOptions): { train: T[]; validation: T[] } {
  if (!(opts.valFraction >= 0 && opts.valFraction <= 1)) throw new RangeError(`splitTrainVal: valFraction must be in [0, 1], got ${opts.valFraction}`);
  const seed = opts.seed ?? 0;
  const by = opts.groupBy ?? 'path';
  const key = typeof by === 'function' ? by : (r: VideoR1Record) => String(r[by]);
  const threshold = opts.valFraction * 2 ** 32;
  const train: T[] = [];
  const validation: T[] = [];
  for (const r of records) (fnv1a(`${seed}\u0000${key(r)}`) < threshold ? validation : train).push(r);
  return { train, validation };
}

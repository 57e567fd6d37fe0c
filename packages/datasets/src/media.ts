import { probeVideo } from '@video-r1/video-io';
import { PathEscapeError } from './errors.js';
import type { DatasetStream } from './load/load-dataset.js';
import { resolveMediaPath } from './paths.js';
import type { VideoR1Record } from './types.js';

export type MediaProblemKind = 'escape' | 'missing' | 'unreadable';

export interface MediaProblem {
  path: string;
  kind: MediaProblemKind;
  message: string;
  /**
   * Positions of the records that use this path — in the file, skipped records counted, when the
   * records come from `loadDataset` (as `validate` numbers them); else in iteration order. The first 20 are kept.
   */
  records: number[];
  /** How many records use it. */
  recordCount: number;
}

export interface MediaCheckOptions {
  /** Directory the records' `path`s are relative to. */
  dataRoot: string;
  /** Probes at once (default 4). */
  concurrency?: number;
  /** Called after every probe. */
  onProgress?: (p: { records: number; checked: number; problems: number }) => void;
  /** Per-probe timeout, passed to video-io (default 30 s). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface MediaCheckReport {
  records: number;
  /** Distinct media paths probed (records sharing a file are probed once). */
  checked: number;
  ok: number;
  problems: MediaProblem[];
  byKind: Record<MediaProblemKind, number>;
}

const KEEP_INDICES = 20;

/**
 * Resolve every record's media against `dataRoot` (refusing escapes, see `resolveMediaPath`)
 * and probe it with video-io, a bounded number at a time. Images are probed the same way
 * (ffprobe reads PNG/JPEG as one-frame streams). Records are consumed as they stream, with
 * backpressure: at most `concurrency` probes are pending.
 */
export async function checkMedia(
  records: Iterable<VideoR1Record> | AsyncIterable<VideoR1Record>,
  opts: MediaCheckOptions,
): Promise<MediaCheckReport> {
  const concurrency = Math.max(1, opts.concurrency ?? 4);
  const report: MediaCheckReport = { records: 0, checked: 0, ok: 0, problems: [], byKind: { escape: 0, missing: 0, unreadable: 0 } };
  const seen = new Map<string, MediaProblem | null | Promise<void>>();
  const pendingProblems = new Map<string, MediaProblem>();
  const inFlight = new Set<Promise<void>>();

  const noteUse = (problem: MediaProblem, index: number) => {
    problem.recordCount++;
    if (problem.records.length < KEEP_INDICES) problem.records.push(index);
  };

  const probe = async (mediaPath: string, index: number): Promise<void> => {
    let problem: MediaProblem | undefined;
    try {
      const real = await resolveMediaPath(opts.dataRoot, mediaPath);
      await probeVideo(real, { timeoutMs: opts.timeoutMs ?? 30_000, ...(opts.signal ? { signal: opts.signal } : {}) });
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      const kind: MediaProblemKind = err instanceof PathEscapeError ? 'escape' : e.code === 'ENOENT' || e.code === 'ENOTDIR' ? 'missing' : 'unreadable';
      const message = kind === 'missing' ? `no such file under ${opts.dataRoot}` : e.message;
      problem = { path: mediaPath, kind, message, records: [], recordCount: 0 };
    }
    report.checked++;
    if (problem === undefined) {
      report.ok++;
      seen.set(mediaPath, null);
    } else {
      // Records that met this path while the probe ran were parked in pendingProblems.
      const parked = pendingProblems.get(mediaPath);
      problem.records = [index, ...(parked?.records ?? [])].slice(0, KEEP_INDICES);
      problem.recordCount = 1 + (parked?.recordCount ?? 0);
      pendingProblems.delete(mediaPath);
      seen.set(mediaPath, problem);
      report.problems.push(problem);
      report.byKind[problem.kind]++;
    }
    if (problem === undefined) pendingProblems.delete(mediaPath);
    opts.onProgress?.({ records: report.records, checked: report.checked, problems: report.problems.length });
  };

  // A dataset stream knows each record's position in the file (skipped records counted), which
  // is how `validate` and every RecordIssue number records; a plain iterable is numbered in order.
  const positioned = typeof (records as Partial<DatasetStream>).position === 'number' ? (records as DatasetStream) : null;
  let index = 0;
  for await (const r of records as AsyncIterable<VideoR1Record>) {
    const i = positioned ? positioned.position : index;
    index++;
    report.records++;
    const known = seen.get(r.path);
    if (known === undefined) {
      const p = probe(r.path, i).finally(() => inFlight.delete(p));
      seen.set(r.path, p);
      inFlight.add(p);
      if (inFlight.size >= concurrency) await Promise.race(inFlight);
    } else if (known instanceof Promise) {
      let parked = pendingProblems.get(r.path);
      if (parked === undefined) pendingProblems.set(r.path, (parked = { path: r.path, kind: 'missing', message: '', records: [], recordCount: 0 }));
      noteUse(parked, i);
    } else if (known !== null) {
      noteUse(known, i);
    }
  }
  await Promise.all(inFlight);
  return report;
}

/**
 * Two decoder processes at once, each on its own GOPs. On small frames (360p) H.264 frame
 * threading does little — a reference chain keeps few frames decodable at once and each is quick
 * — so one ffmpeg leaves the second CPU mostly idle; splitting the wanted frames at a GOP
 * boundary into two independent reads uses both. Each half is planned, decoded and checked
 * exactly as a whole read would be, so the pixels are the same.
 */
import type { DecodeResult } from './ffmpeg/decode.js';
import type { DecodePlan, PlanRequest } from './plan.js';
import type { FrameTable } from './frame-table.js';

/** Frames at most this large are split across two processes when the read spans several GOPs. */
export const SPLIT_MAX_PIXELS = 640 * 480;
/**
 * Fewer frames to decode than this (keyframe to wanted frame, summed over GOPs) are not worth a
 * second process: at 360p they decode in well under half a second, and a process start costs
 * 5-80 ms (a static build / Debian's dynamically linked ffmpeg on an idle machine).
 */
export const SPLIT_MIN_FRAMES = 150;

export interface DecodedPlan {
  plan: DecodePlan;
  decoded: DecodeResult;
}

/**
 * The wanted frames (distinct, ascending) cut in two at the GOP boundary that best balances the
 * frames to decode (keyframe to wanted frame) on each side; undefined when they lie in one GOP
 * or are too few to pay for a second process.
 */
export function splitAtGop(unique: readonly number[], table: FrameTable): [number[], number[]] | undefined {
  const groups: { key: number; frames: number[] }[] = [];
  let key = -1;
  let cursor = 0;
  for (const frame of unique) {
    for (; cursor <= frame; cursor++) if (table.keyframe[cursor]) key = cursor;
    const last = groups[groups.length - 1];
    if (last && last.key === key) last.frames.push(frame);
    else groups.push({ key, frames: [frame] });
  }
  if (groups.length < 2) return undefined;
  const cost = groups.map((group) => (group.frames[group.frames.length - 1] as number) - Math.max(0, group.key) + 1);
  const total = cost.reduce((sum, c) => sum + c, 0);
  if (total < SPLIT_MIN_FRAMES) return undefined;
  let best = 1;
  let bestGap = Number.POSITIVE_INFINITY;
  let left = 0;
  for (let cut = 1; cut < groups.length; cut++) {
    left += cost[cut - 1] as number;
    const gap = Math.abs(total - 2 * left);
    if (gap < bestGap) {
      bestGap = gap;
      best = cut;
    }
  }
  return [groups.slice(0, best).flatMap((g) => g.frames), groups.slice(best).flatMap((g) => g.frames)];
}

/**
 * Decode the two halves concurrently and join them. A failure of one half stops the other (no
 * process is left running) and is rethrown.
 */
export async function decodeHalves(
  request: PlanRequest,
  halves: [number[], number[]],
  decodeHalf: (request: PlanRequest, signal: AbortSignal) => Promise<DecodedPlan>,
  signal: AbortSignal | undefined,
): Promise<DecodedPlan> {
  const stop = new AbortController();
  const combined = signal ? AbortSignal.any([signal, stop.signal]) : stop.signal;
  const settled = await Promise.allSettled(
    halves.map((frameNumbers) =>
      decodeHalf({ ...request, frameNumbers }, combined).catch((error: unknown) => {
        stop.abort();
        throw error;
      }),
    ),
  );
  const failure = settled.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
  // The first failure, not the ABORTED it caused in the sibling.
  const original = settled.find(
    (outcome): outcome is PromiseRejectedResult =>
      outcome.status === 'rejected' && (outcome.reason as { code?: string } | undefined)?.code !== 'ABORTED',
  );
  if (failure) throw (original ?? failure).reason;
  const [a, b] = settled.map((outcome) => (outcome as PromiseFulfilledResult<DecodedPlan>).value) as [DecodedPlan, DecodedPlan];
  const decoded = joinResults(a.decoded, b.decoded);
  const plan = joinPlans(request, a.plan, b.plan);
  if (decoded.feed) {
    const { fed, skipped } = decoded.feed;
    plan.summary.reason = `fed ${fed} frames, left out ${skipped} non-reference frames in all; ${plan.summary.reason}`;
  }
  return { plan, decoded };
}

function joinPlans(request: PlanRequest, a: DecodePlan, b: DecodePlan): DecodePlan {
  const unique = [...new Set(request.frameNumbers)].sort((x, y) => x - y);
  const position = new Map(unique.map((n, i) => [n, i]));
  const strategy = a.summary.strategy === b.summary.strategy ? a.summary.strategy : 'seek';
  return {
    input: a.input,
    select: a.select,
    frames: a.frames + b.frames,
    expected: [...a.expected, ...b.expected],
    order: request.frameNumbers.map((n) => position.get(n) as number),
    duplicates: unique.length !== request.frameNumbers.length,
    summary: {
      strategy,
      segments: a.summary.segments + b.summary.segments,
      framesDecoded: a.summary.framesDecoded + b.summary.framesDecoded,
      sequentialFrames: Math.max(a.summary.sequentialFrames, b.summary.sequentialFrames),
      reason: `two decoder processes, split at a GOP boundary: [${a.summary.reason}] and [${b.summary.reason}]`,
    },
  };
}

function joinResults(a: DecodeResult, b: DecodeResult): DecodeResult {
  const data = new Uint8Array(a.data.length + b.data.length);
  data.set(a.data, 0);
  data.set(b.data, a.data.length);
  return {
    data,
    shown: [...a.shown, ...b.shown],
    args: a.args,
    decodeErrors: [...a.decodeErrors, ...b.decodeErrors],
    ...((a.feed || b.feed) && {
      feed: { fed: (a.feed?.fed ?? 0) + (b.feed?.fed ?? 0), skipped: (a.feed?.skipped ?? 0) + (b.feed?.skipped ?? 0) },
    }),
  };
}

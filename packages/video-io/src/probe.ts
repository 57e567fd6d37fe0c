import { stat } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { VideoIoError, quotePath } from './errors.js';
import { runProcess, summarizeStderr } from './ffmpeg/process.js';
import { resolveFfmpeg, type ResolveFfmpegOptions, type ResolvedFfmpeg } from './ffmpeg/resolve.js';
import { buildFrameTable, type FrameTable, type PacketEntry } from './frame-table.js';
import { readMp4Index, type AvcTrack } from './mp4-index.js';
import { CODECS_WITH_HIDDEN_PACKETS, shownPackets, shownPacketsFromFile } from './shown-frames.js';
import { findStreamDamage, prefixIsDecodable, type StreamDamage } from './stream-damage.js';

export type { FrameTable, StreamDamage };

/** How `totalFrames` was obtained. */
export type FrameCountSource =
  /** The container's exact per-sample index (MP4/MOV sample tables, no edit list that drops samples). */
  | 'container'
  /** Every video packet of the stream was read (demuxed, not decoded) and counted, as ffprobe -count_packets. */
  | 'packets'
  /** VP8/VP9: packets counted by their frame headers (`show_frame`, superframe index): hidden alt-ref packets excluded. */
  | 'frame-headers'
  /**
   * H.264 with corrupt data: the frames the reference (PyAV) outputs before it stops at the first
   * sample the decoder rejects (see `damage`).
   */
  | 'decodable-prefix';

/** Which field `fps` came from. `avg_frame_rate` is what the reference (PyAV `average_rate`) uses. */
export type FpsSource = 'avg_frame_rate' | 'r_frame_rate' | 'frames/duration';

export interface VideoProbe {
  path: string;
  /** Stored size, as decoded (display rotation not applied). */
  width: number;
  height: number;
  /** The stream's average frame rate (`avg_frame_rate`), as the reference's `video_fps`. */
  fps: number;
  fpsSource: FpsSource;
  /** Frames the reference would decode from the whole file. */
  totalFrames: number;
  frameCountSource: FrameCountSource;
  /**
   * The stream's own span: from its first frame's timestamp to the end of its last frame (not the
   * container's duration, which may be missing, bogus, or count a late start).
   */
  durationSec: number;
  /** ffmpeg's codec name (`h264`, `hevc`, `vp9`, …). */
  codec: string;
  /** Clockwise degrees a player turns the picture to show it upright (0, 90, 180 or 270). */
  rotation: number;
  /**
   * The display matrix also mirrors the picture (negative determinant): a player turns it by
   * `rotation`, then flips it left to right.
   */
  mirrored: boolean;
  /** Size after rotation (what `autorotate: true` returns before resizing). */
  displayWidth: number;
  displayHeight: number;
  /** ffmpeg's container name(s), e.g. `mov,mp4,m4a,3gp,3g2,mj2`. */
  container: string;
  streamIndex: number;
  /** The stream's time base as `[numerator, denominator]`. */
  timeBase: [number, number];
  pixelFormat: string | undefined;
  /**
   * Present when the stream holds data the decoder rejects mid-stream (H.264 in MP4/MOV): where,
   * and how many frames precede it. `totalFrames` is then `damage.framesBefore`.
   */
  damage?: StreamDamage;
}

/** ffmpeg to use: already resolved binaries, or options for `resolveFfmpeg`. */
export type FfmpegChoice = ResolvedFfmpeg | ResolveFfmpegOptions;

export interface ProbeOptions {
  ffmpeg?: FfmpegChoice;
  /** Kill ffprobe after this long (default 60 s). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export const DEFAULT_PROBE_TIMEOUT_MS = 60_000;

export async function getFfmpeg(choice: FfmpegChoice | undefined): Promise<ResolvedFfmpeg> {
  if (choice && 'ffmpeg' in choice && typeof choice.ffmpeg === 'object') return choice as ResolvedFfmpeg;
  return resolveFfmpeg(choice as ResolveFfmpegOptions | undefined);
}

/** Fail fast, naming the file, on inputs ffmpeg would only describe vaguely. */
export async function checkInputFile(path: string): Promise<void> {
  if (typeof path !== 'string' || path === '') {
    throw new VideoIoError('INVALID_ARGUMENT', `expected a file path, got ${JSON.stringify(path)}`);
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(path)) {
    throw new VideoIoError(
      'INVALID_ARGUMENT',
      `${quotePath(path)} is a URL; pass a local file path (for file:// URLs, url.fileURLToPath gives it)`,
      { file: path },
    );
  }
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new VideoIoError('FILE_NOT_FOUND', `video file not found: ${quotePath(path)}`, { file: path, cause: error });
    }
    throw new VideoIoError('FILE_NOT_FOUND', `cannot access ${quotePath(path)}: ${(error as Error).message}`, {
      file: path,
      cause: error,
    });
  }
  if (!info.isFile()) {
    throw new VideoIoError('NOT_A_FILE', `${quotePath(path)} is not a regular file`, { file: path });
  }
  if (info.size === 0) {
    throw new VideoIoError('EMPTY_FILE', `${quotePath(path)} is empty (0 bytes)`, { file: path });
  }
}

interface RawStream {
  index: number;
  codec_name?: string;
  codec_type?: string;
  width?: number;
  height?: number;
  pix_fmt?: string;
  avg_frame_rate?: string;
  r_frame_rate?: string;
  time_base?: string;
  start_time?: string;
  duration?: string;
  nb_frames?: string;
  disposition?: { attached_pic?: number };
  tags?: { rotate?: string };
  side_data_list?: Array<{ side_data_type?: string; rotation?: number; displaymatrix?: string }>;
}

interface RawPacket {
  stream_index: number;
  pts?: number;
  dts?: number;
  pos?: string;
  size?: string;
  flags?: string;
}

interface RawProbe {
  streams?: RawStream[];
  packets?: RawPacket[];
  format?: { format_name?: string; duration?: string; nb_streams?: number; start_time?: string };
}

export interface ProbeDetails {
  /** `totalFrames` is 0 when neither packets were listed nor the container count is exact. */
  probe: VideoProbe;
  /** Present when packets were listed. */
  frames: FrameTable | undefined;
  /** H.264 in MP4/MOV read from the sample tables: enough to feed ffmpeg chosen samples only. */
  avc: AvcTrack | undefined;
}

const STREAM_ENTRIES =
  'stream=index,codec_type,codec_name,width,height,pix_fmt,avg_frame_rate,r_frame_rate,nb_frames,time_base,start_time,duration' +
  ':stream_tags=rotate:stream_disposition=attached_pic:stream_side_data_list' +
  ':format=format_name,duration,nb_streams,start_time';

/**
 * Probe a file's first video stream (cover art excluded). With `listPackets`, ffprobe also
 * lists every video packet (demuxing, not decoding), which gives an exact frame count, the
 * presentation timestamps and the keyframes.
 */
export async function probeDetails(
  path: string,
  ff: ResolvedFfmpeg,
  options: { listPackets: boolean; timeoutMs?: number; signal?: AbortSignal },
): Promise<ProbeDetails> {
  await checkInputFile(path);
  // MP4/MOV carry an exact per-sample index: read it directly, next to a quick ffprobe. Other
  // containers (or an index this reader declines) get ffprobe's packet listing.
  const mp4Like = options.listPackets && MP4_EXTENSIONS.has(extname(path).toLowerCase());
  const raw = await runFfprobe(path, ff, options.listPackets && !mp4Like, options);
  const stream = videoStream(raw, path);
  let frames: FrameTable | undefined;
  let avc: AvcTrack | undefined;
  let frameCountSource: FrameCountSource = 'packets';
  let damage: StreamDamage | undefined;
  if (options.listPackets) {
    const index = mp4Like ? await readMp4Index(path, stream.index) : undefined;
    const [num, den] = parseRational(stream.time_base ?? '') ?? [0, 0];
    const samples = Number.parseInt(stream.nb_frames ?? '', 10);
    if (index && num === 1 && den === index.timescale && samples === index.samples) {
      frames = index.table;
      avc = index.avc;
      frameCountSource = 'container';
    } else {
      const listed = mp4Like ? await runFfprobe(path, ff, true, options) : raw;
      const packets = (listed.packets ?? []).filter((packet) => packet.stream_index === stream.index);
      const codec = stream.codec_name ?? '';
      const listedPackets = packets.map((packet) => ({
        pos: Number.parseInt(packet.pos ?? '-1', 10),
        size: Number.parseInt(packet.size ?? '0', 10) || 0,
      }));
      const shown = CODECS_WITH_HIDDEN_PACKETS.has(codec)
        ? ((await shownPacketsFromFile(path, listed.format?.format_name ?? raw.format?.format_name ?? '', codec, listedPackets)) ??
          (await shownPackets(path, ff, stream.index, codec, listedPackets.map((packet) => packet.size), options)))
        : undefined;
      frames = frameTable(packets, shown);
      if (shown) frameCountSource = 'frame-headers';
    }
    if (frames.pts.length === 0) {
      throw new VideoIoError('INVALID_MEDIA', `${quotePath(path)}: the video stream has no frames`, { file: path });
    }
    if (avc) {
      damage = await findStreamDamage(path, avc, frames);
      if (damage) {
        if (!prefixIsDecodable(avc, damage)) {
          throw new VideoIoError(
            'DECODE_FAILED',
            `${quotePath(path)} holds corrupt data: sample ${damage.sample} (byte ${damage.pos}) is rejected by the decoder ` +
              `(${damage.reason}), and the frames before it cannot be told apart from the ones after; re-encode or drop the file`,
            { file: path },
          );
        }
        frameCountSource = 'decodable-prefix';
      }
    }
  } else {
    frameCountSource = 'container';
  }
  const totalFrames = damage
    ? damage.framesBefore
    : frames
      ? frames.pts.length
      : (exactContainerCount(raw.format?.format_name ?? '', stream) ?? 0);
  const probe = describe(path, raw, stream, totalFrames, frameCountSource, frames);
  return { probe: damage ? { ...probe, damage } : probe, frames, avc };
}

const MP4_EXTENSIONS = new Set(['.mp4', '.m4v', '.mov', '.3gp', '.3g2', '.qt']);

async function runFfprobe(
  path: string,
  ff: ResolvedFfmpeg,
  listPackets: boolean,
  options: { timeoutMs?: number; signal?: AbortSignal },
): Promise<RawProbe> {
  const entries = listPackets ? `${STREAM_ENTRIES}:packet=stream_index,pts,dts,pos,size,flags` : STREAM_ENTRIES;
  const args = ['-v', 'error', '-hide_banner', '-select_streams', 'V', '-of', 'json=compact=1', '-show_entries', entries];
  const result = await runProcess(ff.ffprobe.path, [...args, '-i', `file:${resolve(path)}`], {
    file: path,
    timeoutMs: options.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS,
    signal: options.signal,
  });
  if (result.code !== 0) {
    throw new VideoIoError(
      'INVALID_MEDIA',
      `${quotePath(path)} is not a readable media file (ffprobe: ${summarizeStderr(result.stderr) || `exit code ${result.code}`})`,
      { file: path },
    );
  }
  try {
    return JSON.parse(result.stdout.toString('utf8')) as RawProbe;
  } catch (error) {
    throw new VideoIoError('INVALID_MEDIA', `ffprobe printed unreadable output for ${quotePath(path)}`, { file: path, cause: error });
  }
}

function videoStream(raw: RawProbe, path: string): RawStream {
  const stream = raw.streams?.find((s) => s.codec_type === 'video' && s.disposition?.attached_pic !== 1);
  if (!stream) {
    const count = raw.format?.nb_streams ?? 0;
    throw new VideoIoError(
      'NO_VIDEO_STREAM',
      `${quotePath(path)} has no video stream (${count} other stream${count === 1 ? '' : 's'}, e.g. audio only)`,
      { file: path },
    );
  }
  const width = stream.width ?? 0;
  const height = stream.height ?? 0;
  if (!(width > 0 && height > 0)) {
    throw new VideoIoError('INVALID_MEDIA', `${quotePath(path)}: the video stream has no frame size (${width}x${height})`, {
      file: path,
    });
  }
  return stream;
}

function describe(
  path: string,
  raw: RawProbe,
  stream: RawStream,
  totalFrames: number,
  frameCountSource: FrameCountSource,
  frames: FrameTable | undefined,
): VideoProbe {
  const width = stream.width ?? 0;
  const height = stream.height ?? 0;
  const timeBase = parseRational(stream.time_base ?? '') ?? [1, 1_000_000];
  const headerDuration = firstPositive(parseFloat(stream.duration ?? ''), parseFloat(raw.format?.duration ?? '')) ?? 0;
  const { fps, fpsSource } = frameRate(stream, totalFrames, headerDuration);
  const durationSec = frames ? streamSpan(frames, totalFrames, timeBase, fps) : headerDuration;
  const { rotation, mirrored } = orientationOf(stream);
  const swap = rotation === 90 || rotation === 270;
  return {
    path,
    width,
    height,
    fps,
    fpsSource,
    totalFrames,
    frameCountSource,
    durationSec,
    codec: stream.codec_name ?? 'unknown',
    rotation,
    mirrored,
    displayWidth: swap ? height : width,
    displayHeight: swap ? width : height,
    container: raw.format?.format_name ?? 'unknown',
    streamIndex: stream.index,
    timeBase,
    pixelFormat: stream.pix_fmt,
  };
}

/**
 * Probe a video: size, fps, exact frame count (see `frameCountSource`: the MP4/MOV sample
 * table when it is exact, else every packet counted), duration, codec and display rotation.
 * Rejects with a `VideoIoError` naming the file for missing, empty, non-media and audio-only
 * inputs.
 */
export async function probeVideo(path: string, options: ProbeOptions = {}): Promise<VideoProbe> {
  const ff = await getFfmpeg(options.ffmpeg);
  const details = await probeDetails(path, ff, { listPackets: true, timeoutMs: options.timeoutMs, signal: options.signal });
  return details.probe;
}

/**
 * Seconds from the first frame's timestamp to the end of frame `count - 1` (its duration taken
 * as the gap before it; one frame lasts 1 / fps).
 */
function streamSpan(frames: FrameTable, count: number, [num, den]: [number, number], fps: number): number {
  const last = Math.min(count, frames.pts.length) - 1;
  if (last < 0) return 0;
  const first = frames.pts[0] as number;
  const end = frames.pts[last] as number;
  const step = last > 0 ? end - (frames.pts[last - 1] as number) : fps > 0 ? den / num / fps : 0;
  return ((end - first + step) * num) / den;
}

/** One stream's packets (demux order) → frames; `shown[i] === false` drops a packet that displays nothing. */
function frameTable(packets: RawPacket[], shown: boolean[] | undefined): FrameTable {
  const entries: PacketEntry[] = [];
  for (const [i, packet] of packets.entries()) {
    if (shown && shown[i] === false) continue;
    // Packets the demuxer marks as discarded (outside an MP4 edit list) produce no frame.
    if (packet.flags?.[1] === 'D') continue;
    const pts = packet.pts ?? packet.dts;
    if (pts === undefined) continue;
    const pos = Number.parseInt(packet.pos ?? '', 10);
    const size = Number.parseInt(packet.size ?? '', 10);
    entries.push({
      pts,
      key: packet.flags?.[0] === 'K',
      pos: Number.isFinite(pos) ? pos : -1,
      size: Number.isFinite(size) ? size : 0,
    });
  }
  return buildFrameTable(entries);
}

/**
 * MP4/MOV store one sample per frame and ffprobe reports the sample count; that count is what
 * a full decode yields unless an edit list trims samples, which shows as a stream start that
 * is not at the beginning. Other containers' counts are estimates or absent.
 */
function exactContainerCount(formatName: string, stream: RawStream): number | undefined {
  if (!formatName.split(',').includes('mov')) return undefined;
  const count = Number.parseInt(stream.nb_frames ?? '', 10);
  if (!(count > 0)) return undefined;
  const start = parseFloat(stream.start_time ?? '0');
  if (!(Math.abs(start) < 1e-9)) return undefined;
  return count;
}

function parseRational(text: string): [number, number] | undefined {
  const match = /^(-?\d+)\/(\d+)$/.exec(text.trim());
  if (!match) return undefined;
  const num = Number(match[1]);
  const den = Number(match[2]);
  return den === 0 ? undefined : [num, den];
}

function frameRate(stream: RawStream, totalFrames: number, durationSec: number): { fps: number; fpsSource: FpsSource } {
  const avg = parseRational(stream.avg_frame_rate ?? '');
  if (avg && avg[0] > 0) return { fps: avg[0] / avg[1], fpsSource: 'avg_frame_rate' };
  const r = parseRational(stream.r_frame_rate ?? '');
  if (r && r[0] > 0) return { fps: r[0] / r[1], fpsSource: 'r_frame_rate' };
  return { fps: durationSec > 0 ? totalFrames / durationSec : 0, fpsSource: 'frames/duration' };
}

function orientationOf(stream: RawStream): { rotation: number; mirrored: boolean } {
  const side = stream.side_data_list?.find((entry) => entry.side_data_type === 'Display Matrix');
  const matrix = parseDisplayMatrix(side?.displaymatrix);
  if (matrix) {
    // [a b; c d] maps stored to displayed pixels (row vectors). A negative determinant mirrors;
    // negating the first column (a flip of the displayed x) leaves the rotation, whose angle
    // ffmpeg writes counter-clockwise as atan2(c, a).
    const [m0, b, m3, d] = matrix;
    const mirrored = m0 * d - b * m3 < 0;
    const a = mirrored ? -m0 : m0;
    const c = mirrored ? -m3 : m3;
    if (a !== 0 || c !== 0 || b !== 0 || d !== 0) {
      return { rotation: quarterTurns(-(Math.atan2(c, a) * 180) / Math.PI), mirrored };
    }
  }
  let theta = 0;
  const tag = stream.tags?.rotate;
  if (tag !== undefined && tag !== '' && tag !== '0') theta = parseFloat(tag);
  // Display-matrix rotation is counter-clockwise; players turn the picture by its negative.
  if (theta === 0 && side?.rotation !== undefined) theta = -side.rotation;
  return { rotation: quarterTurns(theta), mirrored: false };
}

function quarterTurns(degrees: number): number {
  const quarter = Math.round(degrees / 90);
  return (((quarter % 4) + 4) % 4) * 90;
}

/** ffprobe prints the matrix as three rows `0000000r:  m0  m1  m2`; returns [m0, m1, m3, m4]. */
function parseDisplayMatrix(text: string | undefined): [number, number, number, number] | undefined {
  if (!text) return undefined;
  const values = [...text.matchAll(/^\s*\d+:\s*(-?\d+)\s+(-?\d+)\s+(-?\d+)\s*$/gm)].flatMap((row) => row.slice(1, 4).map(Number));
  if (values.length !== 9) return undefined;
  return [values[0] as number, values[1] as number, values[3] as number, values[4] as number];
}

function firstPositive(...values: number[]): number | undefined {
  return values.find((value) => Number.isFinite(value) && value > 0);
}

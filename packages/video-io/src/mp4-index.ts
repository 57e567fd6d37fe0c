/**
 * The frame table of an MP4/MOV video track read straight from its sample tables (`moov`):
 * timestamps, keyframes, packet offsets and sizes for every frame without demuxing the file,
 * which is what `ffprobe -show_packets` would otherwise spend a full pass on. Only the layouts
 * whose meaning in ffmpeg's mov demuxer is unambiguous are handled (no fragments, at most one
 * edit that keeps every sample, no negative composition offsets); for anything else this
 * returns `undefined` and the caller lists packets with ffprobe.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { buildFrameTable, type FrameTable, type PacketEntry } from './frame-table.js';

/** Refuse absurd `moov` sizes rather than allocate them. */
const MAX_MOOV_BYTES = 256 * 1024 * 1024;

interface Box {
  type: string;
  /** Offset of the payload (after the header) and its length, within the buffer or file. */
  start: number;
  end: number;
}

export interface Mp4TrackIndex {
  table: FrameTable;
  timescale: number;
  /** Samples in the track (ffprobe's `nb_frames`). */
  samples: number;
  /**
   * Present for H.264 tracks (`avc1`/`avc3`) whose samples are one frame each (no two share a
   * timestamp): what packet-level decoding needs to hand ffmpeg a subset of the samples.
   */
  avc: AvcTrack | undefined;
}

/** An H.264 track's decoder configuration and sample order. */
export interface AvcTrack {
  /** The `avcC` record (AVCDecoderConfigurationRecord): SPS, PPS, NAL length size. */
  config: Uint8Array;
  /** Bytes of the length prefix before each NAL unit in a sample (1, 2 or 4). */
  nalLengthSize: number;
  /** `decodeOrder[p]`: the frame number (presentation order) of the p-th sample in the file. */
  decodeOrder: Int32Array;
  /** The inverse: `positionOf[frame]` is the frame's sample position in the file (decode order). */
  positionOf: Int32Array;
}

/**
 * Index of the `trackIndex`-th track (ffmpeg numbers streams in `trak` order) when it is a
 * video track with a layout this reader understands.
 */
export async function readMp4Index(path: string, trackIndex: number): Promise<Mp4TrackIndex | undefined> {
  const file = await open(path, 'r');
  try {
    const moov = await readMoov(file);
    if (!moov) return undefined;
    const traks = children(moov, 0, moov.length).filter((box) => box.type === 'trak');
    if (children(moov, 0, moov.length).some((box) => box.type === 'mvex')) return undefined; // fragmented
    const mvhd = find(moov, 0, moov.length, ['mvhd']);
    const trak = traks[trackIndex];
    if (!mvhd || !trak) return undefined;
    return parseTrack(moov, trak, timescaleOf(moov, mvhd));
  } catch {
    return undefined;
  } finally {
    await file.close();
  }
}

async function readMoov(file: FileHandle): Promise<Buffer | undefined> {
  const { size } = await file.stat();
  const header = Buffer.alloc(16);
  let offset = 0;
  let sawMoof = false;
  let moov: Buffer | undefined;
  while (offset + 8 <= size) {
    const { bytesRead } = await file.read(header, 0, 16, offset);
    if (bytesRead < 8) break;
    let boxSize = header.readUInt32BE(0);
    const type = header.toString('latin1', 4, 8);
    let headerSize = 8;
    if (boxSize === 1) {
      if (bytesRead < 16) break;
      boxSize = Number(header.readBigUInt64BE(8));
      headerSize = 16;
    } else if (boxSize === 0) {
      boxSize = size - offset;
    }
    if (boxSize < headerSize) return undefined;
    if (type === 'moof') sawMoof = true;
    if (type === 'moov') {
      const length = boxSize - headerSize;
      if (length > MAX_MOOV_BYTES || offset + boxSize > size) return undefined;
      moov = Buffer.alloc(length);
      await file.read(moov, 0, length, offset + headerSize);
    }
    offset += boxSize;
  }
  return sawMoof ? undefined : moov;
}

function children(buffer: Buffer, start: number, end: number): Box[] {
  const boxes: Box[] = [];
  let offset = start;
  while (offset + 8 <= end) {
    let size = buffer.readUInt32BE(offset);
    const type = buffer.toString('latin1', offset + 4, offset + 8);
    let header = 8;
    if (size === 1) {
      size = Number(buffer.readBigUInt64BE(offset + 8));
      header = 16;
    } else if (size === 0) {
      size = end - offset;
    }
    if (size < header || offset + size > end) throw new Error(`bad box ${type}`);
    boxes.push({ type, start: offset + header, end: offset + size });
    offset += size;
  }
  return boxes;
}

function find(buffer: Buffer, start: number, end: number, path: string[]): Box | undefined {
  let box: Box | undefined = { type: '', start, end };
  for (const type of path) {
    box = children(buffer, box.start, box.end).find((child) => child.type === type);
    if (!box) return undefined;
  }
  return box;
}

/** `mvhd`/`mdhd` timescale (full box: version, flags, then times). */
function timescaleOf(buffer: Buffer, box: Box): number {
  const version = buffer.readUInt8(box.start);
  return buffer.readUInt32BE(box.start + (version === 1 ? 20 : 12));
}

function parseTrack(moov: Buffer, trak: Box, movieTimescale: number): Mp4TrackIndex | undefined {
  const mdia = find(moov, trak.start, trak.end, ['mdia']);
  if (!mdia) return undefined;
  const hdlr = find(moov, mdia.start, mdia.end, ['hdlr']);
  if (!hdlr || moov.toString('latin1', hdlr.start + 8, hdlr.start + 12) !== 'vide') return undefined;
  const mdhd = find(moov, mdia.start, mdia.end, ['mdhd']);
  const stbl = find(moov, mdia.start, mdia.end, ['minf', 'stbl']);
  if (!mdhd || !stbl) return undefined;
  const timescale = timescaleOf(moov, mdhd);
  const tables = new Map(children(moov, stbl.start, stbl.end).map((box) => [box.type, box]));
  const stts = tables.get('stts');
  const stsz = tables.get('stsz');
  const stsc = tables.get('stsc');
  const chunkOffsets = tables.get('stco') ?? tables.get('co64');
  // Partial sync samples and compact sizes change keyframe/size meaning: leave them to ffprobe.
  if (!stts || !stsz || !stsc || !chunkOffsets || tables.has('stps') || tables.has('stz2') || timescale <= 0) return undefined;

  // Sample sizes.
  const constantSize = moov.readUInt32BE(stsz.start + 4);
  const count = moov.readUInt32BE(stsz.start + 8);
  if (count === 0) return undefined;
  const sizes = new Float64Array(count);
  for (let i = 0; i < count; i++) sizes[i] = constantSize !== 0 ? constantSize : moov.readUInt32BE(stsz.start + 12 + 4 * i);

  // Decode times (stts) and composition offsets (ctts).
  const dts = new Float64Array(count);
  let sample = 0;
  let time = 0;
  const sttsEntries = moov.readUInt32BE(stts.start + 4);
  for (let e = 0; e < sttsEntries && sample < count; e++) {
    const runCount = moov.readUInt32BE(stts.start + 8 + 8 * e);
    const delta = moov.readUInt32BE(stts.start + 12 + 8 * e);
    for (let k = 0; k < runCount && sample < count; k++) {
      dts[sample++] = time;
      time += delta;
    }
  }
  if (sample !== count) return undefined;
  const trackEnd = time;
  const pts = Float64Array.from(dts);
  const ctts = tables.get('ctts');
  if (ctts) {
    sample = 0;
    const entries = moov.readUInt32BE(ctts.start + 4);
    for (let e = 0; e < entries && sample < count; e++) {
      const runCount = moov.readUInt32BE(ctts.start + 8 + 8 * e);
      const offset = moov.readInt32BE(ctts.start + 12 + 8 * e);
      // ffmpeg shifts decode times for negative offsets: not reproduced here.
      if (offset < 0) return undefined;
      for (let k = 0; k < runCount && sample < count; k++, sample++) pts[sample] = (dts[sample] as number) + offset;
    }
    if (sample !== count) return undefined;
  }

  // One edit that starts at media time M and keeps every sample: ffmpeg shifts by -M.
  let shift = 0;
  const elst = find(moov, trak.start, trak.end, ['edts', 'elst']);
  if (elst) {
    const version = moov.readUInt8(elst.start);
    const entries = moov.readUInt32BE(elst.start + 4);
    if (entries !== 1) return undefined;
    const base = elst.start + 8;
    const segmentDuration = version === 1 ? Number(moov.readBigUInt64BE(base)) : moov.readUInt32BE(base);
    const mediaTime = version === 1 ? Number(moov.readBigInt64BE(base + 8)) : moov.readInt32BE(base + 4);
    const rate = moov.readInt16BE(base + (version === 1 ? 16 : 8));
    if (mediaTime < 0 || rate !== 1) return undefined;
    const editEnd = mediaTime + (segmentDuration * timescale) / movieTimescale;
    let minPts = Number.POSITIVE_INFINITY;
    let maxPts = Number.NEGATIVE_INFINITY;
    for (const value of pts) {
      minPts = Math.min(minPts, value);
      maxPts = Math.max(maxPts, value);
    }
    // ffmpeg discards (decodes without output) samples whose composition time lies outside
    // [mediaTime, editEnd): at either end of the edit. Those layouts go to ffprobe's packet
    // listing, which flags them; a sample within a tick of the end (rounding of the rescaled
    // edit duration) goes there too.
    if (minPts < mediaTime || (segmentDuration > 0 && maxPts >= editEnd - 1)) return undefined;
    shift = mediaTime;
  } else if (trackEnd <= 0) {
    return undefined;
  }

  // Keyframes (stss numbers samples from 1; no stss means every sample is a keyframe).
  const keyframe = new Uint8Array(count);
  const stss = tables.get('stss');
  if (stss) {
    const entries = moov.readUInt32BE(stss.start + 4);
    for (let e = 0; e < entries; e++) {
      const number = moov.readUInt32BE(stss.start + 8 + 4 * e);
      if (number >= 1 && number <= count) keyframe[number - 1] = 1;
    }
  } else {
    keyframe.fill(1);
  }

  // Byte offsets: chunks (stco/co64) hold runs of samples (stsc).
  const chunkCount = moov.readUInt32BE(chunkOffsets.start + 4);
  const wide = chunkOffsets.type === 'co64';
  const chunkOffset = (c: number): number =>
    wide ? Number(moov.readBigUInt64BE(chunkOffsets.start + 8 + 8 * c)) : moov.readUInt32BE(chunkOffsets.start + 8 + 4 * c);
  const stscEntries = moov.readUInt32BE(stsc.start + 4);
  const positions = new Float64Array(count);
  sample = 0;
  for (let e = 0; e < stscEntries && sample < count; e++) {
    const firstChunk = moov.readUInt32BE(stsc.start + 8 + 12 * e) - 1;
    const perChunk = moov.readUInt32BE(stsc.start + 12 + 12 * e);
    const nextFirst = e + 1 < stscEntries ? moov.readUInt32BE(stsc.start + 8 + 12 * (e + 1)) - 1 : chunkCount;
    for (let c = firstChunk; c < nextFirst && sample < count; c++) {
      let position = chunkOffset(c);
      for (let k = 0; k < perChunk && sample < count; k++) {
        positions[sample] = position;
        position += sizes[sample] as number;
        sample++;
      }
    }
  }
  if (sample !== count) return undefined;

  const packets: PacketEntry[] = [];
  for (let i = 0; i < count; i++) {
    packets.push({ pts: (pts[i] as number) - shift, key: keyframe[i] === 1, pos: positions[i] as number, size: sizes[i] as number });
  }
  const table = buildFrameTable(packets);
  return { table, timescale, samples: count, avc: avcTrack(moov, stbl, pts, table) };
}

/** Sample entry formats whose payload is length-prefixed H.264 NAL units described by `avcC`. */
const AVC_FORMATS = new Set(['avc1', 'avc3']);
/** A VisualSampleEntry's fixed fields before its child boxes (ISO/IEC 14496-12 §12.1.3). */
const VISUAL_SAMPLE_ENTRY_BYTES = 78;

function avcTrack(moov: Buffer, stbl: Box, pts: Float64Array, table: FrameTable): AvcTrack | undefined {
  // Samples sharing a timestamp are merged into one frame by the table: no 1:1 sample ↔ frame map.
  if (table.pts.length !== pts.length) return undefined;
  const stsd = find(moov, stbl.start, stbl.end, ['stsd']);
  if (!stsd || moov.readUInt32BE(stsd.start + 4) !== 1) return undefined;
  const entry = children(moov, stsd.start + 8, stsd.end)[0];
  if (!entry || !AVC_FORMATS.has(entry.type)) return undefined;
  const avcC = children(moov, entry.start + VISUAL_SAMPLE_ENTRY_BYTES, entry.end).find((box) => box.type === 'avcC');
  if (!avcC || avcC.end - avcC.start < 7) return undefined;
  const config = Uint8Array.from(moov.subarray(avcC.start, avcC.end));
  const nalLengthSize = ((config[4] as number) & 3) + 1;
  if (config[0] !== 1 || nalLengthSize === 3) return undefined;
  // Frame numbers are ranks in presentation order; timestamps are distinct here.
  const positionOf = Int32Array.from(pts.keys()).sort((a, b) => (pts[a] as number) - (pts[b] as number));
  const decodeOrder = new Int32Array(pts.length);
  positionOf.forEach((sample, frame) => {
    decodeOrder[sample] = frame;
  });
  return { config, nalLengthSize, decodeOrder, positionOf };
}

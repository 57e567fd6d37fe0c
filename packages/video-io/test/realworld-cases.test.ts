/**
 * The layouts real files have and synthetic clips did not (issue 18), each reproduced with a
 * small generated file (test/helpers/generated.ts) — or, for VP9 alt-ref frames stored as packets
 * of their own, a 1.8 KB fixture — and checked against ffmpeg's own full decode or the
 * reference's measured behaviour.
 */
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VideoIoError } from '../src/errors.js';
import { setVideoIoLogger } from '../src/log.js';
import { readMp4Index } from '../src/mp4-index.js';
import { probeVideo } from '../src/probe.js';
import { readVideo } from '../src/read-video.js';
import { sampleIndices } from '../src/sampling.js';
import { shownPackets, shownPacketsFromFile, vp9ShownFrames } from '../src/shown-frames.js';
import { videoPath } from './helpers/fixtures.js';
import { decodedFrameCount, encodeGrid, ffmpeg, ffprobe, findBoxes, patchFile, testFfmpeg } from './helpers/generated.js';
import { decodeGridStack } from './helpers/vio-grid.js';

setVideoIoLogger(null);

const CLIP = { frames: 24, width: 96, height: 64, fps: 24 };
/** x264 with B-frames (B-pyramid): ffmpeg's MP4 muxer writes an edit list for the reorder delay. */
const X264 = ['-c:v', 'libx264', '-preset', 'veryfast', '-threads', '1', '-pix_fmt', 'yuv420p'];

const grid = (video: { data: Uint8Array; frames: number; height: number; width: number }) =>
  decodeGridStack(video.data, video.frames, video.height, video.width);
const shownIndices = (video: { data: Uint8Array; frames: number; height: number; width: number }): number[] =>
  grid(video).map((frame) => frame.index);

let dir: string;
let bframes: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'video-io-realworld-'));
  bframes = join(dir, 'bframes.mp4');
  await encodeGrid(CLIP, [...X264, '-y', bframes]);
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A copy of the B-frame clip whose single edit (elst v0) is changed by `edit`. */
function withEdit(name: string, edit: (entry: { duration: number; mediaTime: number }, frame: { movie: number; media: number }) => void): string {
  const path = join(dir, name);
  copyFileSync(bframes, path);
  patchFile(path, (buffer) => {
    const [elst] = findBoxes(buffer, 'elst');
    const [mvhd] = findBoxes(buffer, 'mvhd');
    const [mdhd] = findBoxes(buffer, 'mdhd');
    if (!elst || !mvhd || !mdhd || buffer.readUInt8(elst.payload) !== 0) throw new Error('expected one version-0 edit list');
    const entry = { duration: buffer.readUInt32BE(elst.payload + 8), mediaTime: buffer.readInt32BE(elst.payload + 12) };
    const frame = { movie: buffer.readUInt32BE(mvhd.payload + 12) / CLIP.fps, media: buffer.readUInt32BE(mdhd.payload + 12) / CLIP.fps };
    edit(entry, frame);
    buffer.writeUInt32BE(Math.round(entry.duration), elst.payload + 8);
    buffer.writeInt32BE(Math.round(entry.mediaTime), elst.payload + 12);
  });
  return path;
}

describe('edit lists (count what the edit keeps, at both ends)', () => {
  it('an edit that ends before the last sample drops it (the slow-motion phone file)', async () => {
    const path = withEdit('trim-end.mp4', (entry, frame) => {
      entry.duration -= 1.5 * frame.movie;
    });
    const decoded = await decodedFrameCount(path);
    expect(decoded).toBe(CLIP.frames - 1);
    const probe = await probeVideo(path);
    expect(probe.totalFrames).toBe(decoded);
    const video = await readVideo(path, { nframes: 4 });
    expect(video.indices).toEqual(sampleIndices(decoded, 4));
    expect(shownIndices(video)).toEqual(video.indices);
  });

  it('an edit that starts after a lead-in keyframe: the count ffmpeg decodes (documented choice)', async () => {
    const path = withEdit('trim-start.mp4', (entry, frame) => {
      entry.mediaTime += frame.media;
      entry.duration -= frame.movie;
    });
    const decoded = await decodedFrameCount(path);
    expect(decoded).toBe(CLIP.frames - 1);
    expect((await probeVideo(path)).totalFrames).toBe(decoded);
    const video = await readVideo(path, { nframes: 4 });
    // Frame 0 of the clip is the file's frame 1: the lead-in keyframe is decoded, never shown.
    expect(shownIndices(video)).toEqual(video.indices.map((index) => index + 1));
  });
});

describe('VP9 hidden (alt-ref) frames: packets are not frames', () => {
  it('alt-ref frames stored as packets of their own are not counted', async () => {
    const path = videoPath('vp9_hidden_packets.nut');
    const decoded = await decodedFrameCount(path);
    const probe = await probeVideo(path);
    expect(decoded).toBe(40);
    expect(probe).toMatchObject({ totalFrames: decoded, frameCountSource: 'frame-headers' });
    const packets = (await ffmpeg(['-i', path, '-map', '0:v:0', '-c', 'copy', '-f', 'framecrc', 'pipe:1']))
      .toString('utf8')
      .split('\n')
      .filter((line) => /^\d+,/.test(line)).length;
    expect(packets).toBe(44);
    for (const strategy of ['auto', 'sequential'] as const) {
      const video = await readVideo(path, { nframes: 8, strategy });
      expect(video.indices).toEqual(sampleIndices(40, 8));
      expect(shownIndices(video)).toEqual(video.indices);
    }
  });

  it('superframes (alt-ref packed with the next frame) count once', async () => {
    const path = join(dir, 'superframes.webm');
    const clip = { frames: 30, width: 64, height: 48, fps: 30 };
    const vp9 = ['-pix_fmt', 'yuv420p', '-c:v', 'libvpx-vp9', '-b:v', '300k', '-g', '30', '-passlogfile', join(dir, 'vp9pass')];
    await encodeGrid(clip, [...vp9, '-pass', '1', '-f', 'webm', '-y', '/dev/null']);
    await encodeGrid(clip, [...vp9, '-pass', '2', '-auto-alt-ref', '1', '-lag-in-frames', '16', '-y', path]);
    const probe = await probeVideo(path);
    expect(probe).toMatchObject({ totalFrames: await decodedFrameCount(path), frameCountSource: 'frame-headers' });
    const video = await readVideo(path, { nframes: 6 });
    expect(shownIndices(video)).toEqual(video.indices);
    // The headers read straight from the file (WebM block payloads, MP4 samples) agree with
    // ffmpeg's demuxed packets.
    const mp4 = join(dir, 'superframes.mp4');
    await ffmpeg(['-i', path, '-c', 'copy', '-y', mp4]);
    for (const [file, container] of [[path, 'matroska,webm'], [mp4, 'mov,mp4,m4a,3gp,3g2,mj2']] as const) {
      const listed = JSON.parse(
        (await ffprobe(['-select_streams', 'v', '-show_entries', 'packet=pos,size', '-of', 'json', file])).toString('utf8'),
      ) as { packets: { pos: string; size: string }[] };
      const packets = listed.packets.map((p) => ({ pos: Number(p.pos), size: Number(p.size) }));
      const fromFile = await shownPacketsFromFile(file, container, 'vp9', packets);
      const ff = await testFfmpeg();
      const demuxed = await shownPackets(file, ff, 0, 'vp9', packets.map((p) => p.size), {});
      expect(fromFile).toBeDefined();
      expect(fromFile).toEqual(demuxed);
      expect(fromFile?.filter(Boolean)).toHaveLength(clip.frames);
    }
  });

  it('reads show_existing_frame, show_frame and the superframe index', () => {
    // frame_marker 2, profile 0: show_existing_frame, else frame_type then show_frame.
    expect(vp9ShownFrames(Uint8Array.of(0x86, 0, 0))).toBe(1);
    expect(vp9ShownFrames(Uint8Array.of(0x84, 0, 0))).toBe(0);
    expect(vp9ShownFrames(Uint8Array.of(0x88))).toBe(1);
    // Superframe: a 3-byte hidden frame and a 2-byte shown one, sizes on 1 byte.
    const marker = 0xc0 | 1;
    expect(vp9ShownFrames(Uint8Array.of(0x84, 0, 0, 0x86, 0, marker, 3, 2, marker))).toBe(1);
    expect(vp9ShownFrames(Uint8Array.of(0x84, 0, 0, 0x84, 0, marker, 3, 2, marker))).toBe(0);
  });
});

describe('AV1: a temporal unit holds exactly one shown frame', () => {
  it('counts packets, hidden alt-ref frames travelling inside them', async () => {
    const path = join(dir, 'av1.mp4');
    const clip = { frames: 20, width: 64, height: 48, fps: 30 };
    const aom = ['-pix_fmt', 'yuv420p', '-c:v', 'libaom-av1', '-strict', 'experimental', '-cpu-used', '8', '-b:v', '200k'];
    await encodeGrid(clip, [...aom, '-lag-in-frames', '16', '-auto-alt-ref', '1', '-y', path]);
    const probe = await probeVideo(path);
    expect(probe.totalFrames).toBe(await decodedFrameCount(path));
    expect(probe.totalFrames).toBe(clip.frames);
    const video = await readVideo(path, { nframes: 6 });
    expect(shownIndices(video)).toEqual(video.indices);
  });
});

describe('corrupt data mid-stream', () => {
  let corrupt: string;
  const BAD_SAMPLE = 30;

  beforeAll(async () => {
    corrupt = join(dir, 'corrupt.mp4');
    await encodeGrid({ frames: 48, width: 64, height: 48, fps: 24 }, [...X264, '-g', '24', '-y', corrupt]);
    const index = await readMp4Index(corrupt, 0);
    const frame = index?.avc?.decodeOrder[BAD_SAMPLE];
    const pos = frame === undefined ? undefined : index?.table.pos[frame];
    if (pos === undefined) throw new Error('no sample table');
    // A NAL length prefix that overruns the sample: ffmpeg's H.264 splitter rejects the packet.
    patchFile(corrupt, (buffer) => buffer.writeUInt32BE(0xffffffff, pos));
  });

  it('counts the frames PyAV outputs before the bad sample, and says so in the provenance', async () => {
    const probe = await probeVideo(corrupt);
    // PyAV 10 (torchvision 0.14's decoder) on this file, measured: 28 frames, then
    // "Invalid data found when processing input" at packet 31 — 30 good samples minus the
    // decoder's reorder delay of 2 (x264's B-pyramid).
    expect(probe.totalFrames).toBe(28);
    expect(probe.frameCountSource).toBe('decodable-prefix');
    expect(probe.damage).toMatchObject({ sample: BAD_SAMPLE, framesBefore: 28, framesInStream: 48 });
    // ffmpeg's command line skips the bad packet and goes on: a different count.
    expect(await decodedFrameCount(corrupt)).toBeGreaterThan(28);
    const video = await readVideo(corrupt, { nframes: 8 });
    expect(video.indices).toEqual(sampleIndices(28, 8));
    expect(shownIndices(video)).toEqual(video.indices);
    expect(video.provenance.damage?.sample).toBe(BAD_SAMPLE);
    expect(video.provenance.frameCountSource).toBe('decodable-prefix');
  });

  it('fails with DECODE_FAILED where it cannot locate the bad unit without decoding (not MP4)', async () => {
    const mkv = join(dir, 'corrupt.mkv');
    await ffmpeg(['-i', corrupt, '-c', 'copy', '-y', mkv]);
    for (const options of [{ nframes: 8 }, { nframes: 8, strategy: 'sequential' as const }, { nframes: 2 }]) {
      const error = await readVideo(mkv, options).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(VideoIoError);
      expect(error).toMatchObject({ code: 'DECODE_FAILED', file: mkv });
      expect((error as Error).message).toMatch(/holds corrupt data/);
    }
  });
});

describe('probeVideo().durationSec is the stream’s own span', () => {
  const span = CLIP.frames / CLIP.fps;

  it('a stream that starts late (container duration counts the start)', async () => {
    const path = join(dir, 'late.mkv');
    await ffmpeg(['-i', bframes, '-c', 'copy', '-output_ts_offset', '10', '-y', path]);
    expect((await probeVideo(path)).durationSec).toBeCloseTo(span, 2);
  });

  it('a Matroska file without a container duration (written to a pipe)', async () => {
    // Written to a pipe, the muxer cannot seek back to fill in the duration.
    const piped = join(dir, 'piped.mkv');
    writeFileSync(piped, await ffmpeg(['-i', bframes, '-c', 'copy', '-f', 'matroska', 'pipe:1']));
    expect((await probeVideo(piped)).durationSec).toBeCloseTo(span, 2);
  });

  it('a fragmented MP4 whose header duration is bogus (0xFFFFFFFF)', async () => {
    const path = join(dir, 'fragmented.mp4');
    await ffmpeg(['-i', bframes, '-c', 'copy', '-movflags', 'frag_keyframe+empty_moov', '-y', path]);
    patchFile(path, (buffer) => {
      const [mdhd] = findBoxes(buffer, 'mdhd');
      const [tkhd] = findBoxes(buffer, 'tkhd');
      if (!mdhd || !tkhd) throw new Error('no mdhd/tkhd');
      buffer.writeUInt32BE(0xffffffff, mdhd.payload + 16);
      buffer.writeUInt32BE(0xffffffff, tkhd.payload + 20);
    });
    expect((await probeVideo(path)).durationSec).toBeCloseTo(span, 2);
  });
});

describe('display matrix with mirroring', () => {
  it('reports the flip with the rotation, and autorotate undoes both', async () => {
    const path = join(dir, 'mirrored.mp4');
    // Stored frames are the upright grid transposed; the matrix [0 1; 1 0] (a transpose: turn 90°
    // clockwise, then mirror) shows them upright.
    await encodeGrid(CLIP, [...X264, '-y', path], { transpose: true });
    patchFile(path, (buffer) => {
      const [tkhd] = findBoxes(buffer, 'tkhd');
      if (!tkhd || buffer.readUInt8(tkhd.payload) !== 0) throw new Error('expected a version-0 tkhd');
      const matrix = [0, 0x10000, 0, 0x10000, 0, 0, 0, 0, 0x40000000];
      matrix.forEach((value, i) => buffer.writeInt32BE(value, tkhd.payload + 40 + 4 * i));
    });
    const probe = await probeVideo(path);
    expect(probe).toMatchObject({ rotation: 90, mirrored: true, displayWidth: CLIP.height, displayHeight: CLIP.width });
    const upright = await readVideo(path, { nframes: 4, autorotate: true, outputSize: { height: CLIP.width, width: CLIP.height } });
    expect(grid(upright)).toEqual(upright.indices.map((index) => ({ index, bandsOk: true })));
    expect(upright.provenance.source).toMatchObject({ rotation: 90, mirrored: true });
    const stored = await readVideo(path, { nframes: 4 });
    expect(grid(stored).some((frame) => !frame.bandsOk)).toBe(true);
  });
});

describe('a 1-frame video', () => {
  it('is refused with the reference message, naming the file', async () => {
    const path = join(dir, 'one-frame.mp4');
    await encodeGrid({ ...CLIP, frames: 1 }, [...X264, '-y', path]);
    const error = await readVideo(path).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'INVALID_ARGUMENT', file: path });
    expect((error as Error).message).toContain('nframes should in interval [2, 1]');
    expect((error as Error).message).toContain(path);
  });
});

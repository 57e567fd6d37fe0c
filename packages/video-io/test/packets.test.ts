import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProcess } from '../src/ffmpeg/process.js';
import { resolveFfmpeg } from '../src/ffmpeg/resolve.js';
import { setVideoIoLogger } from '../src/log.js';
import { readMp4Index } from '../src/mp4-index.js';
import { presentationOffset, scanAvcSample } from '../src/packet-feed.js';
import { readVideo } from '../src/read-video.js';
import { childProcesses } from './helpers/children.js';
import { videoPath } from './helpers/fixtures.js';
import { GridPainter, decodeGridStack } from './helpers/vio-grid.js';

setVideoIoLogger(null);

const WIDTH = 160;
const HEIGHT = 96;
const FRAMES = 240;

const shownIndices = (video: { data: Uint8Array; frames: number; height: number; width: number }): number[] =>
  decodeGridStack(video.data, video.frames, video.height, video.width).map((d) => d.index);

/** A grid clip (every frame shows its index) encoded with the given x264 parameters. */
async function encodeGridClip(path: string, x264Params: string): Promise<void> {
  const ff = await resolveFfmpeg({ log: false });
  const painter = new GridPainter(WIDTH, HEIGHT);
  const raw = new Uint8Array(FRAMES * WIDTH * HEIGHT * 3);
  for (let i = 0; i < FRAMES; i++) painter.draw(i, raw.subarray(i * WIDTH * HEIGHT * 3, (i + 1) * WIDTH * HEIGHT * 3));
  const args = ['-v', 'error', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${WIDTH}x${HEIGHT}`, '-r', '30', '-i', 'pipe:0'];
  const out = ['-c:v', 'libx264', '-preset', 'veryfast', '-threads', '1', '-x264-params', x264Params, '-pix_fmt', 'yuv420p', '-y', path];
  const result = await runProcess(ff.ffmpeg.path, [...args, ...out], { stdin: raw, timeoutMs: 60_000 });
  if (result.code !== 0) throw new Error(`encoding ${path} failed: ${result.stderr}`);
}

describe('packet-level decoding (H.264 in MP4)', () => {
  let dir: string;
  let bframes: string;
  let openGop: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'video-io-packets-'));
    bframes = join(dir, 'bframes.mp4');
    openGop = join(dir, 'open-gop.mp4');
    // Forced B-frames with a B-pyramid: two of every four frames are non-reference.
    await encodeGridClip(bframes, 'keyint=60:min-keyint=60:scenecut=0:bframes=3:b-adapt=0:b-pyramid=normal');
    // Open GOPs: keyframes are recovery-point I-frames, not IDR pictures.
    await encodeGridClip(openGop, 'keyint=60:min-keyint=60:scenecut=0:bframes=3:b-adapt=0:open-gop=1');
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('returns the chosen frames while leaving non-reference frames out', async () => {
    const video = await readVideo(bframes, { nframes: 16 });
    expect(shownIndices(video)).toEqual(video.indices);
    const decode = video.provenance.decode;
    expect(decode.strategy).toBe('packets');
    expect(decode.segments).toBe(4);
    const skipped = Number(/left out (\d+) non-reference frames/.exec(decode.reason)?.[1]);
    expect(skipped).toBeGreaterThan(FRAMES / 4);
    expect(decode.framesDecoded + skipped).toBeLessThanOrEqual(decode.sequentialFrames);
  });

  it('gives byte-identical pixels to a decode from the start, for any number of frames', async () => {
    for (const nframes of [2, 5, 16, 61, FRAMES]) {
      const [packets, sequential] = await Promise.all([
        readVideo(bframes, { nframes, strategy: 'packets', outputSize: { height: 48, width: 80 } }),
        readVideo(bframes, { nframes, strategy: 'sequential', outputSize: { height: 48, width: 80 } }),
      ]);
      expect(packets.provenance.decode.strategy).toBe('packets');
      expect(shownIndices(packets)).toEqual(packets.indices);
      expect(Buffer.from(packets.data).equals(Buffer.from(sequential.data))).toBe(true);
    }
  });

  it('splits small frames across two decoder processes with the same pixels as one', async () => {
    for (const strategy of ['auto', 'seek'] as const) {
      const [two, one] = await Promise.all([
        // Fixed threads: the automatic choice takes one decoder on a busy machine.
        readVideo(bframes, { nframes: 16, strategy, threads: 4 }),
        readVideo(bframes, { nframes: 16, strategy, threads: 4, decoders: 1 }),
      ]);
      expect(two.provenance.decode.decoders).toBe(strategy === 'auto' ? 2 : 1);
      expect(one.provenance.decode.decoders).toBe(1);
      expect(shownIndices(two)).toEqual(two.indices);
      expect(Buffer.from(two.data).equals(Buffer.from(one.data))).toBe(true);
    }
    const forced = await readVideo(bframes, { nframes: 16, strategy: 'seek', decoders: 2 });
    expect(forced.provenance.decode).toMatchObject({ decoders: 2, strategy: 'seek' });
    expect(forced.provenance.decode.reason).toMatch(/two decoder processes/);
    expect(shownIndices(forced)).toEqual(forced.indices);
    expect(childProcesses()).toEqual([]);
  });

  it('keeps clip ranges exact (videoStart / videoEnd)', async () => {
    const video = await readVideo(bframes, { nframes: 6, videoStart: 1.5, videoEnd: 5 });
    expect(video.provenance.decode.strategy).toBe('packets');
    expect(shownIndices(video)).toEqual(video.provenance.frameNumbers);
  });

  it('falls back when a keyframe is not an IDR picture (open GOP), with the right frames', async () => {
    const video = await readVideo(openGop, { nframes: 16 });
    expect(shownIndices(video)).toEqual(video.indices);
    expect(video.provenance.decode.strategy).not.toBe('packets');
    expect(video.provenance.decode.reason).toMatch(/packets/);
    expect(childProcesses()).toEqual([]);
  });

  it('refuses an explicit packets strategy it cannot honour instead of returning wrong frames', async () => {
    await expect(readVideo(openGop, { nframes: 16, strategy: 'packets' })).rejects.toThrow(/not an IDR picture|open GOP/);
    expect(childProcesses()).toEqual([]);
  });

  it('is not used for other codecs or containers', async () => {
    const video = await readVideo(videoPath('vp9_641x359_30.webm'), { nframes: 4 });
    expect(video.provenance.decode.strategy).not.toBe('packets');
    expect(shownIndices(video)).toEqual(video.indices);
  });

  it('stamps frames so that presentation never precedes decoding', async () => {
    const index = await readMp4Index(bframes, 0);
    const avc = index?.avc;
    if (!avc) throw new Error('expected an H.264 sample table');
    const offset = presentationOffset(avc);
    expect(offset).toBeGreaterThan(0); // B-frames are decoded after the frames displayed after them
    avc.decodeOrder.forEach((frame, position) => expect(frame + offset).toBeGreaterThanOrEqual(position));
    expect([...avc.decodeOrder].sort((a, b) => a - b)).toEqual(Array.from({ length: FRAMES }, (_, i) => i));
  });
});

describe('scanAvcSample', () => {
  const nal = (header: number, payload: number[], lengthSize = 4): number[] => {
    const length = payload.length + 1;
    const prefix = Array.from({ length: lengthSize }, (_, i) => (length >> (8 * (lengthSize - 1 - i))) & 0xff);
    return [...prefix, header, ...payload];
  };

  it('reads reference and IDR flags from the slice NAL units', () => {
    // SEI (type 6), then an IDR slice with nal_ref_idc 3.
    const idr = Uint8Array.from([...nal(0x06, [1, 2, 3]), ...nal(0x65, [0x88, 0x84])]);
    expect(scanAvcSample(idr, 4)).toEqual({ reference: true, idr: true, wellFormed: true });
    // Non-IDR slice with nal_ref_idc 0: a disposable B-frame.
    const disposable = Uint8Array.from([...nal(0x09, [0xf0]), ...nal(0x01, [0x9e, 0x11])]);
    expect(scanAvcSample(disposable, 4)).toEqual({ reference: false, idr: false, wellFormed: true });
    // nal_ref_idc 2 on a non-IDR slice, 2-byte length prefixes.
    expect(scanAvcSample(Uint8Array.from(nal(0x41, [0x9a], 2)), 2)).toEqual({ reference: true, idr: false, wellFormed: true });
  });

  it('flags samples whose length prefixes do not walk the bytes exactly', () => {
    const bytes = Uint8Array.from(nal(0x41, [0x9a, 0x01]));
    bytes[3] = 9; // claims more bytes than there are
    expect(scanAvcSample(bytes, 4).wellFormed).toBe(false);
  });
});

import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FrameCache, type CachedFrames, type MediaKind } from '../src/frame-cache.js';

// The cache's contract is about when the decoder runs, so the decoder here only counts calls and
// returns frames derived from the file's bytes.
function countingDecoder() {
  const calls: string[] = [];
  const decode = async (file: string, kind: MediaKind): Promise<CachedFrames> => {
    calls.push(`${kind}:${path.basename(file)}`);
    if (file.endsWith('bad.mp4')) throw new Error(`cannot decode ${file}`);
    const data = new Uint8Array(2 * 2 * 2 * 3).map((_, i) => (i * 7 + file.length) % 256);
    return { data, frames: 2, height: 2, width: 2, indices: [0, 3], sampleFps: 2 };
  };
  return { calls, decode };
}

/** A media file with the given bytes in a fresh directory, and a fresh cache directory. */
function mediaAndCacheDir(name: string, bytes: string): { file: string; cacheDir: string } {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'media-')), name);
  writeFileSync(file, bytes);
  return { file, cacheDir: mkdtempSync(path.join(tmpdir(), 'frames-')) };
}

describe('FrameCache', () => {
  it('decodes each file once per process and once across processes (disk)', async () => {
    const { file, cacheDir } = mediaAndCacheDir('a.mp4', 'video-bytes');
    const first = countingDecoder();
    const cache = new FrameCache({ decode: first.decode, dir: cacheDir, settings: { frames: 2 } });
    const a = await cache.get(file, 'video');
    const again = await cache.get(file, 'video');
    expect(again).toBe(a);
    expect(first.calls).toEqual(['video:a.mp4']);
    expect(readdirSync(cacheDir)).toHaveLength(1);

    const second = countingDecoder();
    const fresh = new FrameCache({ decode: second.decode, dir: cacheDir, settings: { frames: 2 } });
    const fromDisk = await fresh.get(file, 'video');
    expect(second.calls).toEqual([]);
    expect(fresh.stats.diskHits).toBe(1);
    expect(Array.from(fromDisk.data)).toEqual(Array.from(a.data));
    expect(fromDisk.indices).toEqual([0, 3]);

    // Other sampling settings are another entry.
    const other = new FrameCache({ decode: second.decode, dir: cacheDir, settings: { frames: 4 } });
    await other.get(file, 'video');
    expect(second.calls).toEqual(['video:a.mp4']);
  });

  it('decodes again when the file changes', async () => {
    const { file, cacheDir } = mediaAndCacheDir('b.mp4', 'one');
    const d = countingDecoder();
    await new FrameCache({ decode: d.decode, dir: cacheDir, settings: null }).get(file, 'video');
    writeFileSync(file, 'two, longer');
    await new FrameCache({ decode: d.decode, dir: cacheDir, settings: null }).get(file, 'video');
    expect(d.calls).toHaveLength(2);
  });

  it('remembers failures without decoding again', async () => {
    const d = countingDecoder();
    const cache = new FrameCache({ decode: d.decode, dir: null, settings: null });
    await expect(cache.get('/nowhere/bad.mp4', 'video')).rejects.toThrow(/cannot decode/);
    await expect(cache.get('/nowhere/bad.mp4', 'video')).rejects.toThrow(/cannot decode/);
    expect(d.calls).toHaveLength(1);
    expect(cache.stats.failures).toBe(1);
  });

  it('shares one decode between concurrent requests', async () => {
    const d = countingDecoder();
    const cache = new FrameCache({ decode: d.decode, dir: null, settings: null });
    const [a, b] = await Promise.all([cache.get('/x/c.mp4', 'video'), cache.get('/x/c.mp4', 'video')]);
    expect(a).toBe(b);
    expect(d.calls).toEqual(['video:c.mp4']);
    expect(cache.stats).toMatchObject({ decoded: 1, memoryHits: 1 });
  });

  it('decodes again instead of trusting a damaged disk entry', async () => {
    const { file, cacheDir } = mediaAndCacheDir('d.mp4', 'video-bytes');
    const first = countingDecoder();
    const original = await new FrameCache({ decode: first.decode, dir: cacheDir, settings: null }).get(file, 'video');
    const [entry] = readdirSync(cacheDir);
    const entryPath = path.join(cacheDir, entry as string);
    writeFileSync(entryPath, readFileSync(entryPath).subarray(0, 30)); // cut short
    const second = countingDecoder();
    const again = new FrameCache({ decode: second.decode, dir: cacheDir, settings: null });
    expect(Array.from((await again.get(file, 'video')).data)).toEqual(Array.from(original.data));
    expect(second.calls).toEqual(['video:d.mp4']);
    expect(again.stats.diskHits).toBe(0);
  });
});

/**
 * The ffmpeg resolution chain, with the real binaries this repository installs (no mocks):
 * explicit option > FFMPEG_PATH/FFPROBE_PATH > ffmpeg-static > npm package > PATH.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VideoIoError } from '../src/errors.js';
import { clearFfmpegCache, resolveFfmpeg, type ResolvedFfmpeg } from '../src/ffmpeg/resolve.js';

let npm: ResolvedFfmpeg;
let work: string;
const noEnv = { PATH: '' };

beforeAll(async () => {
  npm = await resolveFfmpeg({ search: ['npm-package'], env: noEnv, log: false });
  work = mkdtempSync(join(tmpdir(), 'video-io-resolve-'));
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

/** A directory holding `ffmpeg` and `ffprobe` symlinks to the npm binaries. */
function binDir(name: string): string {
  const bin = join(work, name);
  rmSync(bin, { recursive: true, force: true });
  mkdirSync(bin);
  symlinkSync(npm.ffmpeg.path, join(bin, 'ffmpeg'));
  symlinkSync(npm.ffprobe.path, join(bin, 'ffprobe'));
  return bin;
}
const require = createRequire(import.meta.url);

function collect(): { lines: string[]; log: (line: string) => void } {
  const lines: string[] = [];
  return { lines, log: (line) => lines.push(line) };
}

describe('resolveFfmpeg', () => {
  it('finds the binaries shipped in npm packages and checks they run', () => {
    expect(npm.ffmpeg.source).toBe('npm-package');
    expect(npm.ffmpeg.origin).toBe('npm package @ffmpeg-installer/ffmpeg');
    expect(npm.ffprobe.origin).toBe('npm package ffprobe-static');
    expect(npm.ffmpeg.version).toMatch(/\S+/);
    expect(npm.ffmpeg.libavcodec).toMatch(/^\d+\.\d+\.\d+$/);
    expect(npm.ffprobe.version).toMatch(/\S+/);
  });

  it('by default takes ffmpeg-static when its binary exists, else the npm package, and logs one line naming it', async () => {
    clearFfmpegCache();
    const { lines, log } = collect();
    const resolved = await resolveFfmpeg({ env: noEnv, log });
    // ffmpeg-static is optional: absent when its install failed, binary-less when its download did.
    let staticBinary = false;
    try {
      staticBinary = existsSync(join(dirname(require.resolve('ffmpeg-static/package.json')), 'ffmpeg'));
    } catch {
      staticBinary = false;
    }
    expect(resolved.ffmpeg.source).toBe(staticBinary ? 'ffmpeg-static' : 'npm-package');
    expect(resolved.ffprobe.source).toBe('npm-package');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toBe(
      `[video-io] ffmpeg: ${resolved.ffmpeg.path} (${resolved.ffmpeg.origin}, version ${resolved.ffmpeg.version}); ` +
        `ffprobe: ${resolved.ffprobe.path} (${resolved.ffprobe.origin}, version ${resolved.ffprobe.version})`,
    );
  });

  it('is memoized: the same inputs resolve once and log once', async () => {
    clearFfmpegCache();
    const { lines, log } = collect();
    const [a, b] = await Promise.all([resolveFfmpeg({ env: noEnv, log }), resolveFfmpeg({ env: noEnv, log })]);
    expect(a).toBe(b);
    expect(lines).toHaveLength(1);
  });

  it('FFMPEG_PATH / FFPROBE_PATH win over every package', async () => {
    const bin = binDir('env');
    const { lines, log } = collect();
    const resolved = await resolveFfmpeg({
      env: { PATH: '', FFMPEG_PATH: join(bin, 'ffmpeg'), FFPROBE_PATH: join(bin, 'ffprobe') },
      log,
    });
    expect(resolved.ffmpeg).toMatchObject({ source: 'env', path: join(bin, 'ffmpeg'), origin: 'env FFMPEG_PATH' });
    expect(resolved.ffprobe).toMatchObject({ source: 'env', path: join(bin, 'ffprobe'), origin: 'env FFPROBE_PATH' });
    expect(lines[0]).toContain(`ffmpeg: ${join(bin, 'ffmpeg')} (env FFMPEG_PATH, version ${npm.ffmpeg.version})`);
  });

  it('an explicit option wins over the environment', async () => {
    const bin = binDir('option');
    const resolved = await resolveFfmpeg({
      ffmpegPath: join(bin, 'ffmpeg'),
      env: { PATH: '', FFMPEG_PATH: '/nonexistent/ffmpeg' },
      log: false,
    });
    expect(resolved.ffmpeg).toMatchObject({ source: 'option', path: join(bin, 'ffmpeg') });
    expect(resolved.ffprobe.source).toBe('npm-package');
  });

  it('an explicit path that does not work is an error, never a silent fallback', async () => {
    const missing = join(work, 'no such dir', 'ffmpeg');
    const error = await resolveFfmpeg({ env: { PATH: '', FFMPEG_PATH: missing }, log: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VideoIoError);
    expect((error as VideoIoError).code).toBe('FFMPEG_UNUSABLE');
    expect((error as Error).message).toContain(missing);
    expect((error as Error).message).toContain('FFMPEG_PATH');
    expect((error as Error).message).toContain('no such file');

    // A binary that runs but is not ffmpeg (here: ffprobe) is refused too.
    const wrong = await resolveFfmpeg({ ffmpegPath: npm.ffprobe.path, env: noEnv, log: false }).catch((e: unknown) => e);
    expect((wrong as VideoIoError).code).toBe('FFMPEG_UNUSABLE');
    expect((wrong as Error).message).toMatch(/it is ffprobe, not ffmpeg/);
  });

  it('uses ffmpeg/ffprobe on PATH when the packages are not available, skipping candidates that do not run', async () => {
    const good = binDir('path');
    const broken = join(work, 'broken-bin');
    rmSync(broken, { recursive: true, force: true });
    mkdirSync(broken);
    for (const tool of ['ffmpeg', 'ffprobe']) {
      writeFileSync(join(broken, tool), '#!/bin/sh\nexit 3\n');
      chmodSync(join(broken, tool), 0o755);
    }
    const { lines, log } = collect();
    const resolved = await resolveFfmpeg({ search: ['path'], env: { PATH: `${broken}:${good}` }, log });
    expect(resolved.ffmpeg).toMatchObject({ source: 'path', path: join(good, 'ffmpeg'), origin: 'PATH' });
    expect(resolved.ffprobe).toMatchObject({ source: 'path', path: join(good, 'ffprobe') });
    expect(lines[0]).toContain(`ffmpeg: ${join(good, 'ffmpeg')} (PATH, version ${npm.ffmpeg.version})`);
  });

  it('takes the newer (by libavcodec) of the npm build and the one on PATH, and says why', async () => {
    /** A PATH directory whose ffmpeg/ffprobe only answer -version, as a build with this libavcodec. */
    const fakeBuild = (name: string, libavcodec: string): string => {
      const bin = join(work, name);
      rmSync(bin, { recursive: true, force: true });
      mkdirSync(bin);
      for (const tool of ['ffmpeg', 'ffprobe']) {
        writeFileSync(join(bin, tool), `#!/bin/sh\necho "${tool} version ${name}"\necho "libavcodec     ${libavcodec} / ${libavcodec}"\n`);
        chmodSync(join(bin, tool), 0o755);
      }
      return bin;
    };
    const newer = fakeBuild('99.9-newer', '99.  1.100');
    const { lines, log } = collect();
    const resolved = await resolveFfmpeg({ search: ['npm-package', 'path'], env: { PATH: newer }, log });
    expect(resolved.ffmpeg).toMatchObject({ source: 'path', path: join(newer, 'ffmpeg'), libavcodec: '99.1.100' });
    // ffprobe only demuxes: the fast-starting npm build stays first whatever its age.
    expect(resolved.ffprobe).toMatchObject({ source: 'npm-package', path: npm.ffprobe.path });
    expect(resolved.ffprobe.choice).toContain('taken before PATH');
    expect(lines[0]).toContain(`libavcodec 99.1.100, newest of it and ${npm.ffmpeg.origin} (libavcodec ${npm.ffmpeg.libavcodec})`);
    const older = fakeBuild('0.1-older', '1.  0.100');
    const kept = await resolveFfmpeg({ search: ['npm-package', 'path'], env: { PATH: older }, log: false });
    expect(kept.ffmpeg).toMatchObject({ source: 'npm-package', path: npm.ffmpeg.path });
    expect(kept.ffmpeg.choice).toContain('PATH (libavcodec 1.0.100)');
  });

  it('names all four sources when none works', async () => {
    const error = await resolveFfmpeg({ search: ['ffmpeg-static', 'path'], env: { PATH: join(work, 'empty') }, log: false }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(VideoIoError);
    expect((error as VideoIoError).code).toBe('FFMPEG_NOT_FOUND');
    const message = (error as Error).message;
    // Whichever tool failed first, its message lists the four places in order.
    expect(message).toMatch(/1\) option ff(mpeg|probe)Path \/ env FF(MPEG|PROBE)_PATH: not set/);
    expect(message).toMatch(/2\) npm package ffmpeg-static: /);
    expect(message).toMatch(/3\) npm package (@ffmpeg-installer\/ffmpeg|ffprobe-static): disabled by the search option/);
    expect(message).toMatch(/4\) PATH: no ff(mpeg|probe) in PATH/);
  });
});

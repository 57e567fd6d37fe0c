/**
 * `pnpm --filter @video-r1/video-io exec tsx bench/decoders-ab.ts [NFRAMES] [FILE]`
 *
 * One decoder process against two on the same read, interleaved (3 runs each, median), with the
 * npm ffmpeg and with `/usr/bin/ffmpeg` when present; `threads: 4` fixed so the comparison is one
 * process with 4 threads against two with 2 each. Default file: the bench's 10-minute 360p input.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { resolveFfmpeg, type ResolvedFfmpeg } from '../src/ffmpeg/resolve.js';
import { setVideoIoLogger } from '../src/log.js';
import { readVideo } from '../src/read-video.js';
import { defaultBenchDir } from './inputs.js';

setVideoIoLogger(null);
const nframes = Number(process.argv[2] ?? 16);
const path = process.argv[3] ?? join(defaultBenchDir(), 'bench_360p30_10min.mp4');
const builds: [string, ResolvedFfmpeg][] = [['npm', await resolveFfmpeg({ search: ['npm-package'], env: { PATH: '' } })]];
if (existsSync('/usr/bin/ffmpeg')) builds.push(['/usr/bin', await resolveFfmpeg({ search: ['path'], env: { PATH: '/usr/bin' } })]);
const times = new Map<string, number[]>();
for (let run = 0; run < 3; run++) {
  for (const [name, ffmpeg] of builds) {
    for (const decoders of [1, 2]) {
      const started = performance.now();
      await readVideo(path, { nframes, ffmpeg, decoders, threads: 4 });
      const key = `${name} ffmpeg, ${decoders} decoder${decoders > 1 ? 's' : ''}`;
      times.set(key, [...(times.get(key) ?? []), performance.now() - started]);
    }
  }
}
for (const [key, values] of times) {
  const sorted = [...values].sort((a, b) => a - b);
  console.log(`${key}: median ${((sorted[1] as number) / 1000).toFixed(2)} s (${sorted.map((v) => (v / 1000).toFixed(2)).join(', ')})`);
}

/**
 * `pnpm --filter @video-r1/video-io bench [--runs N] [--dir DIR] [--skip-memory] [--python] [--only TEXT] [--decoders 1|2]`
 *
 * Milliseconds per `readVideo` (median of N runs, warm page cache) for 16/32/64 frames at the
 * training budget (128·28·28) and 64 frames at 256·28·28, on a 60 s 1280x720 and a 10-minute
 * 640x360 H.264 video, next to two ffmpeg figures measured in the same run: a full decode
 * (`-f null`) and a decode of only the GOPs that hold the chosen frames (the same concat
 * segments, `-f null`, no scaling), plus the Python baselines measured on these machines
 * (test/fixtures/VECTORS.md). With `--python` (needs python3 with PyAV and OpenCV, e.g. Debian's
 * python3-av and python3-opencv; `PYTHON` picks the interpreter) the Python samplers also run here, side by side, under the same
 * load. Then the memory check: 64 frames of a 10-minute 1080p video.
 */
import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { runProcess } from '../src/ffmpeg/process.js';
import { resolveFfmpeg, type ResolvedFfmpeg } from '../src/ffmpeg/resolve.js';
import { planDecode } from '../src/plan.js';
import { probeDetails } from '../src/probe.js';
import { readVideo, type ReadVideoOptions } from '../src/read-video.js';
import { sampleIndices } from '../src/sampling.js';
import { defaultDecodeThreads } from '../src/threads.js';
import { decodeGridStack } from '../test/helpers/vio-grid.js';
import { MEMORY_INPUT, SPEED_INPUTS, defaultBenchDir, ensureInput } from './inputs.js';

interface Setting {
  label: string;
  options: ReadVideoOptions & { nframes: number };
}

const PATCH = 28 * 28;
const SETTINGS: Setting[] = [
  { label: '16 frames @128', options: { nframes: 16 } },
  { label: '32 frames @128', options: { nframes: 32 } },
  { label: '64 frames @128', options: { nframes: 64 } },
  { label: '64 frames @256', options: { nframes: 64, minPixels: 256 * PATCH, maxPixels: 256 * PATCH } },
];

/** Python figures (seconds) from the vectors README: [qwen torchvision, PyAV seek, OpenCV, ffmpeg full decode]. */
const PYTHON: Record<string, Record<string, [number | null, number, number, number]>> = {
  'bench_720p30_60s.mp4': {
    '16 frames @128': [20.42, 4.2, 4.79, 4.52],
    '32 frames @128': [20.65, 5.09, 5.22, 4.52],
    '64 frames @128': [21.1, 6.83, 6.41, 4.52],
    '64 frames @256': [21.06, 6.39, 7.05, 4.52],
  },
  'bench_360p30_10min.mp4': {
    '16 frames @128': [null, 1.63, 12.86, 12.89],
    '32 frames @128': [null, 3.38, 12.89, 12.89],
    '64 frames @128': [null, 6.7, 12.96, 12.89],
    '64 frames @256': [null, 6.92, 13.75, 12.89],
  },
};

interface BenchArgs {
  runs: number;
  dir: string;
  memory: boolean;
  python: boolean;
  /** Only rows whose "video setting" label contains this text (e.g. `720p30`, `64 frames`). */
  only: string | undefined;
  /** `readVideo`'s `decoders` option (default: its automatic choice). */
  decoders: number | undefined;
}

function parseArgs(argv: string[]): BenchArgs {
  let runs = 3;
  let only: string | undefined;
  let dir = defaultBenchDir();
  let memory = true;
  let python = false;
  let decoders: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--runs') runs = Number(argv[++i]);
    else if (arg === '--dir') dir = String(argv[++i]);
    else if (arg === '--skip-memory') memory = false;
    else if (arg === '--python') python = true;
    else if (arg === '--only') only = String(argv[++i]);
    else if (arg === '--decoders') decoders = Number(argv[++i]);
    else if (arg !== '--') throw new Error(`unknown argument ${arg}; use --runs N, --dir DIR, --skip-memory, --python, --only TEXT, --decoders N`);
  }
  if (!(Number.isInteger(runs) && runs >= 1)) throw new Error('--runs must be a positive integer');
  return { runs, dir, memory, python, only, decoders };
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

async function timeIt(runs: number, task: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await task();
    times.push(performance.now() - started);
  }
  return median(times);
}

async function ffmpegNull(ff: ResolvedFfmpeg, args: string[], stdin?: string): Promise<void> {
  const result = await runProcess(ff.ffmpeg.path, ['-hide_banner', '-v', 'error', ...args, '-f', 'null', '-'], { stdin });
  if (result.code !== 0) throw new Error(`ffmpeg failed: ${result.stderr}`);
}

async function warm(path: string): Promise<void> {
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 22 })) void chunk;
}

const fmt = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

/** Median ms of the PyAV and OpenCV samplers in bench/python_baseline.py, run here and now. */
async function pythonBaseline(path: string, nframes: number, height: number, width: number, runs: number): Promise<{ pyav: number; opencv: number }> {
  const script = fileURLToPath(new URL('./python_baseline.py', import.meta.url));
  const result = await runProcess(process.env.PYTHON ?? 'python3', [script, path, String(nframes), String(height), String(width), String(runs)]);
  if (result.code !== 0) throw new Error(`python baseline failed: ${result.stderr.trim()}`);
  const parsed = JSON.parse(result.stdout.toString()) as { pyav: number | null; opencv: number | null; pyav_error?: string };
  if (parsed.pyav === null || parsed.opencv === null) throw new Error(`python baseline unavailable: ${parsed.pyav_error ?? 'no OpenCV'}`);
  return { pyav: parsed.pyav, opencv: parsed.opencv };
}

async function main(): Promise<void> {
  const { runs, dir, memory, python, only, decoders } = parseArgs(process.argv.slice(2));
  const log = (line: string): void => console.error(`[bench] ${line}`);
  const ff = await resolveFfmpeg({ log });
  log(`${availableParallelism()} CPUs, load ${loadavg()[0]?.toFixed(2)}, median of ${runs} runs`);

  const rows: string[] = [];
  for (const input of SPEED_INPUTS) {
    const settings = SETTINGS.filter((setting) => only === undefined || `${input.name} ${setting.label}`.includes(only));
    if (settings.length === 0) continue;
    const path = await ensureInput(ff, dir, input, log);
    await warm(path);
    const { probe, frames: table } = await probeDetails(path, ff, { listPackets: true });
    log(`${input.name}: ${probe.totalFrames} frames, ${probe.width}x${probe.height} ${probe.codec}`);
    const fullThreads = defaultDecodeThreads();
    const fullMs = await timeIt(runs, () => ffmpegNull(ff, ['-threads', String(fullThreads), '-i', path, '-map', '0:v:0']));
    for (const setting of settings) {
      const indices = sampleIndices(probe.totalFrames, setting.options.nframes);
      const plan = planDecode({
        path,
        frameNumbers: indices,
        table,
        timeBase: probe.timeBase,
        fps: probe.fps,
        width: probe.width,
        height: probe.height,
        strategy: 'seek',
      });
      if (plan.input.kind !== 'concat') throw new Error(`no seek plan for ${input.name}: ${plan.summary.reason}`);
      const script = plan.input.script;
      // Interleaved runs (ours, the needed-GOPs decode, Python), so that a change in the
      // machine's load during the bench affects every column alike.
      let last: Awaited<ReturnType<typeof readVideo>> | undefined;
      const ours: number[] = [];
      const gops: number[] = [];
      const pyavRuns: number[] = [];
      const opencvRuns: number[] = [];
      for (let run = 0; run < runs; run++) {
        ours.push(
          await timeIt(1, async () => {
            last = await readVideo(path, { ...setting.options, ffmpeg: ff, ...(decoders !== undefined && { decoders }) });
          }),
        );
        // The same decoding threads readVideo chose, so the two decode the same way.
        const threads = String(last?.provenance.decode.threads ?? 1);
        gops.push(
          await timeIt(1, () =>
            ffmpegNull(ff, ['-threads', threads, '-f', 'concat', '-safe', '0', '-protocol_whitelist', 'file,pipe', '-i', 'pipe:0', '-map', '0:v:0'], script),
          ),
        );
        if (python && last) {
          const measured = await pythonBaseline(path, setting.options.nframes, last.height, last.width, 1);
          pyavRuns.push(measured.pyav);
          opencvRuns.push(measured.opencv);
        }
      }
      if (!last) throw new Error('no read');
      const oursMs = median(ours);
      const gopMs = median(gops);
      const threads = String(last.provenance.decode.threads);
      const decoded = decodeGridStack(last.data, last.frames, last.height, last.width).map((d) => d.index);
      const right = JSON.stringify(decoded) === JSON.stringify(last.indices) ? 'yes' : 'NO';
      const [qwen, pyav, opencv, pyFull] = PYTHON[input.name]?.[setting.label] ?? [null, NaN, NaN, NaN];
      const best = Math.min(pyav, opencv) * 1000;
      // The Python figures were taken on an idle machine; scale them by how much slower this
      // machine's full decode is right now, to compare under the same load.
      const loadFactor = fullMs / (pyFull * 1000);
      let here = 'not run (--python)';
      if (python) {
        const pyavMs = median(pyavRuns);
        const opencvMs = median(opencvRuns);
        here = `PyAV ${fmt(pyavMs)}, OpenCV ${fmt(opencvMs)}: ${(Math.min(pyavMs, opencvMs) / oursMs).toFixed(2)}x`;
      }
      rows.push(
        `| ${input.name.replace('.mp4', '')} | ${setting.label} | ${last.height}x${last.width} | ${fmt(oursMs)} | ` +
          `${last.provenance.decode.strategy} (${last.provenance.decode.segments} seg, ${last.provenance.decode.framesDecoded} fr, ` +
          `${last.provenance.decode.decoders > 1 ? `${last.provenance.decode.decoders} × ` : ''}${threads} thr) | ` +
          `${fmt(gopMs)} | ${(oursMs / gopMs).toFixed(2)} | ${fmt(fullMs)} (${fullThreads} thr) | ${qwen === null ? 'OOM' : `${qwen.toFixed(2)} s`} | ` +
          `${fmt(best)} | ${(best / oursMs).toFixed(2)}x | ${((best * loadFactor) / oursMs).toFixed(2)}x | ${here} | ${right} |`,
      );
      log(rows[rows.length - 1] as string);
    }
  }
  console.log(
    '| video | setting | out HxW | readVideo | plan | needed-GOPs decode | ratio | ffmpeg full decode | README: qwen/torchvision | README: best Python | speed-up vs README best | same, load-adjusted | Python here, same run: speed-up vs best | right frames |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const row of rows) console.log(row);

  if (memory) {
    const path = await ensureInput(ff, dir, MEMORY_INPUT, log);
    await warm(path);
    const child = fileURLToPath(new URL('./memory-child.ts', import.meta.url));
    const report = await new Promise<string>((resolvePromise, reject) => {
      const proc = spawn(process.execPath, [...process.execArgv, child, path], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      proc.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      proc.on('error', reject);
      proc.on('close', (code) => (code === 0 ? resolvePromise(out.trim()) : reject(new Error(`memory child exited ${code}`))));
    });
    console.log(`\nmemory, 64 frames (@128) of ${MEMORY_INPUT.name}: ${report}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

/**
 * `pnpm --filter @video-r1/video-io check-realworld <dir> [--only TEXT] [--verbose]`
 *
 * Reads `<dir>/expected.jsonl` (line 1: the settings as `readVideo` options; then one line per
 * file with the reference's expected frames, indices, size and sample fps per setting, or the
 * reference's error) and checks `readVideo` on every file in every setting, plus `probeVideo`
 * against the file's torchvision facts. Prints one line per file and setting, then the total;
 * exits 1 when anything fails. A relative `<dir>` is taken from where pnpm was started.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { probeVideo } from '../src/probe.js';
import { readVideo, type ReadVideoOptions } from '../src/read-video.js';

interface ExpectedRead {
  frames?: number;
  height?: number;
  width?: number;
  indices?: number[];
  sampleFps?: number;
  error?: string;
}

interface ExpectedFile {
  file: string;
  torchvision: { totalFrames: number; videoFps: number; height: number; width: number };
  ffprobe?: { avg_frame_rate?: string; r_frame_rate?: string };
  expect: Record<string, ExpectedRead>;
  /** Accepted alternatives of a setting (a documented quirk with two defensible answers). */
  alternatives?: Record<string, ExpectedRead[]>;
}

interface Settings {
  _settings: Record<string, { readVideoOptions: ReadVideoOptions }>;
}

interface Outcome {
  file: string;
  setting: string;
  ok: boolean;
  detail: string;
}

function parseArgs(argv: string[]): { dir: string; only: string | undefined; verbose: boolean } {
  let dir: string | undefined;
  let only: string | undefined;
  let verbose = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--only') only = argv[++i];
    else if (arg === '--verbose') verbose = true;
    else if (arg === '--') continue;
    else if (dir === undefined && !arg.startsWith('--')) dir = arg;
    else throw new Error(`unknown argument ${arg}; usage: check-realworld <dir> [--only TEXT] [--verbose]`);
  }
  if (dir === undefined) throw new Error('usage: check-realworld <dir with expected.jsonl> [--only TEXT] [--verbose]');
  // pnpm runs scripts in the package directory; INIT_CWD is where the user typed the command.
  const base = process.env.INIT_CWD ?? process.cwd();
  return { dir: isAbsolute(dir) ? dir : resolve(base, dir), only, verbose };
}

function rate(text: string | undefined): number {
  const [num, den] = (text ?? '').split('/').map(Number);
  return num !== undefined && den !== undefined && den > 0 ? num / den : Number(text) || 0;
}

function sameFps(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));
}

/** Why `got` differs from `want`, or undefined when it matches. */
function compareRead(got: Awaited<ReturnType<typeof readVideo>>, want: ExpectedRead): string | undefined {
  if (want.error !== undefined) return `expected the error "${want.error}", got ${got.frames} frames`;
  const problems: string[] = [];
  if (got.frames !== want.frames) problems.push(`frames ${got.frames} != ${want.frames}`);
  if (got.height !== want.height || got.width !== want.width) problems.push(`size ${got.height}x${got.width} != ${want.height}x${want.width}`);
  if (JSON.stringify(got.indices) !== JSON.stringify(want.indices)) problems.push(`indices [${got.indices.join(',')}] != [${want.indices?.join(',')}]`);
  if (want.sampleFps !== undefined && !sameFps(got.sampleFps, want.sampleFps)) problems.push(`sampleFps ${got.sampleFps} != ${want.sampleFps}`);
  if (got.data.length !== got.frames * got.height * got.width * 3) problems.push(`data holds ${got.data.length} bytes`);
  return problems.length === 0 ? undefined : problems.join('; ');
}

async function checkSetting(path: string, options: ReadVideoOptions, accepted: ExpectedRead[]): Promise<{ ok: boolean; detail: string }> {
  try {
    const got = await readVideo(path, options);
    const misses = accepted.map((want) => compareRead(got, want));
    const ok = misses.some((miss) => miss === undefined);
    const decode = got.provenance.decode;
    const how = `${got.provenance.totalFrames} frames (${got.provenance.frameCountSource}), ${decode.strategy}`;
    return { ok, detail: ok ? `${got.frames} frames ${got.height}x${got.width}; ${how}` : `${misses.join(' | or | ')}; ${how}` };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const code = (error as { code?: string }).code ?? 'Error';
    const ok = accepted.some((want) => want.error !== undefined && message.includes(want.error));
    return { ok, detail: `${code}: ${message.slice(0, 300)}` };
  }
}

async function checkProbe(path: string, entry: ExpectedFile): Promise<{ ok: boolean; detail: string }> {
  try {
    const probe = await probeVideo(path);
    const problems: string[] = [];
    const tv = entry.torchvision;
    if (probe.width !== tv.width || probe.height !== tv.height) problems.push(`size ${probe.height}x${probe.width} != ${tv.height}x${tv.width}`);
    if (!sameFps(probe.fps, tv.videoFps)) problems.push(`fps ${probe.fps} != ${tv.videoFps}`);
    const counts = [tv.totalFrames, ...(entry.alternatives?.totalFrames ?? []).map((alt) => alt.frames)];
    if (!counts.includes(probe.totalFrames)) problems.push(`totalFrames ${probe.totalFrames} != ${counts.join(' or ')}`);
    // The stream's own span, roughly frames / frame rate: a header duration that is bogus, missing
    // or counts a late start is off by far more than the spread between ffprobe's two rates.
    const rates = [entry.ffprobe?.avg_frame_rate, entry.ffprobe?.r_frame_rate].map(rate).filter((r) => r > 0);
    const spans = (rates.length > 0 ? rates : [tv.videoFps]).map((r) => tv.totalFrames / r);
    if (!spans.some((span) => probe.durationSec >= 0.4 * span && probe.durationSec <= 2.5 * span)) {
      problems.push(`durationSec ${probe.durationSec.toFixed(3)} is not about frames / fps (${spans.map((x) => x.toFixed(3)).join(' or ')})`);
    }
    const summary = `${probe.totalFrames} frames (${probe.frameCountSource}) @ ${probe.fps.toFixed(3)}, ${probe.durationSec.toFixed(3)} s, rotation ${probe.rotation}${probe.mirrored ? ', mirrored' : ''}${probe.damage ? `, damaged at sample ${probe.damage.sample}` : ''}`;
    return { ok: problems.length === 0, detail: problems.length === 0 ? summary : `${problems.join('; ')} (${summary})` };
  } catch (error) {
    return { ok: false, detail: `${(error as { code?: string }).code ?? 'Error'}: ${error instanceof Error ? error.message : String(error)}` };
  }
}

async function main(): Promise<void> {
  const { dir, only, verbose } = parseArgs(process.argv.slice(2));
  const lines = readFileSync(join(dir, 'expected.jsonl'), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '');
  const header = JSON.parse(lines[0] as string) as Settings;
  const entries = lines.slice(1).map((line) => JSON.parse(line) as ExpectedFile);
  const outcomes: Outcome[] = [];
  const started = performance.now();
  for (const entry of entries) {
    if (only !== undefined && !entry.file.includes(only)) continue;
    const path = join(dir, entry.file);
    const probe = await checkProbe(path, entry);
    outcomes.push({ file: entry.file, setting: 'probe', ...probe });
    for (const [setting, { readVideoOptions }] of Object.entries(header._settings)) {
      const want = entry.expect[setting];
      if (!want) continue;
      const accepted = [want, ...(entry.alternatives?.[setting] ?? [])];
      outcomes.push({ file: entry.file, setting, ...(await checkSetting(path, readVideoOptions, accepted)) });
    }
    const mine = outcomes.filter((outcome) => outcome.file === entry.file);
    const failed = mine.filter((outcome) => !outcome.ok);
    console.log(`${failed.length === 0 ? 'PASS' : 'FAIL'} ${entry.file}`);
    for (const outcome of mine) {
      if (verbose || !outcome.ok) console.log(`    ${outcome.ok ? 'ok  ' : 'FAIL'} ${outcome.setting.padEnd(8)} ${outcome.detail}`);
    }
  }
  const files = new Set(outcomes.map((outcome) => outcome.file));
  const failedFiles = new Set(outcomes.filter((outcome) => !outcome.ok).map((outcome) => outcome.file));
  const passedChecks = outcomes.filter((outcome) => outcome.ok).length;
  console.log(
    `\n${files.size - failedFiles.size}/${files.size} files pass; ${passedChecks}/${outcomes.length} checks ` +
      `(probe + ${Object.keys(header._settings).length} settings per file) in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  if (failedFiles.size > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 2;
});

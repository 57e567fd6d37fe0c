import { execFile } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join } from 'node:path';
import { VideoIoError } from '../errors.js';
import { resolveLogger, type Logger } from '../log.js';

/** Where a binary came from, in the order they are tried. */
export type FfmpegSource = 'option' | 'env' | 'ffmpeg-static' | 'npm-package' | 'path';
/** The automatic candidates (after an explicit option or environment variable). */
export type FfmpegSearchSource = Exclude<FfmpegSource, 'option' | 'env'>;
export type FfmpegTool = 'ffmpeg' | 'ffprobe';

export interface ResolvedBinary {
  path: string;
  source: FfmpegSource;
  /** What `-version` printed after "ffmpeg version" (e.g. `N-47683-g0e8eb07980-static`). */
  version: string;
  /** Human-readable origin, e.g. `npm package @ffmpeg-installer/ffmpeg` or `env FFMPEG_PATH`. */
  origin: string;
  /** The libavcodec version it links (`59.37.100`), which orders builds whatever their version string. */
  libavcodec?: string;
  /** Why it was taken over the other working candidates, when there were any. */
  choice?: string;
}

export interface ResolvedFfmpeg {
  ffmpeg: ResolvedBinary;
  ffprobe: ResolvedBinary;
}

export interface ResolveFfmpegOptions {
  /** Use exactly this ffmpeg; an unusable path is an error, never a silent fallback. */
  ffmpegPath?: string;
  /** Use exactly this ffprobe; an unusable path is an error, never a silent fallback. */
  ffprobePath?: string;
  /** Environment to read `FFMPEG_PATH`, `FFPROBE_PATH` and `PATH` from (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /**
   * Automatic candidates to try, in this order, when no explicit path is given
   * (default `['ffmpeg-static', 'npm-package', 'path']`). Narrow it to pin a source.
   */
  search?: readonly FfmpegSearchSource[];
  /** Where the one "which ffmpeg" line goes; `false` silences it. Default: the package logger (stderr). */
  log?: Logger | false;
}

export const DEFAULT_FFMPEG_SEARCH: readonly FfmpegSearchSource[] = ['ffmpeg-static', 'npm-package', 'path'];

const ENV_NAME: Record<FfmpegTool, string> = { ffmpeg: 'FFMPEG_PATH', ffprobe: 'FFPROBE_PATH' };
const VERSION_TIMEOUT_MS = 15_000;

const requireHere = createRequire(import.meta.url);
const memo = new Map<string, Promise<ResolvedFfmpeg>>();

/**
 * Find ffmpeg and ffprobe at run time: an explicit option, else `FFMPEG_PATH` / `FFPROBE_PATH`,
 * else `ffmpeg-static` (when its install-time download produced a binary), else the newer (by
 * libavcodec version) of the binary shipped inside an npm package and the first working one on
 * `PATH` — the npm builds are old (2018 for `@ffmpeg-installer/ffmpeg`), and a newer system
 * ffmpeg decodes AV1 and large frames much faster. Each candidate must run `-version`
 * successfully before it is taken. Logs one line naming the choice and why; results are
 * memoized per set of inputs.
 */
export function resolveFfmpeg(options: ResolveFfmpegOptions = {}): Promise<ResolvedFfmpeg> {
  const env = options.env ?? process.env;
  const search = options.search ?? DEFAULT_FFMPEG_SEARCH;
  const key = JSON.stringify([
    options.ffmpegPath,
    options.ffprobePath,
    env.FFMPEG_PATH,
    env.FFPROBE_PATH,
    env.PATH,
    search,
  ]);
  let pending = memo.get(key);
  if (!pending) {
    const log = resolveLogger(options.log);
    pending = resolveUncached(options, env, search).then((resolved) => {
      log?.(describeResolution(resolved));
      return resolved;
    });
    memo.set(key, pending);
    pending.catch(() => memo.delete(key));
  }
  return pending;
}

/** Forget memoized resolutions (tests, or after installing ffmpeg while running). */
export function clearFfmpegCache(): void {
  memo.clear();
}

/** The log line: `[video-io] ffmpeg: /x/ffmpeg (npm package …, version …); ffprobe: …`. */
export function describeResolution(resolved: ResolvedFfmpeg): string {
  const part = (tool: FfmpegTool, binary: ResolvedBinary): string =>
    `${tool}: ${binary.path} (${binary.origin}, version ${binary.version}${binary.choice ? `; ${binary.choice}` : ''})`;
  return `[video-io] ${part('ffmpeg', resolved.ffmpeg)}; ${part('ffprobe', resolved.ffprobe)}`;
}

async function resolveUncached(
  options: ResolveFfmpegOptions,
  env: NodeJS.ProcessEnv,
  search: readonly FfmpegSearchSource[],
): Promise<ResolvedFfmpeg> {
  const [ffmpeg, ffprobe] = await Promise.all([
    resolveTool('ffmpeg', options.ffmpegPath, env, search),
    resolveTool('ffprobe', options.ffprobePath, env, search),
  ]);
  return { ffmpeg, ffprobe };
}

interface Candidate {
  source: FfmpegSource;
  origin: string;
  /** The binaries to try in order (several for PATH), or why this source has none. */
  path: string[] | { missing: string };
}

async function resolveTool(
  tool: FfmpegTool,
  explicit: string | undefined,
  env: NodeJS.ProcessEnv,
  search: readonly FfmpegSearchSource[],
): Promise<ResolvedBinary> {
  const optionName = tool === 'ffmpeg' ? 'ffmpegPath' : 'ffprobePath';
  const envValue = env[ENV_NAME[tool]];
  const pinned: Candidate | undefined =
    explicit !== undefined && explicit !== ''
      ? { source: 'option', origin: `option ${optionName}`, path: [explicit] }
      : envValue !== undefined && envValue !== ''
        ? { source: 'env', origin: `env ${ENV_NAME[tool]}`, path: [envValue] }
        : undefined;

  if (pinned) {
    // The user named a binary: using another one instead would hide their mistake.
    const path = (pinned.path as string[])[0] as string;
    const checked = await checkBinary(tool, path);
    if ('version' in checked) return { path, source: pinned.source, origin: pinned.origin, ...checked };
    throw new VideoIoError(
      'FFMPEG_UNUSABLE',
      `${tool} from ${pinned.origin} (${JSON.stringify(path)}) is not usable: ${checked.reason}. ` +
        `Fix or unset ${pinned.source === 'option' ? `the ${optionName} option` : ENV_NAME[tool]} to let video-io search ` +
        `ffmpeg-static, the npm packages and PATH.`,
    );
  }

  const outcomes = new Map<FfmpegSearchSource, string>();
  const working: ResolvedBinary[] = [];
  for (const source of search) {
    const candidate = findCandidate(tool, source, env);
    if (!Array.isArray(candidate.path)) {
      outcomes.set(source, candidate.path.missing);
      continue;
    }
    const failures: string[] = [];
    for (const path of candidate.path) {
      const checked = await checkBinary(tool, path);
      if ('version' in checked) {
        working.push({ path, source, origin: candidate.origin, ...checked });
        break;
      }
      failures.push(`${path} does not run (${checked.reason})`);
    }
    // ffmpeg-static is the build the user installed on purpose: taken whenever it runs.
    if (source === 'ffmpeg-static' && working.length > 0) return working[0] as ResolvedBinary;
    outcomes.set(source, failures.join(', '));
  }
  if (working.length === 0) {
    // fall through to the error below
  } else if (tool === 'ffmpeg') {
    return newest(working);
  } else {
    return firstOf(working);
  }
  const tried = [
    `1) option ${optionName} / env ${ENV_NAME[tool]}: not set`,
    ...(['ffmpeg-static', 'npm-package', 'path'] as const).map(
      (source, i) => `${i + 2}) ${sourceLabel(tool, source)}: ${outcomes.get(source) ?? 'disabled by the search option'}`,
    ),
  ];
  throw new VideoIoError(
    'FFMPEG_NOT_FOUND',
    `no usable ${tool} found. Tried: ${tried.join('; ')}. ` +
      `Install ffmpeg (e.g. \`apt-get install ffmpeg\`), reinstall this package's npm dependencies, ` +
      `or set ${ENV_NAME[tool]} to a ${tool} binary.`,
  );
}

/**
 * ffprobe only demuxes (lists packets, reads stream headers), where a newer build buys nothing,
 * and it runs for every read: the first working candidate in search order wins, so the static npm
 * build (a few ms to start) goes before a dynamically linked system one (Debian's: about 80 ms on
 * an idle machine, 0.5 s under load, every call).
 */
function firstOf(working: ResolvedBinary[]): ResolvedBinary {
  const best = working[0] as ResolvedBinary;
  if (working.length === 1) return best;
  const others = working.slice(1).map((binary) => binary.origin);
  return { ...best, choice: `taken before ${others.join(', ')}: ffprobe only demuxes, and a static build starts fastest` };
}

/** The candidate with the newest libavcodec (the earlier one on a tie or an unknown version). */
function newest(working: ResolvedBinary[]): ResolvedBinary {
  let best = working[0] as ResolvedBinary;
  for (const binary of working.slice(1)) {
    if (compareVersions(binary.libavcodec, best.libavcodec) > 0) best = binary;
  }
  if (working.length === 1) return best;
  const others = working.filter((binary) => binary !== best);
  const describe = (binary: ResolvedBinary): string => `${binary.origin} (libavcodec ${binary.libavcodec ?? 'unknown'})`;
  return { ...best, choice: `libavcodec ${best.libavcodec ?? 'unknown'}, newest of it and ${others.map(describe).join(', ')}` };
}

function compareVersions(a: string | undefined, b: string | undefined): number {
  if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? -1 : 1;
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

function sourceLabel(tool: FfmpegTool, source: FfmpegSearchSource): string {
  switch (source) {
    case 'ffmpeg-static':
      return 'npm package ffmpeg-static';
    case 'npm-package':
      return tool === 'ffmpeg' ? 'npm package @ffmpeg-installer/ffmpeg' : 'npm package ffprobe-static';
    case 'path':
      return 'PATH';
  }
}

function findCandidate(tool: FfmpegTool, source: FfmpegSearchSource, env: NodeJS.ProcessEnv): Candidate {
  const origin = sourceLabel(tool, source);
  const exe = process.platform === 'win32' ? `${tool}.exe` : tool;
  switch (source) {
    case 'ffmpeg-static': {
      if (tool === 'ffprobe') return { source, origin, path: { missing: 'ships no ffprobe' } };
      // Computed from the package directory rather than require()d: its entry point honours
      // FFMPEG_BIN and would hide whether the downloaded binary really exists.
      const dir = packageDir('ffmpeg-static');
      if (!dir) return { source, origin, path: { missing: 'not installed' } };
      const path = join(dir, exe);
      return isFile(path)
        ? { source, origin, path: [path] }
        : { source, origin, path: { missing: `no binary at ${path} (its install-time download did not run or failed)` } };
    }
    case 'npm-package': {
      // @ffprobe-installer/ffprobe (one platform's binary, 79 MB against ffprobe-static's 336 MB)
      // was tried in its place: its linux-x64 ffprobe (2023 build) segfaults on every MPEG-TS file.
      if (tool === 'ffmpeg') {
        const dir = packageDir('@ffmpeg-installer/ffmpeg');
        if (!dir) return { source, origin, path: { missing: 'not installed' } };
        const platformPackage = `@ffmpeg-installer/${process.platform}-${process.arch}`;
        const platformDir = packageDir(platformPackage, join(dir, 'package.json'));
        if (!platformDir) return { source, origin, path: { missing: `${platformPackage} is not installed (unsupported platform?)` } };
        const path = join(platformDir, exe);
        return isFile(path) ? { source, origin, path: [path] } : { source, origin, path: { missing: `no binary at ${path}` } };
      }
      const staticDir = packageDir('ffprobe-static');
      if (!staticDir) return { source, origin, path: { missing: 'not installed' } };
      const path = join(staticDir, 'bin', process.platform, process.arch, exe);
      return isFile(path) ? { source, origin, path: [path] } : { source, origin, path: { missing: `no binary at ${path}` } };
    }
    case 'path': {
      const found = searchPath(exe, env.PATH ?? '');
      return found.length > 0 ? { source, origin, path: found } : { source, origin, path: { missing: `no ${exe} in PATH` } };
    }
  }
}

function packageDir(name: string, from?: string): string | undefined {
  try {
    const resolver = from === undefined ? requireHere : createRequire(from);
    return dirname(resolver.resolve(`${name}/package.json`));
  } catch {
    return undefined;
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Every executable `exe` on PATH, in PATH order. */
function searchPath(exe: string, pathVariable: string): string[] {
  const found: string[] = [];
  for (const dir of pathVariable.split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, exe);
    try {
      if (!statSync(candidate).isFile()) continue;
      accessSync(candidate, constants.X_OK);
      if (!found.includes(candidate)) found.push(candidate);
    } catch {
      // not here
    }
  }
  return found;
}

/** Run `<binary> -version`; a binary that does not start or exits non-zero is not usable. */
function checkBinary(tool: FfmpegTool, path: string): Promise<{ version: string; libavcodec?: string } | { reason: string }> {
  return new Promise((resolve) => {
    execFile(path, ['-version'], { timeout: VERSION_TIMEOUT_MS, windowsHide: true }, (error, stdout) => {
      if (error) {
        const code = (error as NodeJS.ErrnoException).code;
        resolve({
          reason:
            code === 'ENOENT'
              ? 'no such file'
              : code === 'EACCES'
                ? 'not executable'
                : error.killed
                  ? `no answer to -version within ${VERSION_TIMEOUT_MS} ms`
                  : `-version failed: ${error.message.split('\n')[0] ?? ''}`,
        });
        return;
      }
      const match = /\b(ffmpeg|ffprobe) version (\S+)/.exec(stdout);
      if (!match) {
        resolve({ reason: `-version did not print "${tool} version …"` });
        return;
      }
      if (match[1] !== tool) {
        resolve({ reason: `it is ${match[1]}, not ${tool}` });
        return;
      }
      const lib = /^libavcodec\s+(\d+)\.\s*(\d+)\.\s*(\d+)/m.exec(stdout);
      resolve({ version: match[2] ?? 'unknown', ...(lib && { libavcodec: `${lib[1]}.${lib[2]}.${lib[3]}` }) });
    });
  });
}

// Run-time choice of the TensorFlow.js backend: the native builds when their binding
// loads, else WebAssembly, else the pure-JS CPU backend. One log line says what was
// chosen and why the faster ones were skipped.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

import { tf } from './tf.js';

/** Backend names in the order `auto` tries them (fastest first). */
export type BackendName = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';
export type BackendPreference = BackendName | 'auto';

export const BACKEND_ORDER: readonly BackendName[] = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];

/** Environment variables read (in this order) when the preference is absent or `auto`. */
export const BACKEND_ENV_VARS = ['VIDEO_R1_BACKEND', 'TFJS_BACKEND'] as const;

export type BackendSource = 'argument' | (typeof BACKEND_ENV_VARS)[number] | 'default';

export interface SelectBackendOptions {
  /** Where the env override is read from (default `process.env`). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Receives the one log line (default: stderr). `false` silences it. */
  log?: ((line: string) => void) | false;
  /**
   * When an explicitly requested backend cannot be used: `false` (default) throws a
   * `BackendUnavailableError`; `true` continues down the order from that backend and
   * says so in the log line.
   */
  fallback?: boolean;
  /**
   * How messages name an explicit `preference`, e.g. `--backend` when an app passes its
   * flag through (messages then say `requested by --backend cpu`). Default
   * `selectBackend("cpu")`.
   */
  argumentLabel?: string;
}

export interface SkippedBackend {
  name: BackendName;
  reason: string;
}

export interface SelectedBackend {
  name: BackendName;
  /** The shared tfjs-core namespace, now running on `name`. */
  tf: typeof tf;
  /** `tf.getBackend()` after selection (`tensorflow` for both native builds). */
  tfBackend: string;
  requested: BackendPreference;
  source: BackendSource;
  /** Faster backends that were tried first and why they could not be used. */
  skipped: SkippedBackend[];
  /** The line that was logged. */
  logLine: string;
}

export class BackendUnavailableError extends Error {
  override readonly name = 'BackendUnavailableError';
  readonly code = 'BACKEND_UNAVAILABLE';
  constructor(
    readonly backend: BackendName,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

const ALIASES: Readonly<Record<string, BackendPreference>> = {
  auto: 'auto',
  'tensorflow-gpu': 'tensorflow-gpu',
  'tfjs-node-gpu': 'tensorflow-gpu',
  'node-gpu': 'tensorflow-gpu',
  gpu: 'tensorflow-gpu',
  tensorflow: 'tensorflow',
  'tfjs-node': 'tensorflow',
  node: 'tensorflow',
  wasm: 'wasm',
  cpu: 'cpu',
};

/**
 * Parses a user-supplied backend name (flag or env value). Accepts the canonical names,
 * `auto`, and the package-style aliases `tfjs-node`, `tfjs-node-gpu`, `node`, `node-gpu`, `gpu`.
 */
export function parseBackendPreference(value: string, source = 'backend'): BackendPreference {
  const parsed = ALIASES[value.trim().toLowerCase()];
  if (parsed === undefined) {
    throw new Error(
      `${source}=${JSON.stringify(value)} is not a TensorFlow.js backend; use one of ` +
        `${[...BACKEND_ORDER, 'auto'].join(', ')}.`,
    );
  }
  return parsed;
}

// Resolves packages relative to this package, in both builds. The native builds are optional
// peers that the app installs, so they are also looked up from the app's working directory
// (a pnpm workspace app does not share node_modules with this package).
const requireHere = createRequire(import.meta.url);
const requireFromApp = createRequire(path.join(process.cwd(), 'noop.js'));

type Attempt = { ok: true } | { ok: false; reason: string };

const NATIVE_PACKAGES = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
} as const;

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0]?.trim() ?? text;
}

interface Located {
  dir: string;
  load: () => unknown;
}

function locate(id: string, from: readonly NodeJS.Require[] = [requireHere]): Located | undefined {
  for (const req of from) {
    try {
      const dir = path.dirname(req.resolve(`${id}/package.json`));
      return { dir, load: () => req(id) };
    } catch {
      // not resolvable from here; try the next place
    }
  }
  return undefined;
}

/**
 * Where node-pre-gyp puts the tfjs-node binding: lib/napi-v<N>/tfjs_binding.node with N
 * the highest N-API version the package ships that this Node supports.
 */
function nativeBindingPath(dir: string): string | undefined {
  const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
    binary?: { module_name?: string; module_path?: string; napi_versions?: number[] };
  };
  const binary = manifest.binary;
  if (!binary?.module_path || !binary.module_name) return undefined;
  const nodeNapi = Number(process.versions.napi ?? 0);
  const napi = Math.max(...(binary.napi_versions ?? []).filter((v) => v <= nodeNapi));
  if (!Number.isFinite(napi)) return undefined;
  return path.join(dir, binary.module_path.replace('{napi_build_version}', String(napi)), `${binary.module_name}.node`);
}

async function activate(backend: string): Promise<Attempt> {
  if (tf.findBackendFactory(backend) === null) {
    return { ok: false, reason: `backend "${backend}" is not registered with this @tensorflow/tfjs-core` };
  }
  // setBackend returns false (after a tfjs warning) when the backend fails to initialise.
  const ok = await tf.setBackend(backend);
  if (!ok || tf.getBackend() !== backend) {
    return { ok: false, reason: `initialisation failed (tf.getBackend() is ${tf.getBackend()})` };
  }
  return { ok: true };
}

async function tryNative(name: 'tensorflow-gpu' | 'tensorflow'): Promise<Attempt> {
  const id = NATIVE_PACKAGES[name];
  const found = locate(id, [requireHere, requireFromApp]);
  if (found === undefined) return { ok: false, reason: `${id} not installed` };
  const { dir } = found;
  // Check the binding file before loading the package: a failed load leaves half of
  // its kernels registered and prints hundreds of warnings.
  const binding = nativeBindingPath(dir);
  if (binding === undefined || !existsSync(binding)) {
    return { ok: false, reason: 'native binding not installed' };
  }
  try {
    found.load();
  } catch (error) {
    return { ok: false, reason: `native binding does not load: ${firstLine(error)}` };
  }
  return activate('tensorflow');
}

let wasmPathsSet = false;

async function tryWasm(): Promise<Attempt> {
  const id = '@tensorflow/tfjs-backend-wasm';
  const found = locate(id);
  if (found === undefined) return { ok: false, reason: `${id} not installed` };
  const distDir = path.join(found.dir, 'dist');
  if (!existsSync(path.join(distDir, 'tfjs-backend-wasm.wasm'))) {
    return { ok: false, reason: `no .wasm binaries in ${distDir}` };
  }
  let wasm: { setWasmPaths(prefix: string): void };
  try {
    wasm = found.load() as typeof wasm;
  } catch (error) {
    return { ok: false, reason: `${id} does not load: ${firstLine(error)}` };
  }
  if (!wasmPathsSet && tf.engine().registry['wasm'] === undefined) {
    // In Node the backend otherwise looks for the .wasm files next to the caller's
    // script. Emscripten reads a plain file path with fs, so a directory prefix with a
    // trailing separator is all it needs (no file:// URL, no fetch).
    try {
      wasm.setWasmPaths(distDir + path.sep);
    } catch (error) {
      // Only after an aborted initialisation, which will not succeed on a retry either.
      return { ok: false, reason: firstLine(error) };
    }
    wasmPathsSet = true;
  }
  return activate('wasm');
}

function tryBackend(name: BackendName): Promise<Attempt> {
  switch (name) {
    case 'tensorflow-gpu':
    case 'tensorflow':
      return tryNative(name);
    case 'wasm':
      return tryWasm();
    case 'cpu':
      return activate('cpu');
  }
}

/** The CPU backend greets its first tensor with advice to install tfjs-node; our log line already says why it is not used. */
function silenceCpuGreeting(): void {
  const env = tf.env();
  const previous = env.getBool('IS_TEST');
  env.set('IS_TEST', true);
  try {
    tf.tensor1d([0]).dispose();
  } finally {
    env.set('IS_TEST', previous);
  }
}

interface ResolvedPreference {
  requested: BackendPreference;
  source: BackendSource;
  raw?: string;
}

function resolvePreference(
  preference: BackendPreference | undefined,
  env: Readonly<Record<string, string | undefined>>,
): ResolvedPreference {
  if (preference !== undefined && preference !== 'auto') {
    return { requested: parseBackendPreference(preference, 'backend'), source: 'argument', raw: preference };
  }
  for (const name of BACKEND_ENV_VARS) {
    const value = env[name];
    if (value !== undefined && value.trim() !== '') {
      return { requested: parseBackendPreference(value, name), source: name, raw: value };
    }
  }
  return { requested: 'auto', source: 'default' };
}

let current: { key: string; result: SelectedBackend } | undefined;
// Selections change a process-wide setting; running them one at a time keeps two
// concurrent callers from interleaving setBackend calls.
let queue: Promise<unknown> = Promise.resolve();

/**
 * Chooses and activates the TensorFlow.js backend.
 *
 * Order for `auto`: tensorflow-gpu (`@tensorflow/tfjs-node-gpu`, when its native binding
 * loads), tensorflow (`@tensorflow/tfjs-node`), wasm (`@tensorflow/tfjs-backend-wasm`,
 * verified with `tf.getBackend() === 'wasm'`), cpu. An explicit `preference` wins over
 * `VIDEO_R1_BACKEND`, which wins over `TFJS_BACKEND`; `auto` or no preference defers
 * to them. An explicit backend that cannot load throws `BackendUnavailableError` unless
 * `fallback: true`.
 *
 * Calling it again with the same resolved choice while that backend is still active
 * returns the first result without logging again; a different choice switches the
 * process-wide backend and logs its own line.
 */
export function selectBackend(
  preference?: BackendPreference,
  options: SelectBackendOptions = {},
): Promise<SelectedBackend> {
  let resolved: ResolvedPreference;
  try {
    resolved = resolvePreference(preference, options.env ?? process.env);
  } catch (error) {
    return Promise.reject(error);
  }
  const key = `${resolved.requested}|${options.fallback === true}`;
  const run = queue.then(async () => {
    if (current !== undefined && current.key === key && tf.getBackend() === current.result.tfBackend) {
      return current.result;
    }
    const result = await doSelect(resolved, options);
    current = { key, result };
    return result;
  });
  queue = run.catch(() => undefined);
  return run;
}

async function doSelect(
  resolved: ResolvedPreference,
  options: SelectBackendOptions,
): Promise<SelectedBackend> {
  const { requested, source } = resolved;
  const sourceLabel =
    source === 'argument'
      ? options.argumentLabel !== undefined
        ? `${options.argumentLabel} ${resolved.raw}`
        : `selectBackend(${JSON.stringify(resolved.raw)})`
      : source === 'default'
        ? 'auto'
        : `${source}=${resolved.raw}`;
  const start = requested === 'auto' ? 0 : BACKEND_ORDER.indexOf(requested);
  const candidates = requested === 'auto' || options.fallback === true ? BACKEND_ORDER.slice(start) : [requested];
  const skipped: SkippedBackend[] = [];

  for (const name of candidates) {
    const attempt = await tryBackend(name);
    if (!attempt.ok) {
      skipped.push({ name, reason: attempt.reason });
      continue;
    }
    if (name === 'cpu') silenceCpuGreeting();
    const why = [
      requested === 'auto' ? sourceLabel : `requested by ${sourceLabel}`,
      ...skipped.map((s) => `${s.name}: ${s.reason}`),
    ].join('; ');
    const logLine = `[tensor] backend: ${name} (${why})`;
    if (options.log !== false) (options.log ?? ((line: string) => process.stderr.write(`${line}\n`)))(logLine);
    return { name, tf, tfBackend: tf.getBackend(), requested, source, skipped, logLine };
  }

  const failed = skipped.map((s) => `${s.name}: ${s.reason}`).join('; ');
  const backend = candidates[0] ?? 'cpu';
  const reason = skipped[0]?.reason ?? 'unknown';
  const nativeId = backend === 'tensorflow' || backend === 'tensorflow-gpu' ? NATIVE_PACKAGES[backend] : undefined;
  // The native builds are optional peer dependencies: an app opts in by installing one.
  const hint =
    nativeId === undefined
      ? ''
      : reason.endsWith('not installed') && !reason.startsWith('native')
        ? ` Install it beside @video-r1/tensor (e.g. 'pnpm add ${nativeId}@4.22.0'); its install script ` +
          `downloads the native binding from storage.googleapis.com.`
        : ` ${nativeId} needs its native binding, which its install script downloads from ` +
          `storage.googleapis.com; run 'npm rebuild ${nativeId}' where that host is reachable.`;
  throw new BackendUnavailableError(
    backend,
    reason,
    `TensorFlow.js backend "${requested}" (requested by ${sourceLabel}) cannot be used here: ${failed}.${hint} ` +
      `Choose another backend (${[...BACKEND_ORDER, 'auto'].join(', ')}) or pass { fallback: true } to fall back ` +
      `along ${BACKEND_ORDER.join(' > ')}.`,
  );
}

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import { outOfRangeNumbers } from '@video-r1/cli-kit';
import { presetConfig, PRESET_NAMES } from './presets.js';
import { trainerConfigSchema } from './schema.js';
import type { PartialConfig, PresetName, TrainerConfig } from './types.js';

/** A configuration mistake, reported before any work starts. `fields` are dotted paths (`rl.lr`). */
export class ConfigError extends Error {
  readonly fields: string[];
  constructor(message: string, fields: string[]) {
    super(message);
    this.name = 'ConfigError';
    this.fields = fields;
  }
}

const ajv = new Ajv({ allErrors: true, strict: true });
const validateSchema = ajv.compile<TrainerConfig>(trainerConfigSchema);

/** `/rl/lengthControl/minLength` → `rl.lengthControl.minLength`. */
function fieldOf(error: ErrorObject): string {
  const base = error.instancePath.split('/').slice(1).join('.');
  if (error.keyword === 'additionalProperties') {
    const extra = (error.params as { additionalProperty: string }).additionalProperty;
    return base ? `${base}.${extra}` : extra;
  }
  if (error.keyword === 'required') {
    const missing = (error.params as { missingProperty: string }).missingProperty;
    return base ? `${base}.${missing}` : missing;
  }
  return base || '(root)';
}

function valueAt(config: unknown, field: string): unknown {
  let node: unknown = config;
  for (const key of field.split('.')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

function describeError(error: ErrorObject, config: unknown): { field: string; text: string } {
  const field = fieldOf(error);
  switch (error.keyword) {
    case 'additionalProperties':
      return { field, text: `${field}: unknown setting (check the spelling; see the README for the schema)` };
    case 'required':
      return { field, text: `${field}: missing` };
    default: {
      const got = JSON.stringify(valueAt(config, field));
      const allowed =
        error.keyword === 'enum' ? ` (${(error.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(' | ')})` : '';
      return { field, text: `${field}: ${error.message ?? 'invalid'}${allowed}, got ${got}` };
    }
  }
}

/**
 * Schema errors, with the `anyOf` noise of nullable/'auto' fields folded into one line per field.
 */
function schemaErrors(config: unknown): { field: string; text: string }[] {
  if (validateSchema(config)) return [];
  const errors = validateSchema.errors ?? [];
  const byField = new Map<string, { field: string; text: string }>();
  for (const error of errors) {
    const described = describeError(error, config);
    const previous = byField.get(described.field);
    // Prefer the specific message ("must be >= 1") over anyOf's generic "must match a schema in anyOf".
    if (!previous || (previous.text.includes('anyOf') && !described.text.includes('anyOf'))) {
      byField.set(described.field, described);
    }
  }
  return [...byField.values()];
}

/** Rules that the schema cannot express, each naming its field. */
function crossFieldErrors(config: TrainerConfig): { field: string; text: string }[] {
  const errors: { field: string; text: string }[] = [];
  if (config.data.source === 'files' && config.data.files === null) {
    errors.push({ field: 'data.files', text: 'data.files: required when data.source is "files" (train, test paths)' });
  }
  const { minLength, maxLength } = config.rl.lengthControl;
  if (typeof minLength === 'number' && typeof maxLength === 'number' && minLength > maxLength) {
    errors.push({
      field: 'rl.lengthControl.minLength',
      text: `rl.lengthControl.minLength: must be <= rl.lengthControl.maxLength (${minLength} > ${maxLength})`,
    });
  }
  if (config.rl.algo === 'tgrpo' && Math.floor(config.rl.numGenerations / 2) < 1) {
    errors.push({ field: 'rl.numGenerations', text: 'rl.numGenerations: T-GRPO needs at least 2 (half of them run on shuffled frames)' });
  }
  if (config.video.minFrames > config.video.frames) {
    errors.push({ field: 'video.minFrames', text: `video.minFrames: must be <= video.frames (${config.video.minFrames} > ${config.video.frames})` });
  }
  const { outputSize } = config.video;
  if (outputSize && (outputSize.height % 2 !== 0 || outputSize.width % 2 !== 0)) {
    errors.push({ field: 'video.outputSize', text: 'video.outputSize: height and width must be even' });
  }
  return errors;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Recursive merge: objects merge key by key, everything else (arrays, null, scalars) replaces. */
export function mergeConfig<T>(base: T, override: unknown): T {
  if (!isPlainObject(base) || !isPlainObject(override)) return (override === undefined ? base : override) as T;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) {
    if (value === undefined) continue;
    out[key] = key in base ? mergeConfig(base[key], value) : value;
  }
  return out as T;
}

export interface ConfigSources {
  /** Path of a JSON config file (`--config`). */
  file?: string | undefined;
  /** Overrides from CLI flags, applied last. */
  flags?: PartialConfig;
  /** Directory that relative paths given on the command line resolve against. */
  cwd?: string;
  /** Directory that the default `out` (`runs`) resolves against: the trainer app's directory. */
  appDir: string;
}

function readConfigFile(file: string): PartialConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`--config: cannot read config file ${file}: ${(error as Error).message}`, ['--config']);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`--config: config file ${file} is not valid JSON: ${(error as Error).message}`, ['--config']);
  }
  if (!isPlainObject(parsed)) throw new ConfigError(`--config: config file ${file} must hold a JSON object`, ['--config']);
  const outOfRange = outOfRangeNumbers(parsed);
  if (outOfRange.length > 0) throw new ConfigError(`invalid configuration (${file}):\n  - ${outOfRange.join('\n  - ')}`, outOfRange.map((line) => line.slice(0, line.indexOf(':'))));
  return parsed as PartialConfig;
}

type PathOrigin = 'flag' | 'file' | 'preset';

/**
 * Relative paths resolve against where they were written: flags against the caller's directory, a
 * config file's against that file's directory, the presets' against the caller's directory (the
 * default `out`, `runs`, against the trainer app so runs land in `apps/trainer/runs`).
 */
function resolvePaths(config: TrainerConfig, sources: { flags: PartialConfig; file: PartialConfig; fileDir: string | null; cwd: string; appDir: string }): void {
  const origin = (field: string): PathOrigin =>
    valueAt(sources.flags, field) !== undefined ? 'flag' : valueAt(sources.file, field) !== undefined ? 'file' : 'preset';
  const resolve = (field: string, value: string, presetBase = sources.cwd): string => {
    const from = origin(field);
    const base = from === 'flag' ? sources.cwd : from === 'file' ? (sources.fileDir ?? sources.cwd) : presetBase;
    return path.resolve(base, value);
  };
  config.out = resolve('out', config.out, sources.appDir);
  const files = config.data.files;
  if (files) {
    files.train = resolve('data.files.train', files.train);
    files.test = resolve('data.files.test', files.test);
    if (files.sft !== null) files.sft = resolve('data.files.sft', files.sft);
    if (files.validation !== null) files.validation = resolve('data.files.validation', files.validation);
    if (files.dataRoot !== null) files.dataRoot = resolve('data.files.dataRoot', files.dataRoot);
  }
  if (config.data.synthetic.dir !== null) config.data.synthetic.dir = resolve('data.synthetic.dir', config.data.synthetic.dir);
  if (config.sft.init !== null) config.sft.init = resolve('sft.init', config.sft.init);
  if (typeof config.model.dir === 'string') config.model.dir = resolve('model.dir', config.model.dir);
  const rollout = config.rl.rollout;
  if (typeof rollout === 'object' && typeof rollout.adapterDir === 'string') rollout.adapterDir = resolve('rl.rollout.adapterDir', rollout.adapterDir);
}

/**
 * A run directory's config.json written before a field existed, given that field's value for the
 * behaviour the run was started with, so that `--resume` continues it unchanged.
 */
export function upgradeRunConfig(config: unknown): unknown {
  if (typeof config !== 'object' || config === null) return config;
  const rl = (config as { rl?: unknown }).rl;
  if (typeof rl === 'object' && rl !== null && !('warmupRatio' in rl)) {
    // Runs from before rl.warmupRatio had no RL warm-up.
    return { ...config, rl: { ...rl, warmupRatio: 0 } };
  }
  return config;
}

/** Validates a complete config object (e.g. a run's config.json on resume). */
export function validateConfig(config: unknown, origin: string): TrainerConfig {
  const errors = schemaErrors(config);
  if (errors.length === 0) errors.push(...crossFieldErrors(config as TrainerConfig));
  if (errors.length > 0) {
    throw new ConfigError(`invalid configuration (${origin}):\n  - ${errors.map((e) => e.text).join('\n  - ')}`, errors.map((e) => e.field));
  }
  return config as TrainerConfig;
}

/**
 * Resolves the effective configuration: preset ← config file ← CLI flags, then validates it.
 * Throws {@link ConfigError} naming every offending field; nothing has been started at that point.
 */
export function resolveConfig(sources: ConfigSources): TrainerConfig {
  const cwd = sources.cwd ?? process.cwd();
  const flags = sources.flags ?? {};
  const filePath = sources.file ? path.resolve(cwd, sources.file) : null;
  const fromFile = filePath ? readConfigFile(filePath) : {};
  const presetName = (flags.preset ?? fromFile.preset ?? 'default') as PresetName;
  if (!PRESET_NAMES.includes(presetName)) {
    const field = flags.preset !== undefined ? '--preset' : 'preset';
    throw new ConfigError(`${field}: unknown preset ${JSON.stringify(presetName)} (${PRESET_NAMES.join(' | ')})`, [field]);
  }
  const merged = mergeConfig(mergeConfig(presetConfig(presetName), fromFile), flags);
  merged.preset = presetName;
  const origin = filePath ? `preset ${presetName} + ${filePath} + flags` : `preset ${presetName} + flags`;
  const config = validateConfig(merged, origin);
  resolvePaths(config, { flags, file: fromFile, fileDir: filePath ? path.dirname(filePath) : null, cwd, appDir: sources.appDir });
  return config;
}

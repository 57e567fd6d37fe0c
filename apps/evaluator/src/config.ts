/**
 * Settings of an evaluation: defaults < config file (`--config`, validated by ajv) < flags.
 * Every error names the field (or flag) and what is expected.
 */
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import type { ErrorObject } from 'ajv';
import { outOfRangeNumbers } from '@video-r1/cli-kit';
import type { ScoringProfile } from '@video-r1/eval';

export type Backend = 'auto' | 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';

export interface EvaluatorConfig {
  /** Endpoint URL (`http://host:8000/v1`), a checkpoint directory, or unset (trainer's latest, else untrained). */
  model?: string;
  /** Model name sent to an endpoint (default: the first one it lists). */
  modelName?: string;
  /** A PEFT LoRA adapter directory applied to the Qwen2.5-VL checkpoint of `model`. */
  adapter?: string;
  /** Benchmark names (`vsibench`, …, `synthetic`) or paths to Video-R1-eval JSON files. */
  benchmarks?: string[];
  /** Video-R1's `src/r1-v`: holds `Evaluation/eval_<benchmark>.json` and the media they name. */
  dataRoot?: string;
  frames: number[];
  maxPixels: number;
  limit?: number;
  concurrency: number;
  batchSize?: number;
  out?: string;
  resume: boolean;
  /** Largest share of failed answers (model errors) a run may have and still exit 0. */
  maxFailedRatio: number;
  profile: ScoringProfile;
  decoding: { temperature: number; top_p: number; max_tokens: number; [extra: string]: unknown };
  media: 'frames' | 'video_url';
  timeoutMs: number;
  maxRetries: number;
  apiKeyEnv: string;
  backend: Backend;
  seed: number;
}

export const DEFAULTS: EvaluatorConfig = {
  frames: [16],
  maxPixels: 256 * 28 * 28,
  concurrency: 4,
  resume: false,
  maxFailedRatio: 0.1,
  profile: 'video-r1',
  decoding: { temperature: 0.01, top_p: 0.001, max_tokens: 1024 },
  media: 'frames',
  timeoutMs: 300_000,
  maxRetries: 5,
  apiKeyEnv: 'OPENAI_API_KEY',
  backend: 'auto',
  seed: 0,
};

/** JSON Schema of the config file (also applied to flags after parsing). */
export const CONFIG_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    $schema: { type: 'string' },
    model: { type: 'string', minLength: 1 },
    modelName: { type: 'string', minLength: 1 },
    adapter: { type: 'string', minLength: 1 },
    benchmarks: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } },
    dataRoot: { type: 'string', minLength: 1 },
    frames: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'integer', minimum: 2, maximum: 768 } },
    maxPixels: { type: 'integer', minimum: 3136 },
    limit: { type: 'integer', minimum: 1 },
    concurrency: { type: 'integer', minimum: 1, maximum: 512 },
    batchSize: { type: 'integer', minimum: 1 },
    out: { type: 'string', minLength: 1 },
    resume: { type: 'boolean' },
    maxFailedRatio: { type: 'number', minimum: 0, maximum: 1 },
    profile: { enum: ['video-r1', 'lmms-eval'] },
    decoding: {
      type: 'object',
      properties: {
        temperature: { type: 'number', minimum: 0 },
        top_p: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
        max_tokens: { type: 'integer', minimum: 1 },
      },
    },
    media: { enum: ['frames', 'video_url'] },
    timeoutMs: { type: 'integer', minimum: 1 },
    maxRetries: { type: 'integer', minimum: 0, maximum: 100 },
    apiKeyEnv: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$' },
    backend: { enum: ['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] },
    seed: { type: 'integer' },
  },
} as const;

const ajv = new Ajv({ allErrors: true });
const validate = ajv.compile(CONFIG_SCHEMA);

/** Thrown for a bad config file or flag; `problems` lists every one, each naming its field. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`${source}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** `/frames/1` → `frames[1]`; `/decoding/top_p` → `decoding.top_p`. */
function fieldName(instancePath: string, fieldLabel: (field: string) => string): string {
  const parts = instancePath.split('/').slice(1);
  if (parts.length === 0) return '(top level)';
  let name = fieldLabel(parts[0]!);
  for (const part of parts.slice(1)) name += /^\d+$/.test(part) ? `[${part}]` : `.${part}`;
  return name;
}

function describe(error: ErrorObject, fieldLabel: (field: string) => string): string {
  const field = fieldName(error.instancePath, fieldLabel);
  switch (error.keyword) {
    case 'additionalProperties': {
      const extra = (error.params as { additionalProperty: string }).additionalProperty;
      return `unknown field "${extra}"${error.instancePath ? ` in ${field}` : ''}; known fields: ${Object.keys(CONFIG_SCHEMA.properties).filter((k) => k !== '$schema').join(', ')}`;
    }
    case 'enum':
      return `${field} must be one of ${(error.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
    default:
      return `${field} ${error.message ?? 'is invalid'}`;
  }
}

/** Validates settings (from a file or from flags); throws `ConfigError` listing each bad field. */
export function validateConfig(value: unknown, source: string, fieldLabel: (field: string) => string = (f) => f): Partial<EvaluatorConfig> {
  if (validate(value)) return value as Partial<EvaluatorConfig>;
  const problems = (validate.errors ?? []).map((e) => describe(e, fieldLabel));
  throw new ConfigError(source, [...new Set(problems)]);
}

/** Reads and validates a JSON config file. */
export function readConfigFile(path: string): Partial<EvaluatorConfig> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(path, [`cannot read the config file: ${(error as Error).message}`]);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(path, [`not valid JSON: ${(error as Error).message}`]);
  }
  const outOfRange = outOfRangeNumbers(parsed);
  if (outOfRange.length > 0) throw new ConfigError(path, outOfRange);
  return validateConfig(parsed, path);
}

/** Flags as citty hands them over (strings and booleans), before parsing. */
export interface RawFlags {
  config?: string;
  model?: string;
  modelName?: string;
  adapter?: string;
  benchmarks?: string;
  dataRoot?: string;
  frames?: string;
  maxPixels?: string;
  limit?: string;
  concurrency?: string;
  batchSize?: string;
  out?: string;
  resume?: boolean;
  maxFailedRatio?: string;
  profile?: string;
  temperature?: string;
  topP?: string;
  maxTokens?: string;
  media?: string;
  timeoutMs?: string;
  maxRetries?: string;
  apiKeyEnv?: string;
  backend?: string;
  seed?: string;
}

const FLAG_OF: Record<string, string> = {
  model: '--model',
  modelName: '--model-name',
  adapter: '--adapter',
  benchmarks: '--benchmarks',
  dataRoot: '--data-root',
  frames: '--frames',
  maxPixels: '--max-pixels',
  limit: '--limit',
  concurrency: '--concurrency',
  batchSize: '--batch-size',
  out: '--out',
  resume: '--resume',
  maxFailedRatio: '--max-failed-ratio',
  profile: '--profile',
  media: '--media',
  timeoutMs: '--timeout-ms',
  maxRetries: '--max-retries',
  apiKeyEnv: '--api-key-env',
  backend: '--backend',
  seed: '--seed',
  decoding: '--temperature/--top-p/--max-tokens',
};

function list(flag: string, text: string): string[] {
  const items = text.split(',').map((s) => s.trim());
  if (items.some((s) => s === '')) throw new ConfigError('command line', [`${flag} expects a comma-separated list without empty items, got ${JSON.stringify(text)}`]);
  return items;
}

function number(flag: string, text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) throw new ConfigError('command line', [`${flag} expects a number, got ${JSON.stringify(text)}`]);
  return value;
}

/** Turns flag strings into config values, then validates them with the same schema. */
export function configFromFlags(flags: RawFlags): Partial<EvaluatorConfig> {
  const out: Record<string, unknown> = {};
  const copy = (key: keyof RawFlags & keyof EvaluatorConfig): void => {
    if (flags[key] !== undefined) out[key] = flags[key];
  };
  for (const key of ['model', 'modelName', 'adapter', 'dataRoot', 'out', 'profile', 'media', 'apiKeyEnv', 'backend'] as const) copy(key);
  if (flags.resume) out.resume = true;
  if (flags.benchmarks !== undefined) out.benchmarks = list('--benchmarks', flags.benchmarks);
  if (flags.frames !== undefined) out.frames = list('--frames', flags.frames).map((f) => number('--frames', f));
  const numeric = [
    ['maxPixels', '--max-pixels'],
    ['limit', '--limit'],
    ['concurrency', '--concurrency'],
    ['batchSize', '--batch-size'],
    ['timeoutMs', '--timeout-ms'],
    ['maxRetries', '--max-retries'],
    ['maxFailedRatio', '--max-failed-ratio'],
    ['seed', '--seed'],
  ] as const;
  for (const [key, flag] of numeric) if (flags[key] !== undefined) out[key] = number(flag, flags[key]);
  const decoding: Record<string, number> = {};
  if (flags.temperature !== undefined) decoding.temperature = number('--temperature', flags.temperature);
  if (flags.topP !== undefined) decoding.top_p = number('--top-p', flags.topP);
  if (flags.maxTokens !== undefined) decoding.max_tokens = number('--max-tokens', flags.maxTokens);
  if (Object.keys(decoding).length > 0) out.decoding = decoding;
  return validateConfig(out, 'command line', (field) => FLAG_OF[field] ?? field);
}

/** Defaults, then the file, then the flags; `decoding` is merged key by key. */
export function resolveConfig(file: Partial<EvaluatorConfig>, flags: Partial<EvaluatorConfig>): EvaluatorConfig {
  const merged: EvaluatorConfig = { ...DEFAULTS, ...file, ...flags };
  merged.decoding = { ...DEFAULTS.decoding, ...file.decoding, ...flags.decoding };
  return merged;
}

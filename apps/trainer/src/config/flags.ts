import type { ArgsDef, ParsedArgs } from 'citty';
import { ConfigError } from './resolve.js';
import type { Algo, BackendPreference, PartialConfig, PresetName } from './types.js';

/** Flags of `pnpm --filter trainer start` (citty definitions; values are parsed and checked below). */
export const trainArgs = {
  config: { type: 'string', description: 'JSON config file (validated; merged over the preset)', valueHint: 'file.json' },
  preset: { type: 'string', description: 'default | video-r1 | smoke | qwen-tiny', valueHint: 'name' },
  model: { type: 'string', description: 'a Qwen2.5-VL checkpoint directory (sets model.family qwen2.5-vl)', valueHint: 'dir' },
  rollout: { type: 'string', description: 'RL rollouts: local, or the base URL of an OpenAI-compatible server (vLLM)', valueHint: 'local|url' },
  algo: { type: 'string', description: 'RL algorithm: grpo | tgrpo', valueHint: 'algo' },
  steps: { type: 'string', description: 'RL steps', valueHint: 'n' },
  'num-generations': { type: 'string', description: 'completions per prompt (G)', valueHint: 'n' },
  beta: { type: 'string', description: 'KL coefficient against the SFT reference', valueHint: 'x' },
  lr: { type: 'string', description: 'RL learning rate', valueHint: 'x' },
  frames: { type: 'string', description: 'maximum frames per video', valueHint: 'n' },
  backend: { type: 'string', description: 'auto | cpu | wasm | tensorflow | tensorflow-gpu', valueHint: 'name' },
  seed: { type: 'string', description: 'run seed (data order, sampling, init)', valueHint: 'n' },
  out: { type: 'string', description: 'directory of run directories (default apps/trainer/runs)', valueHint: 'dir' },
  'run-id': { type: 'string', description: 'run directory name (default <time>-<algo>-s<seed>)', valueHint: 'id' },
  'sft-init': { type: 'string', description: 'skip SFT: start RL from this SFT checkpoint directory', valueHint: 'dir' },
  resume: { type: 'string', description: 'continue a run: "latest" or a run directory', valueHint: 'latest|dir' },
} as const satisfies ArgsDef;

export type TrainArgs = ParsedArgs<typeof trainArgs>;

const camel = (flag: string) => flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
const KNOWN = new Set(Object.keys(trainArgs).flatMap((k) => [k, camel(k)]));

/** citty accepts unknown flags silently; a typo must stop the run before any work instead. */
export function checkUnknownFlags(args: Record<string, unknown> & { _: string[] }): void {
  const unknown = Object.keys(args).filter((k) => k !== '_' && !KNOWN.has(k));
  if (unknown.length > 0) {
    throw new ConfigError(`unknown flag${unknown.length > 1 ? 's' : ''}: ${unknown.map((k) => `--${k}`).join(', ')} (see --help)`, unknown.map((k) => `--${k}`));
  }
  if (args._.length > 0) {
    throw new ConfigError(`unexpected argument(s) ${args._.join(' ')}: flags take their value as --flag value (arguments)`, ['(arguments)']);
  }
}

function parseNumber(flag: string, raw: string, kind: 'integer' | 'number'): number {
  const trimmed = raw.trim();
  const value = trimmed === '' ? Number.NaN : Number(trimmed);
  if (!Number.isFinite(value) || (kind === 'integer' && !Number.isInteger(value))) {
    throw new ConfigError(`--${flag}: expected ${kind === 'integer' ? 'an integer' : 'a number'}, got ${JSON.stringify(raw)}`, [`--${flag}`]);
  }
  return value;
}

function oneOf<T extends string>(flag: string, raw: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(`--${flag}: expected ${allowed.join(' | ')}, got ${JSON.stringify(raw)}`, [`--${flag}`]);
  }
  return raw as T;
}

function nonEmpty(flag: string, raw: string): string {
  if (raw.trim() === '') throw new ConfigError(`--${flag}: needs a value`, [`--${flag}`]);
  return raw;
}

/**
 * CLI flags → a partial config. Range checks (steps >= 0, lr > 0, ...) are left to the schema so that
 * flag values and file values get the same messages; only the syntax is checked here.
 */
export function flagsToConfig(args: Partial<Record<keyof typeof trainArgs, string | undefined>>): PartialConfig {
  const config: PartialConfig = {};
  const rl: NonNullable<PartialConfig['rl']> = {};
  if (args.preset !== undefined) config.preset = nonEmpty('preset', args.preset) as PresetName;
  if (args.algo !== undefined) rl.algo = oneOf<Algo>('algo', args.algo, ['grpo', 'tgrpo']);
  if (args.steps !== undefined) rl.steps = parseNumber('steps', args.steps, 'integer');
  if (args['num-generations'] !== undefined) rl.numGenerations = parseNumber('num-generations', args['num-generations'], 'integer');
  if (args.beta !== undefined) rl.beta = parseNumber('beta', args.beta, 'number');
  if (args.lr !== undefined) rl.lr = parseNumber('lr', args.lr, 'number');
  if (Object.keys(rl).length > 0) config.rl = rl;
  if (args.frames !== undefined) config.video = { frames: parseNumber('frames', args.frames, 'integer') };
  if (args.backend !== undefined) {
    config.backend = oneOf<BackendPreference>('backend', args.backend, ['auto', 'cpu', 'wasm', 'tensorflow', 'tensorflow-gpu']);
  }
  if (args.seed !== undefined) config.seed = parseNumber('seed', args.seed, 'integer');
  if (args.out !== undefined) config.out = nonEmpty('out', args.out);
  if (args['run-id'] !== undefined) config.runId = nonEmpty('run-id', args['run-id']);
  if (args['sft-init'] !== undefined) config.sft = { init: nonEmpty('sft-init', args['sft-init']) };
  if (args.model !== undefined) config.model = { family: 'qwen2.5-vl', dir: nonEmpty('model', args.model) };
  if (args.rollout !== undefined) {
    const raw = nonEmpty('rollout', args.rollout);
    // The server serves the base model under the name `vllm serve <dir> --served-model-name base` gives it.
    config.rl = { ...config.rl, rollout: raw === 'local' ? 'local' : { server: raw, baseModel: 'base' } };
  }
  return config;
}

/** Flags that change the configuration: refused together with --resume (the run's config.json rules). */
export const CONFIG_FLAGS = Object.keys(trainArgs).filter((k) => k !== 'resume') as (keyof typeof trainArgs)[];

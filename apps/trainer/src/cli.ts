import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, renderUsage, type CommandDef } from 'citty';
import { CONFIG_FLAGS, checkUnknownFlags, flagsToConfig, trainArgs, type TrainArgs } from './config/flags.js';
import { preflight } from './config/preflight.js';
import { ConfigError, resolveConfig, upgradeRunConfig, validateConfig } from './config/resolve.js';
import type { TrainerConfig } from './config/types.js';
import { resolveRunToResume } from './run/resume.js';
import { createRunDir, readRunConfig, type RunPaths } from './run/run-dir.js';

/** The trainer app's directory (`apps/trainer`): default home of `runs/`. */
export const APP_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const trainCommand: CommandDef<typeof trainArgs> = {
  meta: {
    name: 'trainer',
    description: 'Video-R1 training: SFT cold start, then GRPO or T-GRPO, then test evaluation and a report.',
  },
  args: trainArgs,
};

export interface Invocation {
  config: TrainerConfig;
  paths: RunPaths;
  resumed: boolean;
}

/** The decoded-frame cache shared by runs: `$VIDEO_R1_CACHE/frames`, else `<repo>/.cache/frames`. */
export function frameCacheDir(): string {
  const env = process.env['VIDEO_R1_CACHE'];
  return env ? path.join(path.resolve(env), 'frames') : path.join(APP_DIR, '..', '..', '.cache', 'frames');
}

/** pnpm runs scripts in the package directory; paths typed by the user are relative to where they typed them. */
export function callerCwd(): string {
  return process.env['INIT_CWD'] ?? process.cwd();
}

/**
 * Parses and checks everything the command line says, before any work: flags, config file, presets,
 * the run directory (created fresh, or found for --resume). Throws ConfigError / RunDirError with the fix.
 */
export function prepareInvocation(rawArgs: string[]): Invocation {
  const args = parseArgs<typeof trainArgs>(rawArgs, trainArgs) as TrainArgs;
  checkUnknownFlags(args as unknown as Record<string, unknown> & { _: string[] });
  const cwd = callerCwd();
  if (args.resume !== undefined) {
    const conflicting = CONFIG_FLAGS.filter((flag) => flag !== 'out' && args[flag] !== undefined);
    if (conflicting.length > 0) {
      throw new ConfigError(
        `--resume continues a run with its own config.json; drop ${conflicting.map((f) => `--${f}`).join(', ')} (start a new run to change settings)`,
        conflicting.map((f) => `--${f}`),
      );
    }
    const out = args.out !== undefined ? path.resolve(cwd, args.out) : path.join(APP_DIR, 'runs');
    const spec = args.resume === '' || args.resume === 'latest' ? 'latest' : path.resolve(cwd, args.resume);
    const paths = resolveRunToResume(spec, out);
    const config = validateConfig(upgradeRunConfig(readRunConfig(paths)), paths.config);
    preflight(config);
    return { config, paths, resumed: true };
  }
  const config = resolveConfig({ file: args.config, flags: flagsToConfig(args), cwd, appDir: APP_DIR });
  preflight(config);
  return { config, paths: createRunDir(config), resumed: false };
}

export async function usage(): Promise<string> {
  return renderUsage(trainCommand);
}

#!/usr/bin/env node
/**
 * `pnpm --filter evaluator start [run] [flags]`   evaluate a model (default: the trainer's newest
 *                                                 checkpoint, else the untrained policy) on the
 *                                                 embedded synthetic test set or Video-R1's benchmarks;
 * `pnpm --filter evaluator start score <file…>`   re-score existing output files (Video-R1's too);
 * `pnpm --filter evaluator start annotate …`      CoT annotation (Video-R1's generate_cot_vllm.py).
 */
import { defineCommand, runCommand as runCittyCommand, runMain } from 'citty';
import { annotateCommand } from './annotate-command.js';
import { ConfigError } from './config.js';
import { runCommand } from './run-command.js';
import { scoreCommand } from './score-command.js';

const main = defineCommand({
  meta: { name: 'evaluator', description: 'Score models on the Video-R1 benchmarks, as eval_bench.py does, resumably.' },
  subCommands: { run: runCommand, score: scoreCommand, annotate: annotateCommand },
  default: 'run',
});

// `run` is the default command. citty would take the first non-flag word as a command name even
// when it is a flag's value (`--model http://…`), so the command is made explicit here.
const COMMANDS = new Set(['run', 'score', 'annotate']);
const argv = process.argv.slice(2);
const rawArgs = argv.length === 0 || COMMANDS.has(argv[0]!) || argv[0] === '--help' || argv[0] === '-h' ? argv : ['run', ...argv];

if (rawArgs.includes('--help') || rawArgs.includes('-h')) {
  await runMain(main, { rawArgs });
} else {
  try {
    await runCittyCommand(main, { rawArgs });
  } catch (error) {
    // Errors here are meant for the user (they name the file, field or flag): no stack trace.
    console.error(error instanceof ConfigError ? error.message : `evaluator: ${(error as Error).message ?? String(error)}`);
    if (process.env.DEBUG && error instanceof Error) console.error(error.stack);
    process.exitCode = error instanceof ConfigError ? 2 : 1;
  }
}

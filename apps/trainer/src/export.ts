// `pnpm --filter trainer export <run dir> [--out <dir>] [--checkpoint <name>]`: a Qwen2.5-VL run's
// adapter merged into a full Hugging Face checkpoint (see src/qwen/export.ts).
import { parseArgs } from 'citty';

import { callerCwd } from './cli.js';
import { ExportError, exportQwenRun } from './qwen/export.js';
import path from 'node:path';

const args = {
  run: { type: 'positional', description: 'the run directory', required: true },
  out: { type: 'string', description: 'where the merged checkpoint goes (default <run>/export)', valueHint: 'dir' },
  checkpoint: { type: 'string', description: 'checkpoint name (default: the newest, e.g. final)', valueHint: 'name' },
} as const;

async function main(argv: string[]): Promise<number> {
  const parsed = parseArgs(argv, args);
  const cwd = callerCwd();
  try {
    const result = await exportQwenRun(path.resolve(cwd, String(parsed.run)), {
      ...(parsed.out === undefined ? {} : { out: path.resolve(cwd, parsed.out) }),
      ...(parsed.checkpoint === undefined ? {} : { checkpoint: parsed.checkpoint }),
    });
    process.stderr.write(`export: ${result.checkpoint}${result.merged ? ' (adapter merged)' : ''} → ${result.out}\n`);
    process.stdout.write(`${result.out}\n`);
    return 0;
  } catch (error) {
    if (error instanceof ExportError) {
      process.stderr.write(`export: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`export: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);

// `pnpm --filter trainer export <run dir> [--out <dir>] [--checkpoint <name>]`: the LoRA adapter of
// a Qwen2.5-VL run merged into its SFT model (W += (α/r)·B·A), written as a full Hugging Face
// checkpoint (config.json, safetensors, tokenizer and chat template files) that the evaluator,
// transformers and vLLM load without PEFT.
import { existsSync } from 'node:fs';
import path from 'node:path';

import { runPaths } from '../run/run-dir.js';
import { QwenCheckpoints } from './checkpoints.js';

export interface ExportResult {
  checkpoint: string;
  out: string;
  merged: boolean;
}

export class ExportError extends Error {
  override readonly name = 'ExportError';
  constructor(
    readonly code: 'NOT_A_RUN' | 'NO_CHECKPOINT',
    message: string,
  ) {
    super(message);
  }
}

/** Merges the adapter of `checkpoint` (default: the newest) of the run in `runDir` and saves the model to `out` (default `<run>/export`). */
export async function exportQwenRun(runDir: string, options: { out?: string; checkpoint?: string } = {}): Promise<ExportResult> {
  const paths = runPaths(path.resolve(runDir));
  if (!existsSync(paths.checkpoints)) throw new ExportError('NOT_A_RUN', `${paths.root}: no checkpoints/ directory; pass a run directory of a Qwen2.5-VL run`);
  const checkpoints = new QwenCheckpoints(paths, Number.POSITIVE_INFINITY);
  const name = options.checkpoint ?? checkpoints.list()[0];
  if (name === undefined || !checkpoints.list().includes(name)) {
    throw new ExportError('NO_CHECKPOINT', `${paths.checkpoints}: ${name === undefined ? 'no Qwen checkpoint yet' : `no checkpoint ${name} (have: ${checkpoints.list().join(', ')})`}`);
  }
  const policy = checkpoints.loadPolicy(name, { trainable: false });
  try {
    const merged = policy.model.lora !== null;
    if (merged) policy.model.mergeLora();
    const out = path.resolve(options.out ?? path.join(paths.root, 'export'));
    await policy.save(out);
    return { checkpoint: name, out, merged };
  } finally {
    policy.dispose();
  }
}

// The parity runner: answers every case of a cases.jsonl (the vectors' README, "Runner contract")
// with one `{"id","output"}` or `{"id","error"}` line each. Models load once per process.
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import type { Qwen25VLConfig } from '../checkpoint/config.js';
import { QwenVLModel } from '../model.js';
import { ArrayReader, BinWriter } from './arrays.js';
import { CaseError } from './errors.js';
import { type CaseContext, type ParityCase, answerForward, answerGenerate, answerLogProbs } from './model-cases.js';
import { answerVisualCase, isVisualCaseKind } from './visual.js';

export interface RunCasesOptions {
  /** Called after every case (id, kind, ok, seconds). */
  onCase?: (report: { id: string; kind: string; ok: boolean; seconds: number; error?: string }) => void;
}

export interface RunCasesSummary {
  total: number;
  answered: number;
  errors: number;
}

function answer(c: ParityCase, ctx: CaseContext): Record<string, unknown> {
  if (isVisualCaseKind(c.kind)) {
    if (typeof c.model !== 'string') throw new CaseError('BAD_INPUT', `case ${c.id}: "model" is required`);
    return answerVisualCase(c.kind, c.model, c.input, {
      arrays: ctx.arrays,
      bins: ctx.bins,
      config: (name) => ctx.model(name).config as Qwen25VLConfig,
      weights: (name) => {
        const model = ctx.model(name);
        return (hubName: string) => model.weight(hubName);
      },
    });
  }
  switch (c.kind) {
    case 'forward':
      return answerForward(ctx, c);
    case 'logprobs':
      return answerLogProbs(ctx, c, false);
    case 'lora':
      return answerLogProbs(ctx, c, true);
    case 'generate':
      return answerGenerate(ctx, c);
    default:
      throw new CaseError('UNKNOWN_KIND', `case ${c.id}: unknown kind ${JSON.stringify(c.kind)}`);
  }
}

/** Answers every case of `casesFile` into `outFile` (large arrays in `<outFile>.bin`). */
export function runCases(casesFile: string, outFile: string, options: RunCasesOptions = {}): RunCasesSummary {
  const baseDir = path.dirname(path.resolve(casesFile));
  const lines = readFileSync(casesFile, 'utf8').split('\n').filter((l) => l.trim() !== '');
  const binName = `${path.basename(outFile)}.bin`;
  const bins = new BinWriter(path.join(path.dirname(path.resolve(outFile)), binName), binName);
  const models = new Map<string, QwenVLModel>();
  const ctx: CaseContext = {
    arrays: new ArrayReader(baseDir),
    bins,
    baseDir,
    model(name) {
      let m = models.get(name);
      if (m === undefined) {
        m = QwenVLModel.load(path.join(baseDir, 'models', name));
        models.set(name, m);
      }
      return m;
    },
  };
  writeFileSync(outFile, '');
  let errors = 0;
  try {
    lines.forEach((line, index) => {
      const started = performance.now();
      let c: ParityCase;
      try {
        c = JSON.parse(line) as ParityCase;
      } catch (cause) {
        errors++;
        appendFileSync(outFile, `${JSON.stringify({ id: `line-${index + 1}`, error: `not JSON: ${(cause as Error).message}` })}\n`);
        return;
      }
      let record: Record<string, unknown>;
      try {
        record = { id: c.id, output: answer(c, ctx) };
      } catch (error) {
        errors++;
        record = { id: c.id, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
      }
      appendFileSync(outFile, `${JSON.stringify(record)}\n`);
      const report = { id: c.id, kind: c.kind, ok: !('error' in record), seconds: (performance.now() - started) / 1000 };
      options.onCase?.('error' in record ? { ...report, error: String(record['error']) } : report);
    });
  } finally {
    bins.close();
    for (const m of models.values()) m.dispose();
  }
  return { total: lines.length, answered: lines.length - errors, errors };
}

// Fixture checkpoints and the inputs of fixture cases as model inputs.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { ArrayReader, BinWriter } from '../../src/cases/arrays.js';
import { type CaseContext, type ParityCase, modelInputsOf } from '../../src/cases/model-cases.js';
import { type ModelInputs, QwenVLModel } from '../../src/model.js';

export const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');
export const modelDir = (name: 'tiny-a' | 'tiny-b' | 'tiny-c'): string => path.join(FIXTURES, 'models', name);
export const adapterDir = (name: string): string => path.join(FIXTURES, 'adapters', name);

export function fixtureCase(id: string): ParityCase & { expect: Record<string, unknown> } {
  const line = readFileSync(path.join(FIXTURES, 'model-cases.jsonl'), 'utf8')
    .split('\n')
    .find((l) => l.includes(`"id": "${id}"`) || l.includes(`"id":"${id}"`));
  if (line === undefined) throw new Error(`no fixture case ${id}`);
  return JSON.parse(line) as ParityCase & { expect: Record<string, unknown> };
}

/** The model inputs of a fixture case (pixel tensors: dispose with disposeInputs). */
export function fixtureInputs(id: string, model: QwenVLModel): ModelInputs {
  const ctx: CaseContext = {
    arrays: new ArrayReader(FIXTURES),
    bins: new BinWriter('/dev/null', 'unused'),
    baseDir: FIXTURES,
    model: () => model,
  };
  return modelInputsOf(ctx, fixtureCase(id), model);
}

export function disposeInputs(inputs: ModelInputs): void {
  inputs.pixelValues?.dispose();
  inputs.pixelValuesVideos?.dispose();
}

/** `inputs` with `tokens[b]` appended to row b (mask 1). */
export function extend(inputs: ModelInputs, tokens: readonly (readonly number[])[]): ModelInputs {
  const mask = inputs.attentionMask ?? inputs.inputIds.map((r) => r.map(() => 1));
  return {
    ...inputs,
    inputIds: inputs.inputIds.map((row, b) => [...row, ...(tokens[b] ?? [])]),
    attentionMask: mask.map((row, b) => [...row, ...(tokens[b] ?? []).map(() => 1)]),
  };
}

export function loadModel(name: 'tiny-a' | 'tiny-b' | 'tiny-c'): QwenVLModel {
  return QwenVLModel.load(modelDir(name));
}

import path from 'node:path';
import {
  type SyntheticSet,
  type VideoR1Record,
  buildPrompt,
  ensureSyntheticSet,
  readDataset,
  summarizeReport,
  TEMPORAL_TASKS,
} from '@video-r1/datasets';
import { createRng, fnv1a, shuffled } from '@video-r1/tensor';
import type { TrainerConfig } from '../config/types.js';

/** One question, with what every stage needs precomputed. */
export interface Sample {
  /** `<split>:<problem_id or index>`: stable across runs, used in logs. */
  id: string;
  record: VideoR1Record;
  dataType: 'image' | 'video';
  problemType: string;
  solution: string;
  /** The synthetic set's question kind; null for files without one. */
  task: string | null;
  /** Frame order matters for the answer (the synthetic set's temporal kinds). */
  temporal: boolean;
  /** Video-R1's training prompt (grpo.py / sft_video.py QUESTION_TEMPLATE + TYPE_TEMPLATE). */
  trainPrompt: string;
  /** Video-R1's evaluation prompt (eval_bench.py). */
  evalPrompt: string;
}

export interface Splits {
  /** RL prompts. */
  train: Sample[];
  /** SFT targets (records with `process`). */
  sft: Sample[];
  validation: Sample[];
  test: Sample[];
  /** Media paths resolve against this. */
  dataRoot: string;
  testFile: string;
  /** Records the loader rejected (schema errors etc.), per split. */
  rejected: Record<'train' | 'sft' | 'validation' | 'test', number>;
  synthetic: SyntheticSet | null;
}

const TEMPORAL = new Set<string>(TEMPORAL_TASKS);

function toSample(record: VideoR1Record, split: string, index: number): Sample {
  const task = typeof record['task'] === 'string' ? record['task'] : null;
  const temporal = typeof record['temporal'] === 'boolean' ? record['temporal'] : task !== null && TEMPORAL.has(task);
  return {
    id: `${split}:${record.problem_id ?? index}`,
    record,
    dataType: record.data_type,
    problemType: record.problem_type,
    solution: record.solution,
    task,
    temporal,
    trainPrompt: buildPrompt(record, { template: 'train' }),
    evalPrompt: buildPrompt(record, { template: 'eval' }),
  };
}

/**
 * A deterministic subset of `limit` records (seeded shuffle, then the original order kept), so that a
 * capped split still mixes every kind of question.
 */
function capped<T>(items: T[], limit: number | null, seed: number, split: string): T[] {
  if (limit === null || items.length <= limit) return items;
  const picked = new Set(shuffled(items.map((_, i) => i), createRng(fnv1a(`${seed}/subset/${split}`))).slice(0, limit));
  return items.filter((_, i) => picked.has(i));
}

async function readSplit(file: string, kind: 'rl' | 'cot' | 'eval', log: (line: string) => void): Promise<{ records: VideoR1Record[]; rejected: number }> {
  const { records, report } = await readDataset(file, { kind, log: false });
  if (report.skipped > 0) log(`warning: ${summarizeReport(report)}`);
  return { records, rejected: report.skipped };
}

/** Loads (and for the synthetic source first generates or reuses) the train/validation/test splits. */
export async function loadSplits(config: TrainerConfig, log: (line: string) => void): Promise<Splits> {
  const { data } = config;
  let files: { train: string; sft: string; validation: string | null; test: string; dataRoot: string };
  let synthetic: SyntheticSet | null = null;
  if (data.source === 'synthetic') {
    synthetic = await ensureSyntheticSet({
      ...(data.synthetic.seed !== null && { seed: data.synthetic.seed }),
      ...(data.synthetic.size !== null && { size: data.synthetic.size }),
      ...(data.synthetic.dir !== null && { dir: data.synthetic.dir }),
      log,
    });
    files = { train: synthetic.train, sft: synthetic.train, validation: synthetic.validation, test: synthetic.test, dataRoot: synthetic.root };
  } else {
    const f = data.files!;
    files = { train: f.train, sft: f.sft ?? f.train, validation: f.validation, test: f.test, dataRoot: f.dataRoot ?? path.dirname(f.train) };
  }
  const seed = data.synthetic.seed ?? 0;
  const train = await readSplit(files.train, 'rl', log);
  const sameFile = files.sft === files.train;
  const sft = sameFile ? train : await readSplit(files.sft, 'cot', log);
  const validation = files.validation ? await readSplit(files.validation, 'rl', log) : { records: [], rejected: 0 };
  const test = await readSplit(files.test, 'eval', log);
  const trainSamples = capped(train.records, data.maxTrain, seed, 'train').map((r, i) => toSample(r, 'train', i));
  // One file for both stages (the synthetic set): the same Sample objects, so a bad video is one sample.
  const sftSamples = sameFile ? trainSamples : capped(sft.records, data.maxTrain, seed, 'sft').map((r, i) => toSample(r, 'sft', i));
  return {
    train: trainSamples,
    sft: sftSamples.filter((s) => typeof s.record.process === 'string'),
    validation: capped(validation.records, data.maxValidation, seed, 'validation').map((r, i) => toSample(r, 'validation', i)),
    test: capped(test.records, data.maxTest, seed, 'test').map((r, i) => toSample(r, 'test', i)),
    dataRoot: files.dataRoot,
    testFile: files.test,
    rejected: { train: train.rejected, sft: sft.rejected, validation: validation.rejected, test: test.rejected },
    synthetic,
  };
}

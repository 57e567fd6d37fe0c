/**
 * Throughput of the rewards against the Python reference.
 *
 *   pnpm --filter @video-r1/rewards bench [-- --runs 7 --per-type 4000]
 *
 * Inputs are generated from the parity fixture by seeded mutation (answers re-worded,
 * numbers re-drawn, reasoning text varied), so every timed call sees a distinct input and no
 * result can come from a cache of earlier inputs (only the word → stem memo of the
 * tokenizer is warm, as it is in training). The "mix" row uses the problem-type proportions
 * of the reference timing corpus. Python figures: ../../shared/vectors/rewards/README.md
 * (cases/s of Video-R1's own functions, one core of the 2-core machine that produced them).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { accuracyReward, extractAnswer, formatReward, meanRelativeAccuracy } from '../src/index.js';
import { createRandom } from '../test/random-inputs.js';

interface PythonFigure {
  readonly casesPerSecond: number;
  /** Minimum speed-up the issue asks for (0: no target). */
  readonly target: number;
}

const PYTHON: Record<string, PythonFigure> = {
  'accuracy (mix)': { casesPerSecond: 8278, target: 20 },
  'multiple choice': { casesPerSecond: 43742, target: 0 },
  numerical: { casesPerSecond: 36520, target: 0 },
  OCR: { casesPerSecond: 4283, target: 0 },
  'free-form': { casesPerSecond: 2656, target: 0 },
  regression: { casesPerSecond: 32961, target: 0 },
  'other types': { casesPerSecond: 146523, target: 0 },
  format: { casesPerSecond: 462871, target: 10 },
  extract: { casesPerSecond: 1107981, target: 5 },
  mra: { casesPerSecond: 48915, target: 20 },
};

/** Cases per type in the reference timing corpus, for the realistic mix. */
const MIX: Record<string, number> = {
  'multiple choice': 2000,
  numerical: 1997,
  OCR: 1210,
  'free-form': 1453,
  regression: 1146,
  'other types': 325,
};

const { values: options } = parseArgs({
  options: {
    runs: { type: 'string', default: '7' },
    'per-type': { type: 'string', default: '4000' },
    seed: { type: 'string', default: '1' },
    only: { type: 'string' },
  },
});
const RUNS = Number(options.runs);
const PER_TYPE = Number(options['per-type']);

const random = createRandom(Number(options.seed));
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;

interface FixtureCase {
  kind: string;
  problemType?: string;
  completion?: string;
  solution?: string;
  text?: string;
  pred?: number;
  target?: number;
}

const fixturePath = join(dirname(fileURLToPath(import.meta.url)), '../test/fixtures/public.jsonl');
const fixture: FixtureCase[] = readFileSync(fixturePath, 'utf8')
  .split('\n')
  .filter((line) => line.length > 0)
  .map((line) => JSON.parse(line) as FixtureCase);

const accuracyCases = fixture.filter((c) => c.kind === 'accuracy');
const vocabulary = [...new Set(accuracyCases.flatMap((c) => `${c.completion} ${c.solution}`.split(/[^A-Za-z]+/)))].filter(
  (w) => w.length > 0,
);

function typeGroup(problemType: string): string {
  return problemType in MIX ? problemType : 'other types';
}

function mutateWords(answer: string): string {
  const words = answer.split(' ');
  const edits = 1 + Math.floor(random() * 3);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(random() * (words.length + 1));
    const op = random();
    if (op < 0.4) words.splice(at, 0, pick(vocabulary));
    else if (op < 0.7 && words.length > 1) words.splice(Math.min(at, words.length - 1), 1);
    else words[Math.min(at, words.length - 1)] = pick(vocabulary);
  }
  return words.join(' ');
}

function randomNumberText(): string {
  const r = random();
  if (r < 0.4) return String(Math.floor(random() * 1000));
  if (r < 0.8) return (random() * 1000).toFixed(1 + Math.floor(random() * 3));
  if (r < 0.9) return Math.floor(random() * 1e6).toLocaleString('en-US');
  return pick(['12.5', '3', 'about 4', '1e3', '', '7.25', '0.5']);
}

function replaceAnswer(text: string, answer: string): string {
  const open = text.indexOf('<answer>');
  const close = text.indexOf('</answer>', open);
  if (open === -1 || close === -1) return `${text}<answer>${answer}</answer>`;
  return `${text.slice(0, open + 8)}${answer}${text.slice(close)}`;
}

function variant(c: FixtureCase): { problemType: string; completion: string; solution: string } {
  const problemType = c.problemType as string;
  const completion = c.completion as string;
  const solution = c.solution as string;
  const truth = extractAnswer(solution);
  let answer: string;
  switch (problemType) {
    case 'multiple choice':
      answer = random() < 0.5 ? truth : pick(['A', 'B', 'C', 'D', 'E']);
      break;
    case 'numerical':
    case 'regression':
      answer = random() < 0.3 ? truth : randomNumberText();
      break;
    case 'OCR':
    case 'free-form':
      answer = mutateWords(random() < 0.7 ? truth : extractAnswer(completion));
      break;
    default:
      answer = mutateWords(extractAnswer(completion));
  }
  // Vary the reasoning too (keeping its length), so completions differ even when answers coincide.
  const salt = `${pick(vocabulary)} ${Math.floor(random() * 1e6)} `;
  const varied = completion.startsWith('<think>') ? `<think>${salt}${completion.slice(7)}` : `${salt}${completion}`;
  // A JSON round trip leaves flat strings, as completions decoded or read from JSONL are
  // (template concatenation would leave rope strings that V8 flattens on first use).
  return JSON.parse(JSON.stringify({ problemType, completion: replaceAnswer(varied, answer), solution })) as {
    problemType: string;
    completion: string;
    solution: string;
  };
}

const inputsByGroup = new Map<string, ReturnType<typeof variant>[]>();
for (const group of Object.keys(MIX)) {
  const sources = accuracyCases.filter((c) => typeGroup(c.problemType as string) === group);
  const inputs: ReturnType<typeof variant>[] = [];
  for (let i = 0; i < PER_TYPE; i++) inputs.push(variant(sources[i % sources.length] as FixtureCase));
  inputsByGroup.set(group, inputs);
}
const mixInputs: ReturnType<typeof variant>[] = [];
for (const [group, count] of Object.entries(MIX)) {
  const inputs = inputsByGroup.get(group) ?? [];
  const share = Math.round((count / 8131) * PER_TYPE * 2);
  for (let i = 0; i < share; i++) mixInputs.push(inputs[i % inputs.length] as ReturnType<typeof variant>);
}
for (let i = mixInputs.length - 1; i > 0; i--) {
  const j = Math.floor(random() * (i + 1));
  [mixInputs[i], mixInputs[j]] = [mixInputs[j] as ReturnType<typeof variant>, mixInputs[i] as ReturnType<typeof variant>];
}
/**
 * Inputs of one fixture kind (the kind the Python figure was timed on), made distinct by a
 * random word and number inserted after the opening tag or at the front.
 */
function kindTexts(kind: 'extract' | 'format', field: 'text' | 'completion'): string[] {
  const sources = fixture.filter((c) => c.kind === kind).map((c) => c[field] as string);
  const out: string[] = [];
  for (let i = 0; i < PER_TYPE * 2; i++) {
    const text = sources[i % sources.length] as string;
    const salt = `${pick(vocabulary)} ${Math.floor(random() * 1e6)} `;
    const varied = text.startsWith('<think>') ? `<think>${salt}${text.slice(7)}` : `${salt}${text}`;
    out.push(JSON.parse(JSON.stringify(varied)) as string);
  }
  return out;
}
const extractTexts = kindTexts('extract', 'text');
const formatTexts = kindTexts('format', 'completion');
const mraPairs: [number, number][] = [];
for (let i = 0; i < PER_TYPE * 4; i++) {
  const target = random() < 0.5 ? Math.floor(random() * 100) : random() * 50;
  mraPairs.push([target * (0.5 + random()), target]);
}

/**
 * Cases per CPU-second of this process over RUNS timed passes (after one warm-up pass):
 * median and best. CPU time (user + system, from process.cpuUsage) rather than wall time, so
 * that other load on a shared machine does not count against us; on an idle core the two
 * agree, which is how the Python figures were taken.
 */
function measure(count: number, pass: () => number): { median: number; best: number } {
  let sink = pass();
  const rates: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const start = process.cpuUsage();
    sink += pass();
    const used = process.cpuUsage(start);
    rates.push(count / ((used.user + used.system) / 1e6));
  }
  if (Number.isNaN(sink)) console.log('(sink)');
  rates.sort((a, b) => a - b);
  return { median: rates[Math.floor(rates.length / 2)] as number, best: rates[rates.length - 1] as number };
}

function accuracyPass(inputs: readonly ReturnType<typeof variant>[]): () => number {
  return () => {
    let sum = 0;
    for (const input of inputs) sum += accuracyReward(input);
    return sum;
  };
}

const rows: [string, number, { median: number; best: number }][] = [];
/** Times one row unless --only names other rows (comma-separated, by prefix). */
function row(name: string, count: number, pass: () => number): void {
  const only = options.only?.split(',');
  if (only !== undefined && !only.some((prefix) => name.startsWith(prefix))) return;
  rows.push([name, count, measure(count, pass)]);
}
row('accuracy (mix)', mixInputs.length, accuracyPass(mixInputs));
for (const [group, inputs] of inputsByGroup) row(group, inputs.length, accuracyPass(inputs));
row('format', formatTexts.length, () => {
  let sum = 0;
  for (const text of formatTexts) sum += formatReward(text);
  return sum;
});
row('extract', extractTexts.length, () => {
  let sum = 0;
  for (const text of extractTexts) sum += extractAnswer(text).length;
  return sum;
});
row('mra', mraPairs.length, () => {
  let sum = 0;
  for (const [pred, target] of mraPairs) sum += meanRelativeAccuracy(pred, target);
  return sum;
});

const format = (n: number): string => Math.round(n).toLocaleString('en-US');
console.log(`@video-r1/rewards bench — node ${process.version}, ${RUNS} timed runs, distinct inputs per row\n`);
console.log(
  ['kind', 'inputs', 'CPU cases/s (median)', 'CPU cases/s (best)', 'Python cases/s', 'ratio (median)', 'target']
    .map((h, i) => (i === 0 ? h.padEnd(16) : h.padStart(i === 1 ? 7 : 21)))
    .join(' '),
);
for (const [name, count, rate] of rows) {
  const python = PYTHON[name];
  const ratio = python === undefined ? NaN : rate.median / python.casesPerSecond;
  const target = python !== undefined && python.target > 0 ? `≥${python.target}x ${ratio >= python.target ? 'ok' : 'MISSED'}` : '';
  console.log(
    [
      name.padEnd(16),
      String(count).padStart(7),
      format(rate.median).padStart(21),
      format(rate.best).padStart(21),
      (python === undefined ? '' : format(python.casesPerSecond)).padStart(21),
      (Number.isNaN(ratio) ? '' : `${ratio.toFixed(1)}x`).padStart(21),
      target.padStart(21),
    ].join(' '),
  );
}

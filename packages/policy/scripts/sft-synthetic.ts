// Measures what SFT buys on the embedded synthetic set: test accuracy of the untrained
// policy and of the SFT policy, per problem type and per task. The numbers in the README
// come from this script:
//
//   pnpm --filter @video-r1/policy exec tsx scripts/sft-synthetic.ts [--epochs 3] [--batch 16] [--lr 4e-3]
//        [--backend wasm] [--seed 0] [--train N] [--out results.json]
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';

import { buildPrompt, ensureSyntheticSet, readDataset, resolveMediaPath, sftTarget, type VideoR1Record } from '@video-r1/datasets';
import { accuracyReward } from '@video-r1/rewards';
import { selectBackend, type BackendPreference } from '@video-r1/tensor';
import { FrameSource, type FrameStack } from '@video-r1/video-io';

import { type Policy, type PolicyInput, Tokenizer, createPolicy, generate, policyFrameRequest, sftTrain } from '../src/index.js';

const { values: args } = parseArgs({
  options: {
    epochs: { type: 'string', default: '3' },
    batch: { type: 'string', default: '16' },
    lr: { type: 'string', default: '4e-3' },
    backend: { type: 'string', default: 'wasm' },
    seed: { type: 'string', default: '0' },
    train: { type: 'string' },
    out: { type: 'string' },
    config: { type: 'string', default: '{}' },
    tasks: { type: 'string' },
  },
});

type Rec = VideoR1Record & { task?: string };
interface Item {
  record: Rec;
  frames: FrameStack | null;
}

const log = (line: string): void => void process.stderr.write(`${line}\n`);

const taskFilter = args.tasks ? new Set(args.tasks.split(',')) : null;

async function loadSplit(file: string, root: string, policy: { config: Policy['config'] } | null, cache: Map<string, FrameStack>): Promise<Item[]> {
  const { records: all } = await readDataset<Rec>(file, { log: false });
  const records = taskFilter ? all.filter((r) => taskFilter.has(r.task ?? '')) : all;
  const items: Item[] = [];
  const source = policy ? new FrameSource({ request: policyFrameRequest(policy.config.vision, { maxFrames: 16 }), memory: false }) : null;
  // A few ffmpeg processes at a time.
  for (let i = 0; i < records.length; i += 4) {
    const chunk = await Promise.all(
      records.slice(i, i + 4).map(async (record): Promise<Item> => {
        if (!record.path || !source) return { record, frames: null };
        const full = await resolveMediaPath(root, record.path);
        let frames = cache.get(full);
        if (!frames) {
          const kind = record.data_type === 'image' ? 'image' : 'video';
          frames = await source.frames(full, kind);
          cache.set(full, frames);
        }
        return { record, frames };
      }),
    );
    items.push(...chunk);
  }
  return items;
}

function evaluate(policy: Policy, items: readonly Item[], template: 'train' | 'eval'): { overall: number; byType: Record<string, number>; byTask: Record<string, number> } {
  const batchSize = 32;
  const sums = { all: 0 };
  const byType = new Map<string, [number, number]>();
  const byTask = new Map<string, [number, number]>();
  for (let i = 0; i < items.length; i += batchSize) {
    const batch = items.slice(i, i + batchSize);
    const inputs: PolicyInput[] = batch.map((it) => ({ prompt: buildPrompt(it.record, { template }), frames: it.frames }));
    const out = generate(policy, inputs, { maxNewTokens: 48, temperature: 0 });
    out.texts.forEach((text, k) => {
      const r = batch[k]!.record;
      const score = accuracyReward({ problemType: r.problem_type, completion: text, solution: r.solution });
      sums.all += score;
      for (const [map, key] of [[byType, r.problem_type], [byTask, r.task ?? '?']] as const) {
        const acc = map.get(key) ?? [0, 0];
        acc[0] += score;
        acc[1] += 1;
        map.set(key, acc);
      }
    });
  }
  const mean = (m: Map<string, [number, number]>): Record<string, number> => Object.fromEntries([...m].sort().map(([k, [s, n]]) => [k, s / n]));
  return { overall: sums.all / items.length, byType: mean(byType), byTask: mean(byTask) };
}

const started = performance.now();
const backend = await selectBackend(args.backend as BackendPreference);
const set = await ensureSyntheticSet({ log });
const { records: trainRecords } = await readDataset<Rec>(set.train, { log: false });
const { records: valRecords } = await readDataset<Rec>(set.validation, { log: false });
const corpus: string[] = [];
for (const r of [...trainRecords, ...valRecords]) corpus.push(buildPrompt(r, { template: 'train' }), buildPrompt(r, { template: 'eval' }), sftTarget(r));
const tokenizer = Tokenizer.fit(corpus);
{
  // Every string of the set, test split included (never fitted on), must round-trip exactly.
  const { records: testRecords } = await readDataset<Rec>(set.test, { log: false });
  const strings = [...corpus, ...testRecords.flatMap((r) => [buildPrompt(r, { template: 'train' }), buildPrompt(r, { template: 'eval' }), r.solution])];
  const broken = strings.filter((s) => tokenizer.decode(tokenizer.encode(s)) !== s);
  if (broken.length > 0) throw new Error(`tokenizer round-trip failed for ${broken.length} strings, e.g. ${JSON.stringify(broken[0])}`);
  log(`tokenizer: ${strings.length} strings of the set round-trip exactly`);
}
const policy = createPolicy({ seed: Number(args.seed), ...JSON.parse(args.config) }, tokenizer);
log(`tokenizer: ${tokenizer.vocabSize} tokens; policy: ${policy.parameterCount} parameters on ${backend.name}`);

const frameCache = new Map<string, FrameStack>();
let t = performance.now();
const train = (await loadSplit(set.train, set.root, policy, frameCache)).slice(0, args.train ? Number(args.train) : undefined);
const validation = await loadSplit(set.validation, set.root, policy, frameCache);
const test = await loadSplit(set.test, set.root, policy, frameCache);
log(`frames: ${frameCache.size} media read in ${((performance.now() - t) / 1000).toFixed(1)} s`);

// Prompt lengths, to size the model's text context.
const promptTokens = train.map((it) => tokenizer.encode(buildPrompt(it.record, { template: 'train' })).length);
const targetTokens = train.map((it) => tokenizer.encode(sftTarget(it.record)).length + 1);
const stats = (xs: number[]): string => `mean ${(xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(1)}, max ${Math.max(...xs)}`;
log(`prompt tokens: ${stats(promptTokens)}; target tokens: ${stats(targetTokens)}`);

t = performance.now();
const untrained = { train: evaluate(policy, test, 'train'), eval: evaluate(policy, test, 'eval') };
log(`untrained test accuracy: ${untrained.eval.overall.toFixed(3)} (eval template), ${untrained.train.overall.toFixed(3)} (train template) in ${((performance.now() - t) / 1000).toFixed(1)} s`);

// SFT sees both prompt wordings, so the evaluator's template is no surprise.
const examples = train.flatMap((it, i) => ({
  prompt: buildPrompt(it.record, { template: i % 2 === 0 ? 'train' : 'eval' }),
  frames: it.frames,
  target: sftTarget(it.record),
  problemType: it.record.problem_type,
}));
const valExamples = validation.map((it) => ({ prompt: buildPrompt(it.record, { template: 'eval' }), frames: it.frames, target: sftTarget(it.record), problemType: it.record.problem_type }));
t = performance.now();
const stepTimes: number[] = [];
const result = await sftTrain({
  policy,
  examples,
  validation: valExamples,
  epochs: Number(args.epochs),
  batchSize: Number(args.batch),
  learningRate: Number(args.lr),
  seed: Number(args.seed),
  onStep: (m) => {
    stepTimes.push(m.stepMs);
    if (m.step % 20 === 0 || m.step === m.totalSteps) {
      log(`step ${m.step}/${m.totalSteps} loss ${m.loss.toFixed(3)} lr ${m.lr.toExponential(2)} ${m.tokensPerSecond.toFixed(0)} tok/s`);
    }
  },
  onEpoch: (m) => log(`epoch ${m.epoch}: train loss ${m.trainLoss.toFixed(3)}, validation loss ${m.validation?.loss.toFixed(3)}, exact ${m.validation?.exactMatch.toFixed(3)}, accuracy ${m.validation?.accuracy.toFixed(3)}`),
});
const sftSeconds = (performance.now() - t) / 1000;
stepTimes.sort((a, b) => a - b);
log(`SFT: ${result.state.step} steps in ${sftSeconds.toFixed(1)} s (median step ${stepTimes[Math.floor(stepTimes.length / 2)]!.toFixed(0)} ms)`);

const trained = { train: evaluate(policy, test, 'train'), eval: evaluate(policy, test, 'eval') };
const summary = {
  backend: backend.name,
  config: policy.config,
  parameters: policy.parameterCount,
  vocabSize: tokenizer.vocabSize,
  sft: { epochs: Number(args.epochs), batchSize: Number(args.batch), learningRate: Number(args.lr), steps: result.state.step, seconds: sftSeconds, examples: examples.length },
  validation: result.epochs.map((e) => e.validation),
  test: { examples: test.length, untrained, sft: trained },
  totalSeconds: (performance.now() - started) / 1000,
};
const fmt = (x: number): string => (100 * x).toFixed(1);
log('\ntest accuracy (eval template)        untrained   SFT');
for (const key of Object.keys(trained.eval.byType)) log(`  ${key.padEnd(34)} ${fmt(untrained.eval.byType[key] ?? 0).padStart(6)}  ${fmt(trained.eval.byType[key]!).padStart(6)}`);
for (const key of Object.keys(trained.eval.byTask)) log(`  task ${key.padEnd(29)} ${fmt(untrained.eval.byTask[key] ?? 0).padStart(6)}  ${fmt(trained.eval.byTask[key]!).padStart(6)}`);
log(`  ${'overall'.padEnd(34)} ${fmt(untrained.eval.overall).padStart(6)}  ${fmt(trained.eval.overall).padStart(6)}`);
log(`  overall (train template)           ${fmt(untrained.train.overall).padStart(6)}  ${fmt(trained.train.overall).padStart(6)}`);
if (args.out) await writeFile(args.out, JSON.stringify(summary, null, 2) + '\n');
policy.dispose();

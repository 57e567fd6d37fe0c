import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pLimit from 'p-limit';
import { createRng, fnv1a } from '@video-r1/tensor/random';
import { writeImage, writeVideo } from '@video-r1/video-io';
import type { VideoR1Record } from '../types.js';
import { renderImage, renderMotion, renderWord } from './render.js';
import {
  SYNTHETIC_TASKS,
  TEMPORAL_TASKS,
  describeMotion,
  flashCount,
  imageQuestions,
  motionDirection,
  motionQuestions,
  sampleImageScene,
  sampleMotionScene,
  sampleWordScene,
  spelledWord,
  stopFrame,
  taskInfo,
  wordQuestions,
  type SceneGeometry,
  type SyntheticQuestion,
  type SyntheticTask,
  type SyntheticTaskInfo,
} from './tasks.js';

/** Bump whenever generated content changes: cached sets of another version are regenerated. */
export const GENERATOR_VERSION = 1;

export const SYNTHETIC_DEFAULTS = {
  seed: 0,
  /** Training questions (rounded up to whole media units of 7 questions). */
  size: 2450,
  /** Frame width and height in pixels. */
  resolution: 32,
  /** 16 frames at 2 fps: Video-R1's training sampling (fps 2, 4–16 frames) keeps every frame. */
  frames: 16,
  fps: 2,
} as const;

export type SplitName = 'train' | 'validation' | 'test';

/** A record of the synthetic set: a Video-R1 record plus its task kind. */
export interface SyntheticRecord extends VideoR1Record {
  problem_id: number;
  options: string[];
  data_source: string;
  task: SyntheticTask;
  temporal: boolean;
}

export interface SyntheticManifest {
  generator: '@video-r1/datasets/synthetic';
  generatorVersion: number;
  seed: number;
  size: number;
  resolution: number;
  frames: number;
  fps: number;
  splits: Record<SplitName, { file: string; format: 'cot' | 'eval'; questions: number; videos: number; images: number; byTask: Partial<Record<SyntheticTask, number>> }>;
  tasks: SyntheticTaskInfo[];
  temporalTasks: SyntheticTask[];
  createdAt: string;
  generationMs: number;
}

export interface SyntheticSet {
  /** The data root: records' `path`s resolve against it. */
  root: string;
  train: string;
  validation: string;
  /** The held-out test set, in the Video-R1-eval file format. */
  test: string;
  manifest: SyntheticManifest;
  /** `false` when a cached set with the same seed, size, resolution and generator version was reused. */
  generated: boolean;
}

export interface SyntheticProgress {
  done: number;
  total: number;
}

export interface SyntheticOptions {
  /** Where the set lives. Default: `$VIDEO_R1_CACHE/synthetic`, else `<monorepo>/.cache/synthetic`, else a temp-dir path. */
  dir?: string;
  seed?: number;
  /** Training questions; validation gets ~10% and test ~15% as many (default 2450 → 245 / 371). */
  size?: number;
  resolution?: number;
  /** ffmpeg processes at once (default: the number of CPUs, at most 4). */
  concurrency?: number;
  /** Regenerate even when the cache matches. */
  force?: boolean;
  onProgress?: (p: SyntheticProgress) => void;
  /** One line when the set is generated or reused. Default `console.error`; `false` for silence. */
  log?: ((line: string) => void) | false;
}

function findMonorepoRoot(from: string): string | undefined {
  let dir = path.resolve(from);
  for (;;) {
    if (existsSync(path.join(dir, 'pnpm-workspace.yaml')) && existsSync(path.join(dir, 'packages', 'datasets'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** The directory {@link ensureSyntheticSet} uses when none is given. */
export function defaultSyntheticDir(): string {
  const env = process.env.VIDEO_R1_CACHE;
  if (env !== undefined && env !== '') return path.join(path.resolve(env), 'synthetic');
  const repo = findMonorepoRoot(process.cwd());
  if (repo !== undefined) return path.join(repo, '.cache', 'synthetic');
  return path.join(os.tmpdir(), 'video-r1-cache', 'synthetic');
}

/** Media units per split; each unit is one motion video (4 questions), one word video (1) and one image (2). */
export function splitUnits(size: number): Record<SplitName, number> {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`synthetic set size must be a positive integer, got ${size}`);
  const train = Math.ceil(size / 7);
  return { train, validation: Math.max(1, Math.ceil(train * 0.1)), test: Math.max(1, Math.ceil(train * 0.15)) };
}

interface MediaJob {
  file: string;
  write: () => Promise<unknown>;
}

interface PlannedSplit {
  records: SyntheticRecord[];
  jobs: MediaJob[];
  videos: number;
  images: number;
}

function seedFor(seed: number, ...parts: (string | number)[]): number {
  return fnv1a(`${seed}/${parts.join('/')}`);
}

function check(condition: boolean, what: string): void {
  if (!condition) throw new Error(`synthetic generator bug: ${what}`);
}

/** Build every record and media job of one split; pure except for the jobs it returns. */
export function planSplit(split: SplitName, units: number, seed: number, g: SceneGeometry, root: string): PlannedSplit {
  const questions: { q: SyntheticQuestion; media: string }[] = [];
  const jobs: MediaJob[] = [];
  const rel = (name: string) => `./media/${split}/${name}`;
  const abs = (name: string) => path.join(root, 'media', split, name);
  for (let i = 0; i < units; i++) {
    const id = String(i).padStart(5, '0');

    const { scene: motion, params } = sampleMotionScene(createRng(seedFor(seed, split, 'motion', i)), g);
    // The answers are read back from the frames; they must be what the scene was built to show.
    check(motionDirection(motion.frames) === params.direction, 'direction');
    check(stopFrame(motion.frames) === params.stopFrame, 'stop frame');
    check(flashCount(motion.frames) === params.flashes, 'flash count');
    check(describeMotion(motion.frames, params.shape) === `the ${params.from} ${params.shape} moves ${params.direction} and turns ${params.to}`, 'description');
    const motionName = `motion-${id}.mp4`;
    jobs.push({ file: abs(motionName), write: () => writeVideo(abs(motionName), renderMotion(motion, g), { fps: g.fps }) });
    for (const q of motionQuestions(motion, g)) questions.push({ q, media: rel(motionName) });

    const { scene: word, word: text } = sampleWordScene(createRng(seedFor(seed, split, 'word', i)), g);
    check(spelledWord(word.frames) === text, 'word');
    const wordName = `word-${id}.mp4`;
    jobs.push({ file: abs(wordName), write: () => writeVideo(abs(wordName), renderWord(word, g), { fps: g.fps }) });
    for (const q of wordQuestions(word)) questions.push({ q, media: rel(wordName) });

    const image = sampleImageScene(createRng(seedFor(seed, split, 'image', i)), g);
    const imageName = `image-${id}.png`;
    jobs.push({ file: abs(imageName), write: () => writeImage(abs(imageName), renderImage(image, g)) });
    for (const q of imageQuestions(image)) questions.push({ q, media: rel(imageName) });
  }

  // Shuffle so that a reader taking the file in order sees every kind mixed.
  const order = createRng(seedFor(seed, split, 'order'));
  for (let i = questions.length - 1; i > 0; i--) {
    const j = Math.floor(order() * (i + 1));
    [questions[i], questions[j]] = [questions[j]!, questions[i]!];
  }
  const records = questions.map(({ q, media }, problemId): SyntheticRecord => {
    const info = taskInfo(q.task);
    const record: SyntheticRecord = {
      problem_id: problemId,
      problem: q.problem,
      data_type: info.dataType,
      problem_type: info.problemType,
      options: q.options,
      process: `<think>${q.reasoning}</think>`,
      solution: `<answer>${q.answer}</answer>`,
      path: media,
      data_source: `synthetic/${q.task}`,
      task: q.task,
      temporal: info.temporal,
    };
    // Benchmark files carry no rationale: the test split is written as Video-R1-eval files are.
    if (split === 'test') delete record.process;
    return record;
  });
  return { records, jobs, videos: units * 2, images: units };
}

async function readManifest(root: string): Promise<SyntheticManifest | undefined> {
  try {
    return JSON.parse(await readFile(path.join(root, 'manifest.json'), 'utf8')) as SyntheticManifest;
  } catch {
    return undefined;
  }
}

function matches(m: SyntheticManifest | undefined, want: { seed: number; size: number; resolution: number }): m is SyntheticManifest {
  return (
    m !== undefined &&
    m.generatorVersion === GENERATOR_VERSION &&
    m.seed === want.seed &&
    m.size === want.size &&
    m.resolution === want.resolution
  );
}

async function isComplete(root: string, m: SyntheticManifest): Promise<boolean> {
  for (const split of ['train', 'validation', 'test'] as const) {
    const s = m.splits[split];
    if (!existsSync(path.join(root, s.file))) return false;
    let files: string[];
    try {
      files = await readdir(path.join(root, 'media', split));
    } catch {
      return false;
    }
    if (files.filter((f) => !f.startsWith('.')).length !== s.videos + s.images) return false;
  }
  return true;
}

function result(root: string, manifest: SyntheticManifest, generated: boolean): SyntheticSet {
  return {
    root,
    train: path.join(root, manifest.splits.train.file),
    validation: path.join(root, manifest.splits.validation.file),
    test: path.join(root, manifest.splits.test.file),
    manifest,
    generated,
  };
}

/**
 * Return the embedded synthetic set, generating it first when the directory has none with
 * this seed, size, resolution and generator version. Generation writes into a temporary
 * sibling directory and renames it into place, so readers never see a half-written set and
 * two processes racing to create it both end with one complete copy.
 */
export async function ensureSyntheticSet(opts: SyntheticOptions = {}): Promise<SyntheticSet> {
  const root = path.resolve(opts.dir ?? defaultSyntheticDir());
  const seed = opts.seed ?? SYNTHETIC_DEFAULTS.seed;
  const size = opts.size ?? SYNTHETIC_DEFAULTS.size;
  const resolution = opts.resolution ?? SYNTHETIC_DEFAULTS.resolution;
  if (!Number.isInteger(resolution) || resolution < 16 || resolution % 2 !== 0) {
    throw new RangeError(`synthetic resolution must be an even integer ≥ 16 (H.264 4:2:0 needs even sizes), got ${resolution}`);
  }
  const units = splitUnits(size);
  const log = opts.log === undefined ? (line: string) => console.error(line) : opts.log;
  const want = { seed, size, resolution };

  const existing = await readManifest(root);
  if (!opts.force && matches(existing, want) && (await isComplete(root, existing))) {
    if (log) log(`synthetic set: reusing ${root} (seed ${seed}, size ${size}, generator v${GENERATOR_VERSION})`);
    return result(root, existing, false);
  }

  const started = performance.now();
  const g: SceneGeometry = { width: resolution, height: resolution, frames: SYNTHETIC_DEFAULTS.frames, fps: SYNTHETIC_DEFAULTS.fps };
  const tag = `${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const tmp = `${root}.tmp-${tag}`;
  await mkdir(path.dirname(root), { recursive: true });
  try {
    const planned = {} as Record<SplitName, PlannedSplit>;
    for (const split of ['train', 'validation', 'test'] as const) {
      await mkdir(path.join(tmp, 'media', split), { recursive: true });
      planned[split] = planSplit(split, units[split], seed, g, tmp);
    }
    const jobs = Object.values(planned).flatMap((p) => p.jobs);
    const limit = pLimit(opts.concurrency ?? Math.max(1, Math.min(4, os.availableParallelism())));
    let done = 0;
    await Promise.all(
      jobs.map((job) =>
        limit(async () => {
          await job.write();
          opts.onProgress?.({ done: ++done, total: jobs.length });
        }),
      ),
    );
    const splits = {} as SyntheticManifest['splits'];
    for (const split of ['train', 'validation', 'test'] as const) {
      const p = planned[split];
      const file = `${split}.json`;
      await writeFile(path.join(tmp, file), `${JSON.stringify(p.records, null, 1)}\n`);
      const byTask: Partial<Record<SyntheticTask, number>> = {};
      for (const r of p.records) byTask[r.task] = (byTask[r.task] ?? 0) + 1;
      splits[split] = { file, format: split === 'test' ? 'eval' : 'cot', questions: p.records.length, videos: p.videos, images: p.images, byTask };
    }
    const manifest: SyntheticManifest = {
      generator: '@video-r1/datasets/synthetic',
      generatorVersion: GENERATOR_VERSION,
      seed,
      size,
      resolution,
      frames: g.frames,
      fps: g.fps,
      splits,
      tasks: [...SYNTHETIC_TASKS],
      temporalTasks: [...TEMPORAL_TASKS],
      createdAt: new Date().toISOString(),
      generationMs: Math.round(performance.now() - started),
    };
    // The manifest goes last: a directory with a manifest is a complete set.
    await writeFile(path.join(tmp, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    await swapInto(tmp, root, want);
    const placed = (await readManifest(root)) ?? manifest;
    if (log) {
      log(
        `synthetic set: generated ${splits.train.questions}/${splits.validation.questions}/${splits.test.questions} train/validation/test questions (${jobs.length} media files) in ${(manifest.generationMs / 1000).toFixed(1)} s → ${root}`,
      );
    }
    return result(root, placed, true);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

async function swapInto(tmp: string, root: string, want: { seed: number; size: number; resolution: number }): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const old = `${root}.old-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    let moved = false;
    try {
      await rename(root, old);
      moved = true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    try {
      await rename(tmp, root);
      if (moved) await rm(old, { recursive: true, force: true });
      return;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (moved) await rm(old, { recursive: true, force: true });
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
      // Another process placed a set between our two renames; keep it if it is the one we want.
      const other = await readManifest(root);
      if (matches(other, want) && (await isComplete(root, other))) return;
    }
  }
  throw new Error(`could not place the synthetic set at ${root}: another process keeps replacing it`);
}

import { createRng, shuffled } from '@video-r1/tensor/random';
import { describe, expect, it } from 'vitest';
import { renderImage, renderMotion, renderWord } from '../src/synthetic/render.js';
import {
  SYNTHETIC_TASKS,
  TEMPORAL_TASKS,
  countSquares,
  describeMotion,
  flashCount,
  motionDirection,
  motionQuestions,
  sampleImageScene,
  sampleMotionScene,
  sampleWordScene,
  spelledWord,
  stopTime,
  type MotionScene,
  type SceneGeometry,
  type SyntheticTask,
  type WordScene,
} from '../src/synthetic/tasks.js';

const g: SceneGeometry = { width: 32, height: 32, frames: 16, fps: 2 };
const SCENES = 300;

const motions: MotionScene[] = Array.from({ length: SCENES }, (_, i) => sampleMotionScene(createRng(1000 + i), g).scene);
const words: WordScene[] = Array.from({ length: SCENES }, (_, i) => sampleWordScene(createRng(5000 + i), g).scene);

// Each temporal task's answer, computed by the generator's own functions from frame contents.
const temporalAnswer: Record<Exclude<SyntheticTask, 'image-count' | 'image-read'>, (frames: readonly unknown[], scene: MotionScene) => string> = {
  direction: (f) => String(motionDirection(f as MotionScene['frames'])),
  'flash-count': (f) => String(flashCount(f as MotionScene['frames'])),
  describe: (f, s) => describeMotion(f as MotionScene['frames'], s.shape),
  'stop-time': (f) => String(stopTime(f as MotionScene['frames'], g.fps)),
  word: (f) => spelledWord(f as WordScene['frames']),
};

function scenesFor(task: keyof typeof temporalAnswer): { frames: readonly unknown[]; scene: MotionScene }[] {
  if (task === 'word') return words.map((w) => ({ frames: w.frames, scene: motions[0]! }));
  return motions.map((m) => ({ frames: m.frames, scene: m }));
}

describe('temporal tasks depend on frame order', () => {
  it('lists the five video kinds as temporal and the image kinds as not', () => {
    expect([...TEMPORAL_TASKS].sort()).toEqual(['describe', 'direction', 'flash-count', 'stop-time', 'word']);
    expect(SYNTHETIC_TASKS.filter((t) => !t.temporal).map((t) => t.dataType)).toEqual(['image', 'image']);
    expect(new Set(SYNTHETIC_TASKS.map((t) => t.problemType)).size).toBe(5);
  });

  for (const task of TEMPORAL_TASKS as (keyof typeof temporalAnswer)[]) {
    it(`${task}: shuffling the frames changes the correct answer`, () => {
      const rng = createRng(42);
      let changed = 0;
      const items = scenesFor(task);
      for (const { frames, scene } of items) {
        const original = temporalAnswer[task](frames, scene);
        if (temporalAnswer[task](shuffled(frames, rng), scene) !== original) changed++;
      }
      // A shuffle can by chance keep an answer (e.g. two flashes land apart again), but rarely.
      expect(changed / items.length).toBeGreaterThanOrEqual(0.9);
    });
  }

  for (const task of ['direction', 'describe', 'stop-time', 'word'] as const) {
    it(`${task}: reversing the frames changes the answer of every item`, () => {
      const items = scenesFor(task);
      const unchanged = items.filter(({ frames, scene }) => temporalAnswer[task]([...frames].reverse(), scene) === temporalAnswer[task](frames, scene));
      expect(unchanged).toEqual([]);
    });
  }

  it('the image tasks do not depend on any order', () => {
    const scene = sampleImageScene(createRng(3), g);
    const reversed = { ...scene, squares: [...scene.squares].reverse() };
    expect(countSquares(reversed, scene.countColor)).toBe(countSquares(scene, scene.countColor));
  });
});

describe('scenes', () => {
  it('every motion scene moves one way, stops inside the clip and flashes 1–3 times, within the frame', () => {
    const bad = motions.filter((m) => {
      const stop = stopTime(m.frames, g.fps) * g.fps;
      const flashes = flashCount(m.frames);
      const inside = m.frames.every((f) => f.x >= 0 && f.y >= 0 && f.x + m.size <= g.width && f.y + m.size <= g.height - 4);
      return motionDirection(m.frames) === undefined || stop < 4 || stop > 12 || flashes < 1 || flashes > 3 || !inside;
    });
    expect(bad).toEqual([]);
  });

  it('covers every direction and flash count, with balanced answers', () => {
    const dirs = new Map<string, number>();
    for (const m of motions) {
      const d = motionDirection(m.frames)!;
      dirs.set(d, (dirs.get(d) ?? 0) + 1);
    }
    expect(dirs.size).toBe(4);
    for (const n of dirs.values()) expect(n).toBeGreaterThan(SCENES / 8);
    expect(new Set(motions.map((m) => flashCount(m.frames)))).toEqual(new Set([1, 2, 3]));
  });

  it('questions carry answers consistent with the frames and short rationales', () => {
    const qs = motionQuestions(motions[0]!, g);
    expect(qs.map((q) => q.task)).toEqual(['direction', 'stop-time', 'describe', 'flash-count']);
    expect(qs[0]!.answer).toBe('ABCD'['left right up down'.split(' ').indexOf(motionDirection(motions[0]!.frames)!)]);
    expect(qs[3]!.answer).toBe(String(flashCount(motions[0]!.frames)));
    for (const q of qs) expect(q.reasoning.length).toBeLessThan(200);
  });

  it('renders what the frame contents say: the shape moves and the light bar turns on', () => {
    const m = motions[0]!;
    const v = renderMotion(m, g);
    expect(v.data.length).toBe(16 * 32 * 32 * 3);
    const frame = (t: number) => v.data.subarray(t * 32 * 32 * 3, (t + 1) * 32 * 32 * 3);
    const lit = (t: number) => frame(t)[((32 - 2) * 32 + 16) * 3]!; // a pixel in the middle of the light bar
    for (let t = 0; t < 16; t++) expect(lit(t) > 200).toBe(m.frames[t]!.light);
    expect(Buffer.compare(Buffer.from(frame(0)), Buffer.from(frame(15)))).not.toBe(0);
    const w = renderWord(words[0]!, g);
    expect(w.frames).toBe(16);
    const img = renderImage(sampleImageScene(createRng(9), g), g);
    expect(img.data.some((b) => b > 0)).toBe(true);
  });
});

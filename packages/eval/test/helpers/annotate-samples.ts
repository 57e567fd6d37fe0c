/**
 * Video-R1-260k-style samples for the annotation tests: one per problem type plus an image, each
 * naming its id as `Q<id>:` so the scripted server knows which question it is asked, and media
 * files (empty: the tests inject the frame loader) under a media root.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { VideoR1Record } from '@video-r1/datasets';

export const TYPE_SAMPLES: VideoR1Record[] = [
  { problem_id: 0, problem: 'Q0: which box moved first?', data_type: 'video', problem_type: 'multiple choice', options: ['A. red', 'B. blue', 'C. green'], solution: '<answer>B</answer>', path: './videos/clip0.mp4', data_source: 'LLaVA-Video-178K/a' },
  { problem_id: 1, problem: 'Q1: how many flashes?', data_type: 'video', problem_type: 'numerical', options: [], solution: '<answer>3</answer>', path: './videos/clip1.mp4', data_source: 'STAR' },
  { problem_id: 2, problem: 'Q2: what does the sign say?', data_type: 'image', problem_type: 'OCR', options: [], solution: '<answer>EXIT 12 Gate B</answer>', path: './images/sign.png', data_source: 'TextVQA' },
  { problem_id: 3, problem: 'Q3: describe the scene.', data_type: 'video', problem_type: 'free-form', options: [], solution: '<answer>A dog runs in the park</answer>', path: './videos/clip3.mp4', data_source: 'STAR' },
  { problem_id: 4, problem: 'Q4: how far, in metres?', data_type: 'image', problem_type: 'regression', options: [], solution: '<answer>10</answer>', path: './images/room.jpg', data_source: 'SAT', extra_field: { kept: true } },
];

/** `n` multiple-choice video samples (ids 0…n-1), answer letter by id. */
export function manySamples(n: number): VideoR1Record[] {
  return Array.from({ length: n }, (_, i) => ({
    problem_id: i,
    problem: `Q${i}: which box moved first?`,
    data_type: 'video',
    problem_type: 'multiple choice',
    options: ['A. red', 'B. blue', 'C. green', 'D. none'],
    solution: `<answer>${'ABCD'[i % 4]}</answer>`,
    path: `./videos/clip${i % 3}.mp4`,
    data_source: i % 2 === 0 ? 'even' : 'odd',
  }));
}

/** The scripted reply to question `id` of `manySamples`: right (with a think block) on even ids, wrong on odd ones. */
export function manyAnswer(id: number): string {
  return `<think>Question ${id}: the red box starts moving first, let me check.</think><answer>${id % 2 === 0 ? 'ABCD'[id % 4] : 'Z'}</answer>`;
}

export function questionId(text: string): number {
  const match = /Q(\d+):/.exec(text);
  if (!match) throw new Error(`no question id in ${JSON.stringify(text.slice(0, 80))}`);
  return Number(match[1]);
}

/** Creates every media file the samples name under `root` (empty files). */
export async function writeMedia(root: string, samples: readonly VideoR1Record[]): Promise<void> {
  for (const s of samples) {
    const file = join(root, String(s.path));
    await mkdir(join(file, '..'), { recursive: true });
    await writeFile(file, '');
  }
}

/** Frames a fake loader returns: 2 for a video, 1 for an image, 8×8 grey. */
export async function fakeFrames(media: { kind: 'video' | 'image' }): Promise<{ data: Uint8Array; frames: number; height: number; width: number }> {
  const frames = media.kind === 'video' ? 2 : 1;
  return { data: new Uint8Array(frames * 8 * 8 * 3).fill(128), frames, height: 8, width: 8 };
}

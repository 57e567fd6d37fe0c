/**
 * What a Video-R1-260k-sized annotation costs on disk and in memory: builds N records shaped like
 * Video-R1-260k's with a ~700-character chain of thought each, then times one rewrite of the three
 * output files (what a run does every few seconds) and one streamed read (what a resume does).
 * Times are CPU seconds of this process (user + system), so that other jobs on a shared machine do
 * not inflate them; the summary is timed cold and again with its per-record lengths memoised.
 * Run: pnpm --filter @video-r1/eval exec tsx bench/annotate-files.ts [N = 263071]
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { annotationPaths, readAnnotationFile, summarizeAnnotation, writeAnnotationFiles } from '../src/index.js';
import type { AnnotatedRecord, AnnotationInfo } from '../src/index.js';

const n = Number(process.argv[2] ?? '263071');
const think = 'Let me think about the video. The red box starts moving first, then the blue one follows; wait, I should check the order again. '.repeat(6);
const records: AnnotatedRecord[] = Array.from({ length: n }, (_, i) => {
  const output = `<think>${think}${i}</think>\n<answer>${'ABCD'[i % 4]}</answer>`;
  return {
    problem_id: i,
    problem: `Which of the following happens first in the video, and what does the person do right after the object ${i} falls off the table?`,
    data_type: 'video',
    problem_type: 'multiple choice',
    options: ['A. The person picks it up', 'B. The person leaves the room', 'C. The dog runs in', 'D. Nothing happens'],
    solution: `<answer>${'ABCD'[i % 4]}</answer>`,
    path: `./LLaVA-Video-178K/liwei_youtube_videos/videos/youtube_video_2024/ytb_${String(i).padStart(8, '0')}.mp4`,
    data_source: 'LLaVA-Video-178K/1_2_m_youtube_v0_1',
    answer: 'ABCD'[i % 4]!,
    reward: 1,
    select: i % 3 !== 0,
    process: `<think>${think}${i}</think>`,
    output,
    cot_key: `id:${i}`,
  };
});
const info = { tool: 'bench', model: 'bench', samples_per_question: 1, prompt_template: 'cot', select_threshold: 0.6, samples: n, complete: true, started_at: '', updated_at: '' } satisfies AnnotationInfo;

const dir = await mkdtemp(join(tmpdir(), 'annotate-files-bench-'));
try {
  const paths = annotationPaths(dir);
  const cpu = (): number => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  let t = cpu();
  const summary = summarizeAnnotation(records, n);
  const summarizeMs = cpu() - t;
  t = cpu();
  summarizeAnnotation(records, n);
  const resummarizeMs = cpu() - t;
  t = cpu();
  await writeAnnotationFiles(paths, records, info, summary);
  const writeMs = cpu() - t;
  const mb = (p: string): Promise<number> => stat(p).then((s) => s.size / 1e6);
  const [resultsMb, sftMb] = await Promise.all([mb(paths.results), mb(paths.sft)]);
  const heldMb = process.memoryUsage().heapUsed / 1e6;
  t = cpu();
  const back = await readAnnotationFile(paths.results);
  const readMs = cpu() - t;
  if (back.results.length !== n) throw new Error(`read ${back.results.length} records, expected ${n}`);
  console.log(`${n} records: cot_results.json ${resultsMb.toFixed(0)} MB, cot_sft.json ${sftMb.toFixed(0)} MB; heap with the records ${heldMb.toFixed(0)} MB`);
  console.log(`CPU time: summary ${(summarizeMs / 1000).toFixed(2)} s (again: ${(resummarizeMs / 1000).toFixed(2)} s), write of the three files ${(writeMs / 1000).toFixed(1)} s, streamed read ${(readMs / 1000).toFixed(1)} s; peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
} finally {
  await rm(dir, { recursive: true, force: true });
}

/**
 * Text-only samples (empty `path`: no media) with known answers, and the scripted model that answers them: right on even
 * ids, wrong on odd ones (regression: off by 33 %, which MRA scores 0.4).
 */
import type { ProblemType, VideoR1Record } from '@video-r1/datasets';

const LETTERS = 'ABCD';

export function testSamples(n: number): VideoR1Record[] {
  return Array.from({ length: n }, (_, i): VideoR1Record => {
    const kind = i % 3;
    if (kind === 0) {
      return { problem_id: i, problem: `Q${i}: which box moved first?`, problem_type: 'multiple choice', data_type: 'video', path: '', options: ['A. red', 'B. blue', 'C. green', 'D. none'], solution: `<answer>${LETTERS[i % 4]}</answer>` };
    }
    if (kind === 1) return { problem_id: i, problem: `Q${i}: how many flashes?`, problem_type: 'numerical', data_type: 'video', path: '', options: [], solution: `<answer>${i}</answer>` };
    return { problem_id: i, problem: `Q${i}: how far, in cm?`, problem_type: 'regression', data_type: 'video', path: '', options: [], solution: '<answer>100</answer>' };
  });
}

/** The id a prompt is about (`Q<id>:`). */
export function questionId(text: string): number {
  const match = /Q(\d+):/.exec(text);
  if (!match) throw new Error(`no question id in ${JSON.stringify(text.slice(0, 80))}`);
  return Number(match[1]);
}

/** The scripted model's reply to question `id`. */
export function scriptedAnswer(id: number, right = id % 2 === 0): string {
  const kind = id % 3;
  const answer = kind === 0 ? (right ? LETTERS[id % 4]! : 'Z') : kind === 1 ? String(right ? id : id + 1) : right ? '100' : '133';
  return `<think>Let me look at question ${id} frame by frame.</think><answer>${answer}</answer>`;
}

/** The reward Video-R1's reward_fn gives `scriptedAnswer(id)` (regression: MRA of 133 vs 100 is 4/10 thresholds). */
export function expectedReward(id: number): number {
  if (id % 2 === 0) return 1;
  return id % 3 === 2 ? 0.4 : 0;
}

/**
 * A text-only record (empty `path`: no media) from the fields a test cares about. `problem_type`
 * may be any string: files hold types outside Video-R1's five, which score 0.
 */
export function textRecord(fields: { problem: string; problem_type: string; solution: string; [field: string]: unknown }): VideoR1Record {
  return { data_type: 'video', path: '', ...fields, problem_type: fields.problem_type as ProblemType };
}

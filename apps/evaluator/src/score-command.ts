import path from 'node:path';
import { writeJsonAtomic } from '@video-r1/cli-kit';
import { rescoreFile, runTables } from '@video-r1/eval';
import type { ScoringProfile } from '@video-r1/eval';
import { defineCommand } from 'citty';
import { userPath } from './paths.js';

export const scoreCommand = defineCommand({
  meta: { name: 'score', description: "Recompute rewards and summaries of existing output files (ours or eval_bench.py's)." },
  args: {
    files: { type: 'positional', description: 'predictions file(s) in Video-R1 output format', required: true },
    profile: { type: 'enum', options: ['video-r1', 'lmms-eval'], default: 'video-r1', description: 'scoring profile' },
    benchmark: { type: 'string', description: 'benchmark of the file(s) (default: from the file, e.g. eval_vsibench_….json → vsibench)' },
    out: { type: 'string', description: 'write the re-scored file here (one input file only)' },
  },
  async run({ args }) {
    const files = [args.files, ...args._.filter((f) => f !== args.files)].map(userPath);
    if (args.out !== undefined && files.length !== 1) throw new Error('--out needs exactly one input file');
    for (const file of files) {
      const options: Parameters<typeof rescoreFile>[1] = { profile: args.profile as ScoringProfile };
      if (args.benchmark !== undefined) options.benchmark = args.benchmark;
      const { body, previousFinalAcc } = await rescoreFile(file, options);
      const summary = body.summary!;
      const benchmark = Object.keys(summary.by_benchmark)[0] ?? path.basename(file);
      console.log(`\n${file}`);
      console.log(`final_acc in the file: ${JSON.stringify(previousFinalAcc ?? null)}`);
      console.log(`final_acc recomputed:  ${JSON.stringify([summary.final_acc])}`);
      console.log(runTables({ benchmark, maxFrames: Number(body.evaluation?.max_frames ?? Number.NaN), outputPath: file, summary, resumed: 0, evaluated: 0, errors: summary.total.errors }));
      if (args.out !== undefined) {
        await writeJsonAtomic(userPath(args.out), body);
        console.log(`written: ${userPath(args.out)}`);
      }
    }
  },
});

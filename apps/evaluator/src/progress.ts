/**
 * Progress of a suite on the terminal: one bar per benchmark × frame budget (cli-kit's
 * `Progress`), with rate and ETA measured over the answers of this run (resumed samples
 * excluded). Without a TTY (CI, pipes) a line is printed every 10 % instead.
 */
import { formatDuration, Progress } from '@video-r1/cli-kit';
import { benchmarkDisplayName } from '@video-r1/eval';
import type { RunProgress } from '@video-r1/eval';

type SuiteProgress = RunProgress & { job: number; jobs: number };

export class ProgressView {
  private readonly progress = new Progress({ plainEta: false });
  private job = -1;

  update(p: SuiteProgress): void {
    if (p.job !== this.job) {
      this.job = p.job;
      this.progress.start(`[${p.job}/${p.jobs}] ${benchmarkDisplayName(p.benchmark)} @ ${p.maxFrames} frames`, p.total, p.done);
    }
    const { perSecond, etaSeconds } = this.progress.measure(p.done);
    this.progress.update(p.done, `(${perSecond.toFixed(2)}/s, ETA ${formatDuration(etaSeconds)}, errors ${p.errors})`);
  }

  stop(): void {
    this.progress.close();
  }
}

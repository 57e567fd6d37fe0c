/**
 * Progress of an annotation run on the terminal: cli-kit's `Progress` bar with the rate and ETA
 * of this run's answers (resumed records excluded), the running selection rate and the failures.
 * Without a TTY (CI, pipes, nohup) a line is printed every 5 % instead.
 */
import { formatDuration, formatPercent, Progress } from '@video-r1/cli-kit';
import type { AnnotationProgress } from '@video-r1/eval';

export class AnnotationProgressView {
  private readonly progress = new Progress({ linesPerStage: 20, plainEta: false });
  private started = false;

  /** `retries`: requests retried so far, when the model can tell. */
  constructor(private readonly retries: () => number = () => 0) {}

  update(p: AnnotationProgress): void {
    if (!this.started) {
      this.started = true;
      this.progress.start('annotate', p.total, p.done);
    }
    const { perSecond, etaSeconds } = this.progress.measure(p.done);
    const selected = formatPercent(p.selectionRate, { sign: true });
    this.progress.update(p.done, `(${perSecond.toFixed(2)} samples/s, ETA ${formatDuration(etaSeconds)}, selected ${selected}, failed ${p.failed}, retries ${this.retries()})`);
  }

  stop(): void {
    this.progress.close();
  }
}

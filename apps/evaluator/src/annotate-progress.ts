/**
 * Progress of an annotation run on the terminal: a cli-progress bar with the rate and ETA of this
 * run's answers (resumed records excluded), the running selection rate and the failures. Without
 * a TTY (CI, pipes, nohup) a line is printed every 5 % instead.
 */
import cliProgress from 'cli-progress';
import type { AnnotationProgress } from '@video-r1/eval';

function duration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '–';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : m > 0 ? `${m}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

export interface ProgressFields {
  rate: string;
  eta: string;
  selected: string;
  failed: number;
  retries: number;
}

/** The numbers shown: samples/s and ETA over this run's answers, selection over every answered record. */
export function progressFields(p: AnnotationProgress, elapsedSeconds: number, doneAtStart: number, retries = 0): ProgressFields {
  const answered = p.done - doneAtStart;
  const rate = elapsedSeconds > 0 ? answered / elapsedSeconds : 0;
  return {
    rate: rate.toFixed(2),
    eta: rate > 0 ? duration((p.total - p.done) / rate) : '–',
    selected: p.selectionRate === null ? '–' : `${(p.selectionRate * 100).toFixed(1)}%`,
    failed: p.failed,
    retries,
  };
}

export class AnnotationProgressView {
  private bar: cliProgress.SingleBar | null = null;
  private started = 0;
  private doneAtStart = -1;
  private lastStep = -1;
  private readonly tty = Boolean(process.stderr.isTTY);

  /** `retries`: requests retried so far, when the model can tell. */
  constructor(private readonly retries: () => number = () => 0) {}

  update(p: AnnotationProgress): void {
    if (this.doneAtStart < 0) {
      this.doneAtStart = p.done;
      this.started = Date.now();
      if (this.tty) {
        this.bar = new cliProgress.SingleBar(
          {
            format: ' annotate |{bar}| {value}/{total} | {rate} samples/s | ETA {eta} | selected {selected} | failed {failed} | retries {retries}',
            barCompleteChar: '█',
            barIncompleteChar: '░',
            hideCursor: true,
            stream: process.stderr,
            clearOnComplete: false,
          },
          cliProgress.Presets.shades_classic,
        );
        this.bar.start(p.total, p.done, this.fields(p));
        return;
      }
    }
    if (this.bar) {
      this.bar.update(p.done, this.fields(p));
      return;
    }
    const step = p.total === 0 ? 20 : Math.floor((p.done / p.total) * 20);
    if (step !== this.lastStep) {
      this.lastStep = step;
      const f = this.fields(p);
      process.stderr.write(`annotate: ${p.done}/${p.total} (${f.rate} samples/s, ETA ${f.eta}, selected ${f.selected}, failed ${f.failed}, retries ${f.retries})\n`);
    }
  }

  private fields(p: AnnotationProgress): ProgressFields {
    return progressFields(p, (Date.now() - this.started) / 1000, this.doneAtStart, this.retries());
  }

  stop(): void {
    this.bar?.stop();
    this.bar = null;
  }
}

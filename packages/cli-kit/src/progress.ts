// One progress display for every tool: a cli-progress bar on a terminal, plain lines elsewhere
// (CI, pipes, child processes in tests), so long work always shows that it moves.
import cliProgress from 'cli-progress';
import { formatDuration } from './format.js';

export interface ProgressOptions {
  /** Default `process.stderr`. */
  stream?: NodeJS.WriteStream;
  /**
   * Without a terminal: `lines` (default) prints about ten lines per stage plus the last one;
   * `none` prints nothing (for tools whose stdout/stderr are read by programs).
   */
  withoutTerminal?: 'lines' | 'none';
  /** Plain lines per stage without a terminal (default 10). */
  linesPerStage?: number;
  /** Append ` (eta …)` to plain lines (default true; off for callers whose status says it). */
  plainEta?: boolean;
}

/** Rate and remaining time of a stage, over the work done since its `start`. */
export interface ProgressMeasure {
  perSecond: number;
  /** `NaN` before there is a rate. */
  etaSeconds: number;
}

/**
 * Stages of work, one bar each (a finished bar stays on screen, the next stage gets a new one
 * below). The rate and ETA count only the work done since `start`, so a resumed stage (started
 * at a value above 0) does not look faster than it is. Messages go through `log` so they do not
 * tear the bar.
 */
export class Progress {
  private readonly stream: NodeJS.WriteStream;
  private readonly plain: 'lines' | 'none';
  private multibar: cliProgress.MultiBar | null = null;
  private bar: cliProgress.SingleBar | null = null;
  private label = '';
  private total = 0;
  private startValue = 0;
  private startedAt = 0;
  private lastLogged = -1;
  private readonly lines: number;
  private readonly plainEta: boolean;

  constructor(options: ProgressOptions = {}) {
    this.stream = options.stream ?? process.stderr;
    this.plain = options.withoutTerminal ?? 'lines';
    this.lines = options.linesPerStage ?? 10;
    this.plainEta = options.plainEta ?? true;
  }

  get isTerminal(): boolean {
    return Boolean(this.stream.isTTY);
  }

  start(label: string, total: number, value = 0): void {
    this.stop();
    this.label = label;
    this.total = total;
    this.startValue = value;
    this.startedAt = Date.now();
    this.lastLogged = -1;
    if (this.isTerminal) {
      this.multibar ??= new cliProgress.MultiBar(
        {
          format: '{label} |{bar}| {value}/{total} {status} | {duration_formatted} elapsed, eta {eta_formatted}',
          barsize: 24,
          hideCursor: true,
          clearOnComplete: false,
          etaBuffer: 20,
          stream: this.stream,
        },
        cliProgress.Presets.shades_classic,
      );
      this.bar = this.multibar.create(total, value, { label, status: '' });
    } else if (this.plain === 'lines') {
      this.stream.write(`${label}: ${value}/${total}\n`);
      this.lastLogged = value;
    }
  }

  /** `status`: short text after the counter, e.g. `reward 1.42 acc 0.61`. */
  update(value: number, status = ''): void {
    if (this.bar) {
      this.bar.update(value, { label: this.label, status });
      return;
    }
    if (this.plain === 'none') return;
    const every = Math.max(1, Math.ceil(this.total / this.lines));
    if (value === this.total || value - this.lastLogged >= every) {
      this.lastLogged = value;
      this.stream.write(`${this.label}: ${value}/${this.total}${status ? ` ${status}` : ''}${this.eta(value)}\n`);
    }
  }

  /** Items per second and seconds left, counting only the work done since `start`. */
  measure(value: number): ProgressMeasure {
    const done = value - this.startValue;
    const seconds = (Date.now() - this.startedAt) / 1000;
    const perSecond = done > 0 && seconds > 0 ? done / seconds : 0;
    return { perSecond, etaSeconds: perSecond > 0 ? (this.total - value) / perSecond : Number.NaN };
  }

  /** ` (eta 3 min 05 s)`; empty before there is a rate, once done, or when the status says it. */
  private eta(value: number): string {
    if (!this.plainEta || value >= this.total) return '';
    const { etaSeconds } = this.measure(value);
    return Number.isFinite(etaSeconds) ? ` (eta ${formatDuration(etaSeconds)})` : '';
  }

  log(message: string): void {
    if (this.multibar && this.bar) this.multibar.log(`${message}\n`);
    else this.stream.write(`${message}\n`);
  }

  /** Ends the current stage; its bar stays at its last value. */
  stop(): void {
    this.bar = null;
  }

  /** Ends the display (restores the cursor). */
  close(): void {
    this.stop();
    this.multibar?.stop();
    this.multibar = null;
  }
}

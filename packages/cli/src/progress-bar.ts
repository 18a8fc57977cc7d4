// A progress bar over N items on stderr: redrawn in place on a terminal, one line per item otherwise
// (a log file or CI keeps every step).

export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

const BAR_WIDTH = 24;

export class ProgressBar {
  private readonly started = performance.now();
  private drawn = false;

  constructor(private readonly total: number, private readonly stream: ProgressStream = process.stderr) {}

  /** `done` of `total` items finished; `label` says which and how it went. */
  update(done: number, label: string): void {
    const perItem = (performance.now() - this.started) / Math.max(done, 1) / 1000;
    const counts = `${done}/${this.total}`;
    if (!this.stream.isTTY) {
      this.stream.write(`[${counts}] ${label}\n`);
      return;
    }
    const filled = Math.round((BAR_WIDTH * done) / this.total);
    const line = `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${counts} ${perItem.toFixed(1)} s/image  ${label}`;
    const width = Math.max((this.stream.columns ?? 80) - 1, 10);
    this.stream.write(`\r${line.length > width ? `${line.slice(0, width - 1)}…` : line.padEnd(width)}`);
    this.drawn = true;
  }

  /** Ends the bar's line on a terminal, so that what follows starts on a fresh one. */
  finish(): void {
    if (this.drawn) this.stream.write('\n');
    this.drawn = false;
  }
}

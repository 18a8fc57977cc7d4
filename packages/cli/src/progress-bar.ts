// A progress bar over N items (images, steps) on stderr: redrawn in place on a terminal, one line per
// item otherwise (a log file or CI keeps every step). `log` keeps a line above the bar on a terminal.

export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

const BAR_WIDTH = 24;

export class ProgressBar {
  private readonly started = performance.now();
  private drawn = '';

  /** `unit`: what an item is, for the rate ("s/image", "s/step"). */
  constructor(private readonly total: number, private readonly stream: ProgressStream = process.stderr, private readonly unit = 'image') {}

  /** `done` of `total` items finished; `label` says which and how it went. */
  update(done: number, label: string): void {
    const perItem = (performance.now() - this.started) / Math.max(done, 1) / 1000;
    const counts = `${done}/${this.total}`;
    if (!this.stream.isTTY) {
      this.stream.write(`[${counts}] ${label}\n`);
      return;
    }
    const filled = Math.round((BAR_WIDTH * done) / this.total);
    const line = `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${counts} ${perItem.toFixed(1)} s/${this.unit}  ${label}`;
    this.drawn = `\r${this.fitted(line)}`;
    this.stream.write(this.drawn);
  }

  /** A line that stays: on a terminal written over the bar, which is drawn again below it; elsewhere as it is. */
  log(line: string): void {
    if (!this.stream.isTTY || !this.drawn) {
      this.stream.write(`${line}\n`);
      return;
    }
    this.stream.write(`\r${this.fitted(line)}\n${this.drawn}`);
  }

  private fitted(line: string): string {
    const width = Math.max((this.stream.columns ?? 80) - 1, 10);
    return line.length > width ? `${line.slice(0, width - 1)}…` : line.padEnd(width);
  }

  /** Ends the bar's line on a terminal, so that what follows starts on a fresh one. */
  finish(): void {
    if (this.drawn) this.stream.write('\n');
    this.drawn = '';
  }
}

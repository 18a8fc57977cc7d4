// The timings panel: model load, shader compilation (estimated as first minus steady inference: the
// first run compiles every pipeline), first and steady inference, and the engine's per-stage times.
import type { DetectTimings, EngineInfo } from '@webglip/core/worker/protocol.ts';

export class TimingsPanel {
  private info: EngineInfo | null = null;
  private first: number | null = null;
  private steady: number[] = [];
  private stages: Record<string, number> = {};

  constructor(private readonly list: HTMLDListElement) {
    this.render();
  }

  loaded(info: EngineInfo): void {
    this.info = info;
    this.first = null;
    this.steady = [];
    this.stages = {};
    this.render();
  }

  inferred(timings: DetectTimings): void {
    if (this.first === null) this.first = timings.totalMs;
    else this.steady.push(timings.totalMs);
    this.stages = timings.stages;
    this.render();
  }

  private render(): void {
    const steady = this.steady.length > 0 ? median(this.steady) : null;
    const rows: [string, string][] = [
      ['Backend', this.info ? `${this.info.backend}${this.info.adapter ? ` (${this.info.adapter})` : ''}` : '—'],
      ['Model load', ms(this.info?.loadMs ?? null)],
      ['Shader compile (first − steady)', ms(this.first !== null && steady !== null ? Math.max(0, this.first - steady) : null)],
      ['First inference', ms(this.first)],
      [`Steady inference (median of ${this.steady.length})`, ms(steady)],
      // The engine reports 0 for a stage served from its cache (the image was encoded when it was set,
      // the prompt when it was typed), so those read "cached" rather than a time.
      ...Object.entries(this.stages).map(([stage, t]): [string, string] => [`· ${stage}`, t === 0 ? 'cached' : ms(t)]),
    ];
    this.list.replaceChildren(
      ...rows.flatMap(([name, value]) => {
        const dt = document.createElement('dt');
        const dd = document.createElement('dd');
        dt.textContent = name;
        dd.textContent = value;
        return [dt, dd];
      }),
    );
  }
}

function ms(value: number | null): string {
  return value === null ? '—' : value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(0)} ms`;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

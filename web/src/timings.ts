// The timings panel: model load, shader compilation (estimated as first minus steady inference: the
// first run compiles every pipeline), first and steady inference, and the engine's per-stage times.
// A stage reads "cached" only when the engine's cache served it in that detection (DetectTimings.cached,
// by its counters); the backbone run the demo starts when an image is set is shown with that run's time.
import type { DetectTimings, EngineInfo } from '@webglip/core/client';

export class TimingsPanel {
  private info: EngineInfo | null = null;
  private first: number | null = null;
  private steady: number[] = [];
  private stages: [string, string][] = [];

  constructor(private readonly list: HTMLDListElement) {
    this.render();
  }

  loaded(info: EngineInfo): void {
    this.info = info;
    this.first = null;
    this.steady = [];
    this.stages = [];
    this.render();
  }

  /** `backboneWhenSet`: the time of the backbone run for this image when it was set (null: none ran then). */
  inferred(timings: DetectTimings, backboneWhenSet: number | null = null): void {
    const total = timings.totalMs + (backboneWhenSet ?? 0);
    if (this.first === null) this.first = total;
    else this.steady.push(total);
    this.stages = Object.entries(timings.stages).map(([stage, t]): [string, string] => {
      if (stage === 'backbone' && backboneWhenSet !== null) return [`· ${stage}`, `${ms(backboneWhenSet)} (when the image was set)`];
      return [`· ${stage}`, timings.cached.includes(stage as DetectTimings['cached'][number]) ? 'cached' : ms(t)];
    });
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
      ...this.stages,
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

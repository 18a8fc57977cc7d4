// Percentiles of timing samples (nearest rank), rounded for the report.

export interface Summary {
  runs: number;
  p50: number;
  p90: number;
  min: number;
}

export function percentile(samples: readonly number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export function round(x: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

export function summarize(samples: readonly number[]): Summary {
  return { runs: samples.length, p50: round(percentile(samples, 50)), p90: round(percentile(samples, 90)), min: round(Math.min(...samples)) };
}

import { describe, expect, it } from 'vitest';
import { percentile, summarize } from './stats.ts';

describe('percentile (nearest rank)', () => {
  it('picks the sample at rank ceil(p·n)', () => {
    const xs = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];
    expect(percentile(xs, 50)).toBe(5);
    expect(percentile(xs, 90)).toBe(9);
    expect(percentile(xs, 100)).toBe(10);
    expect(percentile([42], 90)).toBe(42);
  });

  it('summarises runs without reordering the input', () => {
    const xs = [3, 1, 2];
    expect(summarize(xs)).toEqual({ runs: 3, p50: 2, p90: 3, min: 1 });
    expect(xs).toEqual([3, 1, 2]);
  });
});

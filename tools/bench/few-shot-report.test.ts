// The few-shot report's arithmetic: the loss curve read from webglip tune's lines, its convergence step.
import { describe, expect, it } from 'vitest';
import { convergenceStep, fewShotMarkdown, tuneLosses } from './few-shot-report.ts';

describe('few-shot report', () => {
  it('reads every step line of webglip tune, in order, and nothing else', () => {
    const stderr = ['training set: 4 image(s)', 'step 1/3: loss 3.2459 (token 1.5, box 0.6, centerness 0.7), 0.5 examples/s', '[1/3] loss 3.2459',
      'step 2/3: loss 2.7996 (token 1.5, box 0.6, centerness 0.7), 0.5 examples/s', 'step 3/3: loss 2.5 (token 1, box 0.6, centerness 0.7), 0.6 examples/s'].join('\n');
    expect(tuneLosses(stderr)).toEqual([3.2459, 2.7996, 2.5]);
    expect(() => tuneLosses('step 2/3: loss 1 (x)')).toThrow(/step 2 after step 0/);
  });

  it('converges where the running mean first comes within 5 % of the last window', () => {
    const curve = [10, 8, 6, 4, 3, 2.2, 2.1, 2, 2, 2, 2, 2, 2, 2, 2];
    // last window's mean 2; steps 5–9 average 2.26 > 2.1, steps 6–10 average 2.06 ≤ 2 · 1.05: step 10
    expect(convergenceStep(curve)).toBe(10);
    expect(convergenceStep([3, 2, 1])).toBe(3); // too short to tell: its last step
  });

  it('tables the rows with deltas to zero-shot and the cost as ratios', () => {
    const md = fewShotMarkdown(
      [
        { shots: 0, taughtPhrasesOnly: false, trainingImages: 0, novelAp50: 0.014, novelAp: 0.01, oldAp50: 0.964, oldAp: 0.8, steps: 0, firstLoss: null, lastLoss: null },
        { shots: 5, taughtPhrasesOnly: true, trainingImages: 14, novelAp50: 0.414, novelAp: 0.3, oldAp50: 0.9, oldAp: 0.7, steps: 40, firstLoss: 3, lastLoss: 1 },
      ],
      { backend: 'wasm', inferenceMs: 500, inferencePeakBytes: 2 ** 20, tuningStepMs: 5000, tuningPeakBytes: 4 * 2 ** 20, batchSize: 4, convergence: { shots: 5, step: 20, ms: 100_000 } },
    );
    expect(md).toContain('| 5, taught rows only | 14 | 0.414 (+0.400) |');
    expect(md).toContain('0.900 (-0.064)');
    expect(md).toContain('10× the time');
    expect(md).toContain('peak tensor memory 4×');
    expect(md).toContain('converged by step 20');
    expect(md).toContain('200× one inference');
  });
});

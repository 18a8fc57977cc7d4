import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { candidateTensors, readCandidates } from '@webglip/core/engine';
import { CASE_A_DIR } from '@webglip/core/testing';
import { quietRun as quietRunCommand } from '../testing/quiet-run.ts';
import { candidateSetDiff, run } from './parity.ts';

// A synthetic level that reaches the PRE_NMS_TOP_N cap: 20 anchors × 2 phrases, INFERENCE_TH 0.05;
// 15 (anchor, phrase) pairs pass the threshold with phrase scores 0.2 + 0.02·j (j = 0..14), the rest score 0.01.
// The highest one (j = 14) sits on an anchor whose centerness logit is −10, so its ranking key
// p·sigmoid(ctr) is tiny: with PRE_NMS_TOP_N = 5 the official set is j = 13, 12, 11, 10, 9.
const P = 2;
const A = 20;
const TH = 0.05;
const TOP_N = 5;
const PAIRS = Array.from({ length: 15 }, (_, j) => (j * 7) % (A * P)); // distinct keys anchor·P + phrase
const LOW_CENTERNESS_ANCHOR = Math.floor(PAIRS[14] / P);

function level(): { agg: Float32Array; centerness: Float32Array } {
  const agg = new Float32Array(A * P).fill(0.01);
  PAIRS.forEach((k, j) => (agg[k] = 0.2 + 0.02 * j));
  const centerness = new Float32Array(A);
  centerness[LOW_CENTERNESS_ANCHOR] = -10;
  return { agg, centerness };
}
const pairs = (...js: number[]) => new Set(js.map((j) => PAIRS[j]));

describe('parity: candidate set of a level (candidateSetDiff)', () => {
  it('on a capped level, takes the top PRE_NMS_TOP_N by p·sigmoid(centerness) as the official set', () => {
    const { agg, centerness } = level();
    expect(PAIRS.map((k) => Math.floor(k / P)).filter((a) => a === LOW_CENTERNESS_ANCHOR)).toHaveLength(1);
    const d = candidateSetDiff(pairs(13, 12, 11, 10, 9), agg, centerness, P, TH, TOP_N);
    expect(d).toEqual({ capped: true, onlyOurs: [], onlyOfficial: [], unexplained: [] });
  });

  it('flags a capped level whose set follows the phrase score instead of the ranking key', () => {
    const { agg, centerness } = level();
    const d = candidateSetDiff(pairs(14, 13, 12, 11, 10), agg, centerness, P, TH, TOP_N);
    expect(d.onlyOurs).toEqual([PAIRS[14]]);
    expect(d.onlyOfficial).toEqual([PAIRS[9]]);
    expect(d.unexplained.sort()).toEqual([PAIRS[14], PAIRS[9]].sort());
  });

  it('accepts a swap at the cap between two keys within the margin, and only there', () => {
    const { agg, centerness } = level();
    agg[PAIRS[8]] = agg[PAIRS[9]] - 1e-5; // j = 8 now ties j = 9, the last one kept
    expect(candidateSetDiff(pairs(13, 12, 11, 10, 8), agg, centerness, P, TH, TOP_N).unexplained).toEqual([]);
    expect(candidateSetDiff(pairs(13, 12, 11, 10, 7), agg, centerness, P, TH, TOP_N).unexplained).toEqual([PAIRS[7]]); // j = 9's absence is the tie, j = 7 is not
  });

  it('on an uncapped level, the official set is every pair above INFERENCE_TH; only near-threshold pairs may differ', () => {
    const { agg, centerness } = level();
    const all = PAIRS.map((_, j) => j);
    expect(candidateSetDiff(pairs(...all), agg, centerness, P, TH, 1000)).toEqual({ capped: false, onlyOurs: [], onlyOfficial: [], unexplained: [] });
    agg[PAIRS[0]] = TH + 5e-5;
    expect(candidateSetDiff(pairs(...all.slice(1)), agg, centerness, P, TH, 1000).unexplained).toEqual([]);
    expect(candidateSetDiff(pairs(...all.slice(2)), agg, centerness, P, TH, 1000).unexplained).toEqual([PAIRS[1]]);
  });

  it("agrees with our own candidate selection (postprocess/candidates.ts) on the capped level", async () => {
    await tf.setBackend('cpu');
    const { agg, centerness } = level();
    const rows = candidateTensors(
      tf.tensor2d(agg, [A, P]),
      tf.tensor1d(centerness),
      tf.zeros([A, 4]),
      tf.tensor2d(Array.from({ length: A }, (_, a) => [a, a, a + 8, a + 8]).flat(), [A, 4]),
      { inferenceTh: TH, preNmsTopN: TOP_N, boxCoderWeights: [10, 10, 5, 5], imageHeight: 64, imageWidth: 64 },
    );
    const got = await readCandidates(rows);
    const ours = new Set(Array.from(got.anchorIndices, (a, i) => a * P + got.labels[i] - 1));
    expect(ours.size).toBe(TOP_N);
    expect(candidateSetDiff(ours, agg, centerness, P, TH, TOP_N)).toEqual({ capped: true, onlyOurs: [], onlyOfficial: [], unexplained: [] });
  });
});

describe('webglip parity on the wasm backend', () => {
  it('passes every stage of case-a against the official tensors (the CPU-side deformable conv included)', async () => {
    const { code, out, err } = await quietRunCommand(run, [CASE_A_DIR, '--backend', 'wasm']);
    expect(code, err).toBe(0);
    expect(out).toMatch(/on wasm/);
    expect(out).toMatch(/^(\d+)\/\1 stages pass$/m);
  }, 300_000);
});

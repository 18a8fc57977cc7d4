// GLIP's training loss and its gradient with respect to the prompt offset, against the official code
// (fixture tuning-case: ATSSLossComputation via VLDyHeadModule's training forward, case-a's head, two
// images = case-a's FPN levels and the same mirrored, language_prompt_v2's offset; see its README.md).
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fusedKernelsEnabled, setFusedKernels } from '../kernels/fused-switch.ts';
import { atssAnchors } from '../model/anchors.ts';
import { maxAbsDiff, useBackend } from '../testing/backends.ts';
import { loadCaseWeights } from '../testing/case-weights.ts';
import { CASE_A_DIR, caseConfig, caseJson, caseTensors, TUNING_CASE_DIR } from '../testing/fixtures.ts';
import { fixtureTensor } from '../testing/stage-compare.ts';
import type { WeightMap } from '../weights/weight-map.ts';
import type { TrainingBox } from './atss-targets.ts';
import { GLIP_TUNING_LOSS } from './loss-config.ts';
import { disposeLossTargets, imageLossTargets } from './loss-targets.ts';
import { batchLossGradient } from './prompt-tuning.ts';

interface TuningCase {
  n_tokens: number;
  phrase_tokens: number[][];
  targets: { boxes: [number, number, number, number][]; phrases: number[] }[];
  loss: { loss_reg: number; loss_centerness: number; loss_dot_product_token: number };
  loss_total: number;
  cfg: Record<string, number | boolean>;
}

const REL_TOL = 1e-4;

function trainingBoxes(c: TuningCase, image: number): TrainingBox[] {
  const t = c.targets[image];
  return t.boxes.map((box, i) => {
    const tokens = new Float32Array(c.n_tokens);
    const span = c.phrase_tokens[t.phrases[i]];
    for (const k of span) tokens[k] = 1 / (span.length + 1e-6);
    return { box, tokens };
  });
}

// cpu only: the forward and backward of the head on 410×316 levels take ~1.5 min CPU on tfjs's cpu
// backend with the reference composites; on SwiftShader (webgpu without a GPU) it would be many times
// that. Not yet run on webgpu. Twice: the plain-tfjs reference path (what tuning runs on webgpu), and
// the hand-written CPU-side paths with their own gradients (what tuning runs on wasm and cpu).
describe.each([
  ['cpu', 'reference composites', false],
  ['cpu', 'CPU-side kernels', true],
] as const)('GLIP tuning loss on %s, %s (tuning-case)', (backend, _, handWritten) => {
  let w: WeightMap;
  const wasFused = fusedKernelsEnabled();
  beforeAll(async () => {
    await useBackend(backend);
    setFusedKernels(handWritten);
    w = await loadCaseWeights();
  });
  afterAll(() => {
    setFusedKernels(wasFused);
    w.dispose();
  });

  it('the official settings, ATSS positives, loss parts and d(loss)/d(offset) match', async () => {
    const c = caseJson(TUNING_CASE_DIR) as unknown as TuningCase;
    expect([c.cfg['ATSS.TOPK'], c.cfg['ATSS.REG_LOSS_WEIGHT'], c.cfg.TOKEN_ALPHA, c.cfg.TOKEN_GAMMA, c.cfg.DOT_PRODUCT_TOKEN_LOSS_WEIGHT]).toEqual([
      GLIP_TUNING_LOSS.atssTopk, GLIP_TUNING_LOSS.regLossWeight, GLIP_TUNING_LOSS.tokenAlpha, GLIP_TUNING_LOSS.tokenGamma, GLIP_TUNING_LOSS.dotProductTokenLossWeight,
    ]);
    const f = caseTensors(TUNING_CASE_DIR);
    const a = caseTensors(CASE_A_DIR);
    const cfg = caseConfig(CASE_A_DIR);
    const t = c.n_tokens;
    const levelsA = ['p3', 'p4', 'p5', 'p6', 'p7'].map((l) => fixtureTensor(a, `backbone.fpn.${l}`, true) as tf.Tensor4D);
    const images = [levelsA, levelsA.map((p) => tf.reverse(p, 2) as tf.Tensor4D)];
    const hidden = tf.tidy(() => tf.slice(tf.squeeze(fixtureTensor(a, 'prompt/lang.hidden'), [0]), [0, 0], [t, -1])) as tf.Tensor2D;
    const lang = { hidden, mask: tf.ones([t]) as tf.Tensor1D };
    const offset = tf.variable(fixtureTensor(f, 'offset') as tf.Tensor2D);
    const weights = cfg.anchors.boxCoderWeights;

    const targets = images.map((levels, i) => {
      const anchors = atssAnchors(cfg.anchors, levels.map((p) => [p.shape[1], p.shape[2]] as [number, number]));
      const out = imageLossTargets(anchors, trainingBoxes(c, i), t, GLIP_TUNING_LOSS, weights);
      tf.dispose(anchors);
      return out;
    });
    targets.forEach((tg, i) => {
      expect(Array.from(tg.positives.dataSync()), `image ${i} positives`).toEqual(Array.from(f.get(`image${i}.positive_anchors`).data as unknown as BigInt64Array, Number));
    });

    // The tuning loop's own gradient: each image's share of the batch loss differentiated on its own, summed.
    const model = { config: cfg, weights: w };
    const { value, grad: gradTensor, parts: partTensors } = batchLossGradient(model, lang, offset, images.map((levels, i) => ({ levels, targets: targets[i] })), weights);
    const parts = partTensors.map((s) => s.dataSync()[0]);
    const ref = [c.loss.loss_dot_product_token, c.loss.loss_reg, c.loss.loss_centerness];
    const total = value.dataSync()[0];
    const grad = gradTensor.dataSync();
    const g = maxAbsDiff(grad, f.get('grad_offset').data as Float32Array);
    const rel = (x: number, r: number) => Math.abs(x - r) / Math.abs(r);
    console.log(backend, 'token/reg/centerness/total rel', ...parts.map((p, i) => rel(p, ref[i]).toExponential(2)), rel(total, c.loss_total).toExponential(2),
      'grad max|diff|/max|ref|', (g.maxAbs / g.maxRef).toExponential(2));
    parts.forEach((p, i) => expect(rel(p, ref[i]), ['dot_product_token', 'reg', 'centerness'][i]).toBeLessThanOrEqual(REL_TOL));
    expect(rel(total, c.loss_total)).toBeLessThanOrEqual(REL_TOL);
    expect(g.maxRef).toBeGreaterThan(0);
    expect(g.maxAbs / g.maxRef).toBeLessThanOrEqual(REL_TOL);
    tf.dispose([value, gradTensor, ...partTensors, offset, hidden, lang.mask, ...images.flat()]);
    targets.forEach(disposeLossTargets);
  });
});

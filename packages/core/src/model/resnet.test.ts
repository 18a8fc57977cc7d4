import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PARITY_BACKENDS, useBackend } from '../testing/backends.ts';
import { loadCaseWeights } from '../testing/case-weights.ts';
import { CASE_RESNET_DIR, caseConfig, caseTensors } from '../testing/fixtures.ts';
import { compareWithFixture, fixtureTensor } from '../testing/stage-compare.ts';
import type { WeightMap } from '../weights/weight-map.ts';
import { resnetBody } from './resnet.ts';
import { visualBackbone } from './forward-pass.ts';
import { runSteps } from './forward-steps.ts';

// Tolerance: max |Δ| ≤ 1e-4 · max |reference| per stage (stage-compare's REL_TOLERANCE), as for Swin.
describe.each(PARITY_BACKENDS)('ResNet-FPN on %s (case-resnet, official R-50-FPN-RETINANET)', (backend) => {
  let w: WeightMap;
  beforeAll(async () => {
    await useBackend(backend);
    w = await loadCaseWeights(CASE_RESNET_DIR);
  });
  afterAll(() => w.dispose());

  it('the config selects the ResNet body with the fixture widths', () => {
    expect(caseConfig(CASE_RESNET_DIR).backbone).toEqual({
      kind: 'resnet',
      resnet: { stageBlocks: [3, 4, 6, 3], stemOutChannels: 16, numGroups: 1, widthPerGroup: 8, strideIn1x1: true, res2OutChannels: 32 },
    });
  });

  it('resnetBody matches backbone.body.layer1..4 (C2..C5) from the captured image.input', async () => {
    const f = caseTensors(CASE_RESNET_DIR);
    const cfg = caseConfig(CASE_RESNET_DIR);
    if (cfg.backbone.kind !== 'resnet') throw new Error('case-resnet must configure a ResNet body');
    const input = fixtureTensor(f, 'image.input', true) as tf.Tensor4D;
    const stages = resnetBody(input, w, cfg.backbone.resnet);
    expect(stages).toHaveLength(4);
    for (const [i, c] of stages.entries()) {
      const r = await compareWithFixture(`resnet.layer${i + 1}`, c, f, `backbone.body.layer${i + 1}`, true);
      console.log(backend, r.stage, 'maxAbs', r.maxAbs.toExponential(2), 'rel', r.maxRel.toExponential(2));
      expect(r.maxAbs).toBeLessThanOrEqual(r.tolerance);
    }
    tf.dispose([input, ...stages]);
  });

  it('visualBackbone matches backbone.fpn.p3..p7 (P6 from C5) from the captured image.input', async () => {
    const f = caseTensors(CASE_RESNET_DIR);
    const input = fixtureTensor(f, 'image.input', true) as tf.Tensor4D;
    const levels = runSteps(visualBackbone({ config: caseConfig(CASE_RESNET_DIR), weights: w }, input));
    expect(levels).toHaveLength(5);
    for (const [i, p] of levels.entries()) {
      const r = await compareWithFixture(`fpn.p${i + 3}`, p, f, `backbone.fpn.p${i + 3}`, true);
      console.log(backend, r.stage, 'maxAbs', r.maxAbs.toExponential(2), 'rel', r.maxRel.toExponential(2));
      expect(r.maxAbs).toBeLessThanOrEqual(r.tolerance);
    }
    tf.dispose([input, ...levels]);
  });

  it('with STRIDE_IN_1X1 false (each stage strides in its first 3×3) matches stride_in_3x3/… on the same weights', async () => {
    const f = caseTensors(CASE_RESNET_DIR);
    const cfg = caseConfig(CASE_RESNET_DIR);
    if (cfg.backbone.kind !== 'resnet') throw new Error('case-resnet must configure a ResNet body');
    const variant = { ...cfg, backbone: { kind: 'resnet' as const, resnet: { ...cfg.backbone.resnet, strideIn1x1: false } } };
    const input = fixtureTensor(f, 'image.input', true) as tf.Tensor4D;
    const stages = resnetBody(input, w, variant.backbone.resnet);
    const levels = runSteps(visualBackbone({ config: variant, weights: w }, input));
    const results = [];
    for (const i of [1, 2, 3]) results.push(await compareWithFixture(`layer${i + 1}`, stages[i], f, `stride_in_3x3/backbone.body.layer${i + 1}`, true));
    for (const [i, p] of levels.entries()) results.push(await compareWithFixture(`p${i + 3}`, p, f, `stride_in_3x3/backbone.fpn.p${i + 3}`, true));
    for (const r of results) {
      console.log(backend, 'stride in 3×3', r.stage, 'rel', r.maxRel.toExponential(2));
      expect(r.maxAbs).toBeLessThanOrEqual(r.tolerance);
    }
    // The placement matters: the default (stride on the 1×1) differs from this variant's C3 by far more than the tolerance.
    const other = await compareWithFixture('layer2 (stride in 1×1)', stages[1], f, 'backbone.body.layer2', true);
    expect(other.maxAbs).toBeGreaterThan(100 * other.tolerance);
    tf.dispose([input, ...stages, ...levels]);
  });
});

import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_BACKENDS, useBackend } from '../testing/backends.ts';
import { loadCaseWeights } from '../testing/case-weights.ts';
import { CASE_RESNET_DIR, caseConfig, caseTensors } from '../testing/fixtures.ts';
import { compareWithFixture, fixtureTensor } from '../testing/stage-compare.ts';
import type { WeightMap } from '../weights/weight-map.ts';
import { resnetBody } from './resnet.ts';
import { visualBackbone } from './visual-backbone.ts';

// Tolerance: max |Δ| ≤ 1e-4 · max |reference| per stage (stage-compare's REL_TOLERANCE), as for Swin.
describe.each(TEST_BACKENDS)('ResNet-FPN on %s (case-resnet, official R-50-FPN-RETINANET)', (backend) => {
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
    const levels = visualBackbone(input, w, caseConfig(CASE_RESNET_DIR));
    expect(levels).toHaveLength(5);
    for (const [i, p] of levels.entries()) {
      const r = await compareWithFixture(`fpn.p${i + 3}`, p, f, `backbone.fpn.p${i + 3}`, true);
      console.log(backend, r.stage, 'maxAbs', r.maxAbs.toExponential(2), 'rel', r.maxRel.toExponential(2));
      expect(r.maxAbs).toBeLessThanOrEqual(r.tolerance);
    }
    tf.dispose([input, ...levels]);
  });
});

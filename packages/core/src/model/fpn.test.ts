import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_BACKENDS, useBackend } from '../testing/backends.ts';
import { loadCaseWeights } from '../testing/case-weights.ts';
import { caseTensors } from '../testing/fixtures.ts';
import { compareWithFixture, fixtureTensor } from '../testing/stage-compare.ts';
import type { WeightMap } from '../weights/weight-map.ts';
import { fpn } from './fpn.ts';

describe.each(TEST_BACKENDS)('fpn on %s (case-a)', (backend) => {
  let w: WeightMap;
  beforeAll(async () => {
    await useBackend(backend);
    w = await loadCaseWeights();
  });
  afterAll(() => w.dispose());

  it('matches backbone.fpn.p3..p7 from the captured Swin stages 3–5', async () => {
    const f = caseTensors();
    const [c3, c4, c5] = [3, 4, 5].map((s) => fixtureTensor(f, `backbone.swin.stage${s}`, true) as tf.Tensor4D);
    const levels = fpn(c3, c4, c5, w);
    for (const [i, p] of levels.entries()) {
      const r = await compareWithFixture(`fpn.p${i + 3}`, p, f, `backbone.fpn.p${i + 3}`, true);
      console.log(backend, r.stage, 'maxAbs', r.maxAbs.toExponential(2), 'rel', r.maxRel.toExponential(2));
      expect(r.maxAbs).toBeLessThanOrEqual(r.tolerance);
    }
    tf.dispose([c3, c4, c5, ...levels]);
  });
});

import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_BACKENDS, useBackend } from '../testing/backends.ts';
import { loadCaseWeights } from '../testing/case-weights.ts';
import { caseConfig, caseTensors } from '../testing/fixtures.ts';
import { compareWithFixture, fixtureTensor } from '../testing/stage-compare.ts';
import type { WeightMap } from '../weights/weight-map.ts';
import { swinBackbone } from './swin.ts';

describe.each(TEST_BACKENDS)('swinBackbone on %s (case-a)', (backend) => {
  let w: WeightMap;
  beforeAll(async () => {
    await useBackend(backend);
    w = await loadCaseWeights();
  });
  afterAll(() => w.dispose());

  it('matches backbone.swin.stage2..5 from the captured image.input', async () => {
    const f = caseTensors();
    const cfg = caseConfig();
    const input = fixtureTensor(f, 'image.input', true) as tf.Tensor4D;
    const outputs = swinBackbone(input, w, cfg.swin);
    for (const [i, out] of outputs.entries()) {
      const r = await compareWithFixture(`swin.stage${i + 2}`, out, f, `backbone.swin.stage${i + 2}`, true);
      console.log(backend, r.stage, 'maxAbs', r.maxAbs.toExponential(2), 'rel', r.maxRel.toExponential(2));
      expect(r.maxAbs).toBeLessThanOrEqual(r.tolerance);
    }
    tf.dispose([input, ...outputs]);
  });
});

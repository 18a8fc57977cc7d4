import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_BACKENDS, useBackend } from '../testing/backends.ts';
import { loadCaseWeights } from '../testing/case-weights.ts';
import { caseTensors } from '../testing/fixtures.ts';
import { compareWithFixture, fixtureTensor } from '../testing/stage-compare.ts';
import type { WeightMap } from '../weights/weight-map.ts';
import { dyConv } from './dyhead.ts';

const LEVELS = ['p3', 'p4', 'p5', 'p6', 'p7'];
const OPTS = { gnGroups: 16, gnEps: 1e-5 };

describe.each(TEST_BACKENDS)('dyConv on %s (case-a prompt)', (backend) => {
  let w: WeightMap;
  beforeAll(async () => {
    await useBackend(backend);
    w = await loadCaseWeights();
  });
  afterAll(() => w.dispose());

  it.each([0, 1])('layer %i matches dyhead.N.dyconv.visual from the captured fusion output', async (layer) => {
    const f = caseTensors();
    const visual = LEVELS.map((l) => fixtureTensor(f, `prompt/dyhead.${layer}.fuse.visual.${l}`, true) as tf.Tensor4D);
    const out = dyConv(w, `rpn.head.dyhead_tower.${3 * layer + 2}`, visual, OPTS);
    for (const [i, l] of LEVELS.entries()) {
      const r = await compareWithFixture(`dyconv.${layer}.${l}`, out[i], f, `prompt/dyhead.${layer}.dyconv.visual.${l}`, true);
      console.log(backend, r.stage, r.maxAbs, r.maxRel);
      expect(r.maxAbs, `${l} rel ${r.maxRel}`).toBeLessThanOrEqual(r.tolerance);
    }
    tf.dispose([...visual, ...out]);
  });
});

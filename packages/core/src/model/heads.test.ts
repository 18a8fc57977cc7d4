import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_BACKENDS, useBackend } from '../testing/backends.ts';
import { loadCaseWeights } from '../testing/case-weights.ts';
import { caseConfig, caseTensors } from '../testing/fixtures.ts';
import { compareWithFixture, fixtureTensor } from '../testing/stage-compare.ts';
import type { WeightMap } from '../weights/weight-map.ts';
import { atssAnchors } from './anchors.ts';
import { glipHeads } from './heads.ts';

const LEVELS = ['p3', 'p4', 'p5', 'p6', 'p7'];
const T = 11;

describe.each(TEST_BACKENDS)('glipHeads and atssAnchors on %s (case-a prompt, from the captured final tower outputs)', (backend) => {
  let w: WeightMap;
  beforeAll(async () => {
    await useBackend(backend);
    w = await loadCaseWeights();
  });
  afterAll(() => w.dispose());

  it('token logits, bbox_reg, centerness and anchors match', async () => {
    const f = caseTensors();
    const visual = LEVELS.map((l) => fixtureTensor(f, `prompt/dyhead.1.dyconv.visual.${l}`, true) as tf.Tensor4D);
    const text = tf.tidy(() => tf.slice(tf.squeeze(fixtureTensor(f, 'prompt/dyhead.1.bert.lang_hidden'), [0]), [0, 0], [T, -1])) as tf.Tensor2D;
    const out = glipHeads(w, visual, text);
    const anchors = atssAnchors(caseConfig().anchors, visual.map((v) => [v.shape[1], v.shape[2]] as [number, number]));
    const results = [];
    for (const [i, l] of LEVELS.entries()) {
      results.push(await compareWithFixture(`logits.${l}`, out.logits[i], f, `prompt/head.dot_product_logits.${l}`));
      results.push(await compareWithFixture(`bbox_reg.${l}`, out.bboxReg[i], f, `prompt/head.bbox_reg.${l}`, true));
      results.push(await compareWithFixture(`centerness.${l}`, out.centerness[i], f, `prompt/head.centerness.${l}`, true));
      results.push(await compareWithFixture(`anchors.${l}`, anchors[i], f, `anchors.${l}`));
    }
    for (const r of results) expect(r.maxAbs, `${r.stage}: rel ${r.maxRel}`).toBeLessThanOrEqual(r.tolerance);
    tf.dispose([...visual, text, ...out.logits, ...out.bboxReg, ...out.centerness, ...anchors]);
  });
});

// The whole visual side and grounding head with the ResNet-FPN body, from the captured image.input:
// visualBackbone (ResNet + FPN) → groundingHead (fusion, DyHead tower, output heads), against the
// official GLIP code's tensors of case-resnet (its head: case-a's official weights, text input: case-a's
// captured BERT output of run `prompt`). Tolerance 1e-4 · max |reference| per stage.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PARITY_BACKENDS, useBackend } from '../testing/backends.ts';
import { loadCaseResnetGlipWeights } from '../testing/case-weights.ts';
import { fixtureNames } from '../testing/fixture-names.ts';
import { CASE_RESNET_DIR, caseConfig, caseTensors } from '../testing/fixtures.ts';
import { type StageResult, compareWithFixture, fixtureTensor } from '../testing/stage-compare.ts';
import type { WeightMap } from '../weights/weight-map.ts';
import { visualBackbone } from './forward-pass.ts';
import { runSteps, type Stage } from './forward-steps.ts';
import { groundingHead } from './glip.ts';

const LEVELS = ['p3', 'p4', 'p5', 'p6', 'p7'];
const RUN = 'prompt';

describe.each(PARITY_BACKENDS)('visualBackbone + groundingHead on %s (case-resnet)', (backend) => {
  let w: WeightMap;
  beforeAll(async () => {
    await useBackend(backend);
    w = await loadCaseResnetGlipWeights();
  });
  afterAll(() => w.dispose());

  it('P3..P7, every tower stage, logits, bbox_reg and centerness match the official head on the ResNet levels', async () => {
    const f = caseTensors(CASE_RESNET_DIR);
    const cfg = caseConfig(CASE_RESNET_DIR);
    const t = (f.get(`${RUN}/lang.masks`).data as Int32Array).reduce((a, b) => a + b, 0);
    const input = fixtureTensor(f, 'image.input', true) as tf.Tensor4D;
    const lang = tf.tidy(() => tf.slice(tf.squeeze(fixtureTensor(f, `${RUN}/lang.hidden`), [0]), [0, 0], [t, -1])) as tf.Tensor2D;
    const mask = tf.ones([t]) as tf.Tensor1D;
    const model = { config: cfg, weights: w };
    const pending: Promise<StageResult>[] = [];
    // Stage tensors are the pass's to dispose once it resumes: compare a copy.
    const observe = (stage: Stage) => {
      if (stage.name === 'head' || stage.name === 'backbone.body') return; // the head from its outputs below; the body in resnet.test.ts
      fixtureNames(stage, RUN, 'resnet').forEach((ref, i) => {
        if (ref === null || !f.names().includes(ref.name)) return;
        const copy = stage.tensors[i].clone();
        pending.push(compareWithFixture(`${stage.name}: ${ref.name}`, copy, f, ref.name, ref.nchw).finally(() => copy.dispose()));
      });
    };
    const levels = runSteps(visualBackbone(model, input), observe);
    const out = runSteps(groundingHead(w, cfg, levels, lang, mask), observe);
    const stages = await Promise.all(pending);
    for (const [i, l] of LEVELS.entries()) {
      stages.push(await compareWithFixture(`logits.${l}`, out.logits[i], f, `${RUN}/head.dot_product_logits.${l}`));
      stages.push(await compareWithFixture(`bbox_reg.${l}`, out.bboxReg[i], f, `${RUN}/head.bbox_reg.${l}`, true));
      stages.push(await compareWithFixture(`centerness.${l}`, out.centerness[i], f, `${RUN}/head.centerness.${l}`, true));
    }
    for (const s of stages) {
      console.log(backend, s.stage, s.maxAbs.toExponential(2), s.maxRel.toExponential(2));
      expect(s.maxAbs, `${s.stage}: rel ${s.maxRel}`).toBeLessThanOrEqual(s.tolerance);
    }
    // 5 FPN levels, 2 layers × (fuse: 5 visual + lang, bert: lang, dyconv: 5 visual), 3 head outputs × 5 levels.
    expect(stages.length).toBe(5 + 2 * 12 + 15);
    tf.dispose([input, lang, mask, ...levels, ...out.logits, ...out.bboxReg, ...out.centerness, ...out.anchors]);
  });
});

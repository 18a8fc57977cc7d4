import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../testing/backends.ts';
import { loadCaseWeights } from '../testing/case-weights.ts';
import { fixtureNames } from '../testing/fixture-names.ts';
import { caseConfig, caseTensors } from '../testing/fixtures.ts';
import { type StageResult, compareWithFixture, fixtureTensor } from '../testing/stage-compare.ts';
import type { WeightMap } from '../weights/weight-map.ts';
import { runSteps } from './forward-steps.ts';
import { type GlipHeadOutputs, groundingHead } from './glip.ts';

const LEVELS = ['p3', 'p4', 'p5', 'p6', 'p7'];

/** Runs the head of one case-a run from the captured FPN levels and BERT hidden states. */
async function runFromFixtures(w: WeightMap, run: string): Promise<{ out: GlipHeadOutputs; stages: StageResult[] }> {
  const f = caseTensors();
  const t = (f.get(`${run}/lang.masks`).data as Int32Array).reduce((a, b) => a + b, 0);
  const fpn = LEVELS.map((l) => fixtureTensor(f, `backbone.fpn.${l}`, true) as tf.Tensor4D);
  const lang = tf.tidy(() => tf.slice(tf.squeeze(fixtureTensor(f, `${run}/lang.hidden`), [0]), [0, 0], [t, -1])) as tf.Tensor2D;
  const mask = tf.ones([t]) as tf.Tensor1D;
  const pending: Promise<StageResult>[] = [];
  // Stage tensors are the pass's to dispose once it resumes: compare a copy.
  const out = runSteps(groundingHead(w, caseConfig(), fpn, lang, mask), (stage) => {
    if (stage.name === 'head') return; // compared from the outputs below
    fixtureNames(stage, run).forEach((ref, i) => {
      if (ref === null || !f.names().includes(ref.name)) return;
      const copy = stage.tensors[i].clone();
      pending.push(compareWithFixture(`${stage.name}: ${ref.name}`, copy, f, ref.name, ref.nchw).finally(() => copy.dispose()));
    });
  });
  const stages = await Promise.all(pending);
  tf.dispose([...fpn, lang, mask]);
  return { out, stages };
}

// The whole head composition on cpu only: on webgpu (SwiftShader) it takes minutes; its parts are
// tested on both backends (fusion, dyhead, vldyhead, heads) and `webglip parity` runs it on webgpu.
describe.each(['cpu'] as const)('groundingHead on %s (case-a, from captured FPN + BERT)', (backend) => {
  let w: WeightMap;
  beforeAll(async () => {
    await useBackend(backend);
    w = await loadCaseWeights();
  });
  afterAll(() => w.dispose());

  it.each(['prompt', 'free'])('%s: tower stages, logits, bbox_reg, centerness and anchors match', async (run) => {
    const f = caseTensors();
    const { out, stages } = await runFromFixtures(w, run);
    for (const [i, l] of LEVELS.entries()) {
      stages.push(await compareWithFixture(`logits.${l}`, out.logits[i], f, `${run}/head.dot_product_logits.${l}`));
      stages.push(await compareWithFixture(`bbox_reg.${l}`, out.bboxReg[i], f, `${run}/head.bbox_reg.${l}`, true));
      stages.push(await compareWithFixture(`centerness.${l}`, out.centerness[i], f, `${run}/head.centerness.${l}`, true));
      stages.push(await compareWithFixture(`anchors.${l}`, out.anchors[i], f, `anchors.${l}`));
    }
    for (const s of stages) {
      console.log(backend, run, s.stage, s.maxAbs.toExponential(2), s.maxRel.toExponential(2));
      expect(s.maxAbs, `${s.stage}: rel ${s.maxRel}`).toBeLessThanOrEqual(s.tolerance);
    }
    expect(stages.length).toBeGreaterThanOrEqual(20);
    tf.dispose([...out.logits, ...out.bboxReg, ...out.centerness, ...out.anchors]);
  });
});

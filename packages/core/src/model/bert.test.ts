import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_BACKENDS, useBackend } from '../testing/backends.ts';
import { loadCaseWeights } from '../testing/case-weights.ts';
import { caseConfig, caseTensors } from '../testing/fixtures.ts';
import { compareWithFixture, fixtureTensor, type StageResult } from '../testing/stage-compare.ts';
import type { WeightMap } from '../weights/weight-map.ts';
import { bertEncoder, bertLayer } from './bert.ts';
import { runSteps } from './forward-steps.ts';

/** The real (attention-mask 1) token ids of a case-a run. */
function realTokenIds(run: string): Int32Array {
  const f = caseTensors();
  const ids = f.get(`${run}/tokens.input_ids`).data;
  const mask = f.get(`${run}/tokens.attention_mask`).data;
  const n = Array.from(mask).filter((m) => Number(m) === 1).length;
  return Int32Array.from(Array.from(ids.subarray(0, n), Number));
}

function check(backend: string, r: StageResult): void {
  console.log(backend, r.stage, 'maxAbs', r.maxAbs.toExponential(2), 'rel', r.maxRel.toExponential(2));
  expect(r.maxAbs, r.stage).toBeLessThanOrEqual(r.tolerance);
}

describe.each(TEST_BACKENDS)('BERT on %s (case-a)', (backend) => {
  let w: WeightMap;
  beforeAll(async () => {
    await useBackend(backend);
    w = await loadCaseWeights();
  });
  afterAll(() => w.dispose());

  it('matches lang.bert.embeddings/layer0/layer1 and lang.hidden on the real tokens', async () => {
    const f = caseTensors();
    const cfg = caseConfig();
    const ids = realTokenIds('prompt');
    expect(ids.length).toBe(11);
    const observed = new Map<string, tf.Tensor>();
    const hidden = runSteps(bertEncoder(ids, w, cfg.bert), (stage) => observed.set(stage.name, stage.tensors[0].clone()));
    expect(hidden.shape).toEqual([11, cfg.bert.hiddenSize]);
    check(backend, await compareWithFixture('bert.embeddings', observed.get('lang.bert.embeddings')!, f, 'prompt/lang.bert.embeddings'));
    for (let n = 0; n < cfg.bert.numLayers; n++) {
      check(backend, await compareWithFixture(`bert.layer${n}`, observed.get(`lang.bert.layer${n}`)!, f, `prompt/lang.bert.layer${n}`));
    }
    check(backend, await compareWithFixture('lang.hidden', hidden, f, 'prompt/lang.hidden'));
    tf.dispose([hidden, ...observed.values()]);
  });

  it('with GLIP clamps, is the DyHead BertEncoderLayer (dyhead.0.bert from dyhead.0.fuse)', async () => {
    const f = caseTensors();
    const cfg = caseConfig();
    const x = tf.tidy(() => tf.slice(tf.squeeze(fixtureTensor(f, 'prompt/dyhead.0.fuse.lang_hidden'), [0]), [0, 0], [11, -1])) as tf.Tensor2D;
    const mask = tf.ones([11]) as tf.Tensor1D;
    const out = bertLayer(w, 'rpn.head.dyhead_tower.1', x, mask, { numHeads: cfg.bert.numHeads, layerNormEps: cfg.bert.layerNormEps, glipClamps: true });
    check(backend, await compareWithFixture('dyhead.0.bert', out, f, 'prompt/dyhead.0.bert.lang_hidden'));
    tf.dispose([x, mask, out]);
  });
});

import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_BACKENDS, useBackend } from '../testing/backends.ts';
import { loadCaseWeights } from '../testing/case-weights.ts';
import { caseTensors } from '../testing/fixtures.ts';
import { compareWithFixture, fixtureTensor } from '../testing/stage-compare.ts';
import type { WeightMap } from '../weights/weight-map.ts';
import { bertLayer } from './bert.ts';

const T = 11;
const OPTS = { numHeads: 2, layerNormEps: 1e-12, glipClamps: true };

describe.each(TEST_BACKENDS)('DyHead text layer (bertLayer with GLIP clamps) on %s (case-a)', (backend) => {
  let w: WeightMap;
  beforeAll(async () => {
    await useBackend(backend);
    w = await loadCaseWeights();
  });
  afterAll(() => w.dispose());

  it.each([
    ['prompt', 0],
    ['prompt', 1],
    ['free', 1],
  ] as const)('%s layer %i matches dyhead.N.bert.lang_hidden (real tokens only)', async (run, layer) => {
    const f = caseTensors();
    const lang = tf.tidy(() => tf.slice(tf.squeeze(fixtureTensor(f, `${run}/dyhead.${layer}.fuse.lang_hidden`), [0]), [0, 0], [T, -1])) as tf.Tensor2D;
    const mask = tf.ones([T]) as tf.Tensor1D;
    const out = bertLayer(w, `rpn.head.dyhead_tower.${3 * layer + 1}`, lang, mask, OPTS);
    const r = await compareWithFixture('bert', out, f, `${run}/dyhead.${layer}.bert.lang_hidden`);
    console.log(backend, run, layer, r.maxAbs, r.maxRel);
    expect(r.maxAbs).toBeLessThanOrEqual(r.tolerance);
    tf.dispose([lang, mask, out]);
  });

  it('gives the same real-token rows with padding to 256', async () => {
    const f = caseTensors();
    const full = tf.tidy(() => tf.squeeze(fixtureTensor(f, 'prompt/dyhead.0.fuse.lang_hidden'), [0])) as tf.Tensor2D;
    const mask = tf.tidy(() => tf.cast(tf.squeeze(fixtureTensor(f, 'prompt/lang.masks'), [0]), 'float32')) as tf.Tensor1D;
    const out = bertLayer(w, 'rpn.head.dyhead_tower.1', full, mask, OPTS);
    const real = tf.slice(out, [0, 0], [T, -1]);
    const r = await compareWithFixture('bert.padded', real, f, 'prompt/dyhead.0.bert.lang_hidden');
    expect(r.maxAbs).toBeLessThanOrEqual(r.tolerance);
    tf.dispose([full, mask, out, real]);
  });
});

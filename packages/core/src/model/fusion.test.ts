import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_BACKENDS, useBackend } from '../testing/backends.ts';
import { loadCaseWeights } from '../testing/case-weights.ts';
import { caseTensors } from '../testing/fixtures.ts';
import { setFusedKernels } from '../kernels/fused-switch.ts';
import { compareArrays, compareWithFixture, fixtureTensor } from '../testing/stage-compare.ts';
import type { WeightMap } from '../weights/weight-map.ts';
import { vlFuse } from './fusion.ts';

const LEVELS = ['p3', 'p4', 'p5', 'p6', 'p7'];
const T = 11;

describe.each(TEST_BACKENDS)('vlFuse on %s (case-a prompt, layer 0)', (backend) => {
  let w: WeightMap;
  beforeAll(async () => {
    await useBackend(backend);
    w = await loadCaseWeights();
  });
  afterAll(() => w.dispose());

  it('matches dyhead.0.fuse visual and lang_hidden', async () => {
    const f = caseTensors();
    const visual = LEVELS.map((l) => fixtureTensor(f, `backbone.fpn.${l}`, true) as tf.Tensor4D);
    const lang = tf.tidy(() => tf.slice(tf.squeeze(fixtureTensor(f, 'prompt/lang.hidden'), [0]), [0, 0], [T, -1])) as tf.Tensor2D;
    const mask = tf.ones([T]) as tf.Tensor1D;
    const out = vlFuse(w, 'rpn.head.dyhead_tower.0', visual, lang, mask, 8);
    for (const [i, l] of LEVELS.entries()) {
      const r = await compareWithFixture(`fuse.visual.${l}`, out.visual[i], f, `prompt/dyhead.0.fuse.visual.${l}`, true);
      expect(r.maxAbs, `${l} rel ${r.maxRel}`).toBeLessThanOrEqual(r.tolerance);
    }
    const r = await compareWithFixture('fuse.lang', out.lang, f, 'prompt/dyhead.0.fuse.lang_hidden');
    console.log(backend, 'fuse.lang', r.maxAbs, r.maxRel);
    expect(r.maxAbs).toBeLessThanOrEqual(r.tolerance);
    tf.dispose([...visual, lang, mask, ...out.visual, out.lang]);
  });
});

describe('vlFuse padding invariance (cpu)', () => {
  it('with the 256 padded tokens and their mask, the image side and real-token rows are unchanged', async () => {
    await useBackend('cpu');
    const w = await loadCaseWeights();
    const f = caseTensors();
    const visual = LEVELS.map((l) => fixtureTensor(f, `backbone.fpn.${l}`, true) as tf.Tensor4D);
    const lang = tf.tidy(() => tf.squeeze(fixtureTensor(f, 'prompt/lang.hidden'), [0])) as tf.Tensor2D; // [256, D]
    const mask = tf.tidy(() => tf.cast(tf.squeeze(fixtureTensor(f, 'prompt/lang.masks'), [0]), 'float32')) as tf.Tensor1D;
    const out = vlFuse(w, 'rpn.head.dyhead_tower.0', visual, lang, mask, 8);
    for (const [i, l] of LEVELS.entries()) {
      const r = await compareWithFixture(`fuse.visual.${l}`, out.visual[i], f, `prompt/dyhead.0.fuse.visual.${l}`, true);
      expect(r.maxAbs, l).toBeLessThanOrEqual(r.tolerance);
    }
    const real = tf.slice(out.lang, [0, 0], [T, -1]);
    const r = await compareWithFixture('fuse.lang', real, f, 'prompt/dyhead.0.fuse.lang_hidden');
    expect(r.maxAbs).toBeLessThanOrEqual(r.tolerance);
    tf.dispose([...visual, lang, mask, ...out.visual, out.lang, real]);
    w.dispose();
  });
});

describe('vlFuse folded image side vs the official projections (webgpu)', () => {
  it('fused on (folded) equals fused off (v_proj, values_v_proj, out_v_proj) with padded tokens and their mask', async () => {
    await useBackend('webgpu');
    const w = await loadCaseWeights();
    const f = caseTensors();
    const visual = LEVELS.map((l) => fixtureTensor(f, `backbone.fpn.${l}`, true) as tf.Tensor4D);
    const padded = 40; // the 11 real tokens and 29 of the padding
    const lang = tf.tidy(() => tf.slice(tf.squeeze(fixtureTensor(f, 'prompt/lang.hidden'), [0]), [0, 0], [padded, -1])) as tf.Tensor2D;
    // A float mask as the detector makes it (a cast int mask would send the kernel to its reference, see fused-switch.ts).
    const maskInt = fixtureTensor(f, 'prompt/lang.masks');
    const mask = tf.tensor1d(Float32Array.from(await maskInt.data()).subarray(0, padded));
    maskInt.dispose();
    const folded = vlFuse(w, 'rpn.head.dyhead_tower.0', visual, lang, mask, 8);
    setFusedKernels(false);
    let projected: { visual: tf.Tensor4D[]; lang: tf.Tensor2D };
    try {
      projected = vlFuse(w, 'rpn.head.dyhead_tower.0', visual, lang, mask, 8);
    } finally {
      setFusedKernels(true);
    }
    for (const [i, l] of LEVELS.entries()) {
      const r = compareArrays(`visual.${l}`, await folded.visual[i].data(), await projected.visual[i].data());
      expect(r.maxAbs, `${l} rel ${r.maxRel}`).toBeLessThanOrEqual(r.tolerance);
    }
    const r = compareArrays('lang', await folded.lang.data(), await projected.lang.data());
    console.log('folded vs projected lang', r.maxAbs, r.maxRel);
    expect(r.maxAbs).toBeLessThanOrEqual(r.tolerance);
    tf.dispose([...visual, lang, mask, ...folded.visual, folded.lang, ...projected.visual, projected.lang]);
    w.dispose();
  });
});

// The shipped model (f16 on disk) on webgpu with fused kernels: its text-path Linears are held as f16
// pairs and give what the same values held as f32 give (the plain Linear), through BERT, the first
// fusion layer (both directions) and the token projection. Tolerance 1e-4 · max |f32 path|.
import { resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { maxAbsDiff, useBackend } from '../testing/backends.ts';
import { REPO_ROOT } from '../testing/fixtures.ts';
import { loadModelFolder } from '../weights/model-folder-node.ts';
import { WeightMap } from '../weights/weight-map.ts';
import { bertEncoder } from './bert.ts';
import { vlFuse } from './fusion.ts';
import { projectTokens } from './heads.ts';

/** [CLS] red circle . blue square . [SEP] */
const IDS = Int32Array.from([101, 2417, 4418, 1012, 2630, 2675, 1012, 102]);

async function textPath(w: WeightMap, visual: tf.Tensor4D[], bert: Parameters<typeof bertEncoder>[2], heads: number): Promise<Float32Array[]> {
  const { hidden } = bertEncoder(IDS, w, bert);
  const mask = tf.ones([IDS.length]) as tf.Tensor1D;
  const fused = vlFuse(w, 'rpn.head.dyhead_tower.0', visual, hidden, mask, heads);
  const { proj, bias } = projectTokens(w, fused.lang);
  const out = [hidden, fused.lang, ...fused.visual, proj, bias];
  const data = await Promise.all(out.map((t) => t.data() as Promise<Float32Array>));
  tf.dispose([...out, mask]);
  return data;
}

describe('the shipped model\'s text path on webgpu', () => {
  it('holds its text Linears as f16 pairs and matches the f32 Linears on the same values', async () => {
    await useBackend('webgpu');
    const dir = resolve(REPO_ROOT, 'models/glip-nano');
    const half = await loadModelFolder(dir);
    const f32 = (await loadModelFolder(dir)).weights;
    const plain = new WeightMap(new Map(f32.names().map((n) => [n, f32.get(n)]))); // same tensors, not marked f16
    const { bert, dyhead } = half.config;
    const c = dyhead.fusion.visualDim;
    const visual = [8, 4, 2, 1, 1].map((s, i) => tf.randomUniform([1, s, s, c], -1, 1, 'float32', i + 1) as tf.Tensor4D);
    const got = await textPath(half.weights, visual, bert, dyhead.fusion.numHeads);
    const want = await textPath(plain, visual, bert, dyhead.fusion.numHeads);
    expect(half.weights.layoutOf('language_backbone.body.model.encoder.layer.0.intermediate.dense.weight')).toBe('f16 pairs in/2,out');
    expect(half.weights.layoutOf('rpn.head.dyhead_tower.0.b_attn.attn.l_proj.weight')).toBe('f16 pairs in/2,out');
    expect(half.weights.layoutOf('rpn.head.dyhead_tower.0.b_attn.attn.v_proj.weight')).toBe('in,out');
    expect(plain.layoutOf('language_backbone.body.model.encoder.layer.0.intermediate.dense.weight')).toBe('in,out');
    const names = ['bert hidden', 'fused lang', ...visual.map((_, i) => `fused visual ${i}`), 'token proj', 'token bias'];
    got.forEach((g, i) => {
      const { maxAbs, maxRef } = maxAbsDiff(g, want[i]);
      expect(maxAbs, names[i]).toBeLessThanOrEqual(1e-4 * maxRef);
    });
    tf.dispose(visual);
    half.weights.dispose();
    plain.dispose();
  });
});

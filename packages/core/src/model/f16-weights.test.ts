// The shipped model (f16 on disk) on webgpu with fused kernels: its Linears, word embeddings and
// deformable-conv filters are held as f16 pairs and give what the same values held as f32 give — the
// text path (BERT with its embeddings, the first fusion layer in both directions — its image-side
// weights unpacked per call by the folded form — and the token projection; the few-rows f16 kernel),
// Swin (the token linear's f16 entry point; patch merging has no bias; the patch embedding a conv
// over patches), the FPN (the direct conv's f16 filter) and a DyConv block (the deform conv's f16
// filter, the offset conv's). Tolerance 1e-4 · max |f32 path|.
import { resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { maxAbsDiff, useBackend } from '../testing/backends.ts';
import { REPO_ROOT } from '../testing/fixtures.ts';
import { loadModelFolder } from '../weights/model-folder-node.ts';
import { WeightMap } from '../weights/weight-map.ts';
import { bertEncoder } from './bert.ts';
import { dyConv } from './dyhead.ts';
import { runSteps } from './forward-steps.ts';
import { fpn } from './fpn.ts';
import { vlFuse } from './fusion.ts';
import { projectTokens } from './heads.ts';
import { swinBackbone } from './swin.ts';

/** [CLS] red circle . blue square . [SEP] */
const IDS = Int32Array.from([101, 2417, 4418, 1012, 2630, 2675, 1012, 102]);

/** The tensors' values, then the tensors disposed. */
async function valuesOf(tensors: tf.Tensor[]): Promise<Float32Array[]> {
  const data = await Promise.all(tensors.map((t) => t.data() as Promise<Float32Array>));
  tf.dispose(tensors);
  return data;
}

async function textPath(w: WeightMap, visual: tf.Tensor4D[], bert: Parameters<typeof bertEncoder>[2], heads: number): Promise<Float32Array[]> {
  const hidden = runSteps(bertEncoder(IDS, w, bert));
  const mask = tf.ones([IDS.length]) as tf.Tensor1D;
  const fused = vlFuse(w, 'rpn.head.dyhead_tower.0', visual, hidden, mask, heads);
  const { proj, bias } = projectTokens(w, fused.lang);
  mask.dispose();
  return valuesOf([hidden, fused.lang, ...fused.visual, proj, bias]);
}

/** The shipped model loaded twice: as shipped (f16 on disk) and the same values as an f32 map. */
async function halfAndPlain() {
  const dir = resolve(REPO_ROOT, 'models/glip-nano');
  const half = await loadModelFolder(dir);
  const f32 = (await loadModelFolder(dir)).weights;
  const plain = new WeightMap(new Map(f32.names().map((n) => [n, f32.get(n)]))); // same tensors, not marked f16
  return { config: half.config, half: half.weights, plain };
}

function expectClose(got: Float32Array[], want: Float32Array[], names: string[]): void {
  got.forEach((g, i) => {
    const { maxAbs, maxRef } = maxAbsDiff(g, want[i]);
    expect(maxAbs, names[i]).toBeLessThanOrEqual(1e-4 * maxRef);
  });
}

describe('the shipped model\'s weights held as f16 on webgpu', () => {
  it('holds its text Linears and word embeddings as f16 pairs and matches f32 on the same values', async () => {
    await useBackend('webgpu');
    const { config, half, plain } = await halfAndPlain();
    const { bert, dyhead } = config;
    const c = dyhead.fusion.visualDim;
    const visual = [8, 4, 2, 1, 1].map((s, i) => tf.randomUniform([1, s, s, c], -1, 1, 'float32', i + 1) as tf.Tensor4D);
    const got = await textPath(half, visual, bert, dyhead.fusion.numHeads);
    const want = await textPath(plain, visual, bert, dyhead.fusion.numHeads);
    expect(half.layoutOf('language_backbone.body.model.encoder.layer.0.intermediate.dense.weight')).toBe('f16 pairs in/2,out');
    expect(half.layoutOf('language_backbone.body.model.embeddings.word_embeddings.weight')).toBe('f16 pairs in/2,out');
    expect(plain.layoutOf('language_backbone.body.model.embeddings.word_embeddings.weight')).toBeUndefined();
    expect(half.layoutOf('rpn.head.dyhead_tower.0.b_attn.attn.l_proj.weight')).toBe('f16 pairs in/2,out');
    expect(half.layoutOf('rpn.head.dyhead_tower.0.b_attn.attn.v_proj.weight')).toBe('f16 pairs in/2,out'); // unpacked per call by the folded form
    expect(plain.layoutOf('language_backbone.body.model.encoder.layer.0.intermediate.dense.weight')).toBe('in,out');
    expectClose(got, want, ['bert hidden', 'fused lang', ...visual.map((_, i) => `fused visual ${i}`), 'token proj', 'token bias']);
    tf.dispose(visual);
    half.dispose();
    plain.dispose();
  });

  it('holds its Swin Linears and FPN convs as f16 pairs and matches f32 on the same values', async () => {
    await useBackend('webgpu');
    const { config, half, plain } = await halfAndPlain();
    const image = tf.randomUniform([1, 64, 96, 3], -2, 2, 'float32', 7) as tf.Tensor4D;
    const run = (w: WeightMap) => {
      const stages = swinBackbone(image, w, config.swin); // C2..C5
      const [, c3, c4, c5] = stages;
      return valuesOf([...stages, ...fpn(c3, c4, c5, w)]);
    };
    const got = await run(half);
    const want = await run(plain);
    expect(half.layoutOf('backbone.body.layers.0.blocks.0.attn.qkv.weight')).toBe('f16 pairs in/2,out');
    expect(half.layoutOf('backbone.body.layers.0.blocks.0.mlp.fc1.weight')).toBe('f16 pairs in/2,out');
    expect(half.layoutOf('backbone.body.layers.0.downsample.reduction.weight')).toBe('f16 pairs in/2,out');
    expect(half.layoutOf('backbone.body.patch_embed.proj.weight')).toBe('kh·kw·cin/2,cout f16 pairs');
    expect(half.layoutOf('backbone.fpn.fpn_layer2.weight')).toBe('kh·kw·cin/2,cout f16 pairs');
    expect(plain.layoutOf('backbone.fpn.fpn_layer2.weight')).toBe('kh,kw,cin,cout');
    expect(plain.layoutOf('backbone.body.layers.0.blocks.0.attn.qkv.weight')).toBe('in,out');
    expectClose(got, want, ['C2', 'C3', 'C4', 'C5', 'P3', 'P4', 'P5', 'P6', 'P7']);
    tf.dispose(image);
    half.dispose();
    plain.dispose();
  });

  it('holds its deformable-conv filters as f16 pairs and matches the f32 filters on the same values', async () => {
    await useBackend('webgpu');
    const { config, half, plain } = await halfAndPlain();
    const { channels, gnGroups, gnEps } = config.dyhead;
    const sizes = [[8, 10], [4, 5], [2, 3], [1, 2], [1, 1]]; // each level the stride-2 size of the one before
    const visual = sizes.map(([h, wd], i) => tf.randomUniform([1, h, wd, channels], -1, 1, 'float32', i + 11) as tf.Tensor4D);
    const run = (w: WeightMap) => valuesOf(dyConv(w, 'rpn.head.dyhead_tower.2', visual, { gnGroups, gnEps }));
    const got = await run(half);
    const want = await run(plain);
    expect(half.layoutOf('rpn.head.dyhead_tower.2.DyConv.1.conv.weight')).toBe('taps·cin4/2,cout8 f16 pairs');
    expect(half.layoutOf('rpn.head.dyhead_tower.2.offset.weight')).toBe('kh·kw·cin/2,cout f16 pairs');
    expect(plain.layoutOf('rpn.head.dyhead_tower.2.DyConv.1.conv.weight')).toBe('taps,cin,cout');
    expectClose(got, want, got.map((_, i) => `dyconv level ${i}`));
    tf.dispose(visual);
    half.dispose();
    plain.dispose();
  });
});

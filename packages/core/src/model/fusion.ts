// VLFuse (MHA-B): GLIP's bi-directional image↔text fusion, `rpn.head.dyhead_tower.{3i}.b_attn`
// (BiAttentionBlockForCheckpoint + BiMultiHeadAttention, utils/fuse_helper.py).
// All FPN levels are flattened row-major and concatenated P3..P7 into one query sequence.
// Residuals are added to the LayerNorm-ed inputs: v = LN_v(v) + γ_v·Δv, l = LN_l(l) + γ_l·Δl.
// With the hand-written kernels on (fused WGSL on webgpu; on wasm and cpu the folding is the whole
// gain: 19× fewer multiply-adds per visual token for glip-nano), the image side runs folded
// (`fusion-folded.ts`: the same function without the 2048-wide image-side projections); with them
// off, as the official layer does.
import * as tf from '@tensorflow/tfjs';
import { biAttention } from '../kernels/bi-attention.ts';
import { cpuKernelActive, fusedPathActive } from '../kernels/fused-switch.ts';
import { layerNorm } from '../kernels/layer-norm.ts';
import type { WeightMap } from '../weights/weight-map.ts';
import { foldedImageAttention } from './fusion-folded.ts';
import { linear, textLinear } from './official-layers.ts';

const LN_EPS = 1e-5;

/** [S, H·d] → [H, S, d] */
function splitHeads(x: tf.Tensor, heads: number): tf.Tensor3D {
  const [s, e] = x.shape as [number, number];
  return tf.transpose(tf.reshape(x, [s, heads, e / heads]), [1, 0, 2]) as tf.Tensor3D;
}

/** [H, S, d] → [S, H·d] */
function mergeHeads(x: tf.Tensor3D): tf.Tensor2D {
  const [h, s, d] = x.shape;
  return tf.reshape(tf.transpose(x, [1, 0, 2]), [s, h * d]) as tf.Tensor2D;
}

/**
 * One fusion layer. `prefix` = `rpn.head.dyhead_tower.{3i}`.
 * visual: P3..P7 `[1, H_l, W_l, C]`; lang `[T, D]` (T real tokens); mask `[T]` float 0/1;
 * numHeads: 8 in GLIP (hard-coded in VLFuse, `FusionConfig.numHeads`).
 * Returns the fused visual levels (same shapes) and text `[T, D]`.
 */
export function vlFuse(
  w: WeightMap,
  prefix: string,
  visual: tf.Tensor4D[],
  lang: tf.Tensor2D,
  mask: tf.Tensor1D,
  numHeads: number,
): { visual: tf.Tensor4D[]; lang: tf.Tensor2D } {
  return tf.tidy(() => {
    const p = `${prefix}.b_attn`;
    const channels = visual[0].shape[3];
    const sizes = visual.map((f) => f.shape[1] * f.shape[2]);
    const v = tf.concat(visual.map((f) => tf.reshape(f, [-1, channels])), 0); // [N, C]
    const vNorm = layerNorm(v, w.get(`${p}.layer_norm_v.weight`), w.get(`${p}.layer_norm_v.bias`), LN_EPS);
    const lNorm = layerNorm(lang, w.get(`${p}.layer_norm_l.weight`), w.get(`${p}.layer_norm_l.bias`), LN_EPS);

    const embed = w.get(`${p}.attn.v_proj.bias`).shape[0];
    const scale = (embed / numHeads) ** -0.5;
    const k = splitHeads(textLinear(w, `${p}.attn.l_proj`, lNorm), numHeads); // [H, T, d]
    const valueL = splitHeads(textLinear(w, `${p}.attn.values_l_proj`, lNorm), numHeads); // [H, T, d]
    const gammaV = w.get(`${p}.gamma_v`) as tf.Tensor1D;
    const { gammaDeltaV, outL } = fusedPathActive(vNorm) || cpuKernelActive()
      ? foldedImageAttention(w, `${p}.attn`, vNorm as tf.Tensor2D, k, valueL, mask, scale, gammaV)
      : projectedImageAttention(w, `${p}.attn`, vNorm as tf.Tensor2D, k, valueL, mask, scale, numHeads, gammaV);
    const deltaL = textLinear(w, `${p}.attn.out_l_proj`, mergeHeads(outL)); // [T, D]
    const vNew = tf.add(vNorm, gammaDeltaV);
    const lNew = tf.add(lNorm, tf.mul(w.get(`${p}.gamma_l`), deltaL)) as tf.Tensor2D;

    const levels = tf.split(vNew, sizes, 0).map((f, i) => tf.reshape(f, visual[i].shape) as tf.Tensor4D);
    return { visual: levels, lang: lNew };
  });
}

/** The official image side: q = s·v_proj(x), valueV = values_v_proj(x) `[H, N, d]`; returns γ_v·Δv, Δv = out_v_proj(outV) `[N, C]`. */
function projectedImageAttention(
  w: WeightMap,
  attn: string,
  x: tf.Tensor2D,
  k: tf.Tensor3D,
  valueL: tf.Tensor3D,
  mask: tf.Tensor1D,
  scale: number,
  numHeads: number,
  gammaV: tf.Tensor1D,
): { gammaDeltaV: tf.Tensor2D; outL: tf.Tensor3D } {
  const q = splitHeads(tf.mul(linear(w, `${attn}.v_proj`, x), scale), numHeads); // [H, N, d]
  const valueV = splitHeads(linear(w, `${attn}.values_v_proj`, x), numHeads); // [H, N, d]
  const { outV, outL } = biAttention(q, k, valueV, valueL, mask);
  return { gammaDeltaV: tf.mul(gammaV, linear(w, `${attn}.out_v_proj`, mergeHeads(outV))) as tf.Tensor2D, outL };
}

// DyConv: one DyHead block of the VLDyHead tower, `rpn.head.dyhead_tower.{3i+2}` (vldyhead.py: DyConv).
// Per level l: offsets/mask from level l; terms [same (DyConv.1 on l), down (DyConv.2, stride 2 on l−1),
// up (DyConv.0 on l+1, then bilinear align_corners=True)], each a modulated deformable conv + GroupNorm;
// scale attention h_sigmoid(ReLU(conv1×1(avgpool(t)))) per term, mean over terms, then DyReLU.
import * as tf from '@tensorflow/tfjs';
import { DCN_FILTER_F16_LAYOUT, DCN_FILTER_LAYOUT, modulatedDeformConv3x3, modulatedDeformConv3x3F16, tapMajorFilter, tapMajorPairs } from '../kernels/deform-conv.ts';
import { groupNorm } from '../kernels/group-norm.ts';
import { tokenLinear } from '../kernels/token-linear.ts';
import type { WeightMap } from '../weights/weight-map.ts';
import { conv2d, heldAsF16, linear } from './official-layers.ts';
import { upsampleBilinearAlignCorners } from './upsample-bilinear.ts';

export interface DyConvOptions {
  gnGroups: number;
  gnEps: number;
}

/** ReLU6(x + 3) / 6 */
function hSigmoid(x: tf.Tensor): tf.Tensor {
  return tf.div(tf.relu6(tf.add(x, 3)), 6);
}

/**
 * Conv3x3Norm `${prefix}` = ModulatedDeformConv (`.conv`) + GroupNorm (`.bn`): x `[1, H, W, C]` → `[1, Hout, Wout, C]`.
 * The conv's filter is held tap-major, as f16 pairs when it was stored f16 (`heldAsF16`).
 */
function deformConvNorm(w: WeightMap, prefix: string, x: tf.Tensor4D, offset: tf.Tensor3D, mask: tf.Tensor3D, stride: 1 | 2, opts: DyConvOptions): tf.Tensor4D {
  return tf.tidy(() => {
    const name = `${prefix}.conv.weight`;
    const bias = w.get(`${prefix}.conv.bias`) as tf.Tensor1D;
    const image = tf.squeeze(x, [0]) as tf.Tensor3D;
    const y = heldAsF16(w, name, DCN_FILTER_F16_LAYOUT, x)
      ? modulatedDeformConv3x3F16(image, offset, mask, w.prepared(name, DCN_FILTER_F16_LAYOUT, (t) => tapMajorPairs(t as tf.Tensor4D)) as tf.Tensor2D, bias.shape[0], bias, stride)
      : modulatedDeformConv3x3(image, offset, mask, w.prepared(name, DCN_FILTER_LAYOUT, (t) => tapMajorFilter(t as tf.Tensor4D)) as tf.Tensor3D, bias, stride);
    const gamma = w.get(`${prefix}.bn.weight`) as tf.Tensor1D;
    return groupNorm(tf.expandDims(y, 0) as tf.Tensor4D, gamma, w.get(`${prefix}.bn.bias`) as tf.Tensor1D, opts.gnGroups, opts.gnEps);
  });
}

/**
 * The official CUDA kernel reads the offset/mask buffers of level l as raw `[18|9, h, w]` memory for the
 * smaller level-(l+1) output: the first 18·h·w (9·h·w) elements of the channel-major level-l maps.
 * offset `[Hl, Wl, 18]`, mask `[Hl, Wl, 9]` → `[h, w, 18]`, `[h, w, 9]`.
 */
export function reinterpretOffsets(offset: tf.Tensor3D, mask: tf.Tensor3D, h: number, w: number): { offset: tf.Tensor3D; mask: tf.Tensor3D } {
  return tf.tidy(() => {
    const take = (t: tf.Tensor3D, ch: number) =>
      tf.transpose(tf.reshape(tf.slice(tf.reshape(tf.transpose(t, [2, 0, 1]), [-1]), [0], [ch * h * w]), [ch, h, w]), [1, 2, 0]) as tf.Tensor3D;
    return { offset: take(offset, 18), mask: take(mask, 9) };
  });
}

/**
 * Mean over the spatial axes, x `[1, H, W, C]` → `[1, C]`, as the matmul (1/HW)·1ᵀ·x `[HW, C]`
 * (the token linear on the fused path): tfjs-webgpu reduces axes other than the last through a
 * transpose, 4× slower on SwiftShader.
 */
function spatialMean(x: tf.Tensor4D): tf.Tensor2D {
  return tf.tidy(() => {
    const [, h, wd, c] = x.shape;
    return tokenLinear(tf.fill([1, h * wd], 1 / (h * wd)), tf.reshape(x, [h * wd, c]) as tf.Tensor2D, null) as tf.Tensor2D;
  });
}

/** Scale-aware attention weight of one term t `[1, H, W, C]`: a scalar `[1, 1, 1, 1]` in [0.5, 1]. */
function scaleAttention(w: WeightMap, prefix: string, t: tf.Tensor4D): tf.Tensor {
  return tf.tidy(() => {
    const pooled = tf.reshape(spatialMean(t), [1, 1, 1, t.shape[3]]) as tf.Tensor4D;
    return hSigmoid(tf.relu(conv2d(w, `${prefix}.AttnConv.1`, pooled, 1, 0)));
  });
}

/** DYReLU (`${prefix}.relu`): out = max(x·a1 + b1, x·a2 + b2) with coefficients from avgpool(x). */
export function dyRelu(w: WeightMap, prefix: string, x: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const c = x.shape[3];
    const pooled = spatialMean(x); // [1, C]
    const coef = hSigmoid(linear(w, `${prefix}.fc.2`, tf.relu(linear(w, `${prefix}.fc.0`, pooled)))); // [1, 4C]
    const [a1, b1, a2, b2] = tf.split(tf.reshape(coef, [1, 1, 1, 4 * c]), 4, 3);
    const y1 = tf.add(tf.mul(x, tf.add(tf.mul(tf.sub(a1, 0.5), 2), 1)), tf.sub(b1, 0.5));
    const y2 = tf.add(tf.mul(x, tf.mul(tf.sub(a2, 0.5), 2)), tf.sub(b2, 0.5));
    return tf.maximum(y1, y2) as tf.Tensor4D;
  });
}

/** One DyConv block. `prefix` = `rpn.head.dyhead_tower.{3i+2}`; visual P3..P7 `[1, H_l, W_l, C]` → same shapes. */
export function dyConv(w: WeightMap, prefix: string, visual: tf.Tensor4D[], opts: DyConvOptions): tf.Tensor4D[] {
  return visual.map((feature, l) =>
    tf.tidy(() => {
      const [, h, wd] = feature.shape;
      const offsetMask = tf.squeeze(conv2d(w, `${prefix}.offset`, feature, 1, 1), [0]); // [H, W, 27]
      const offset = tf.slice(offsetMask, [0, 0, 0], [-1, -1, 18]) as tf.Tensor3D;
      const mask = tf.sigmoid(tf.slice(offsetMask, [0, 0, 18], [-1, -1, 9])) as tf.Tensor3D;

      const terms = [deformConvNorm(w, `${prefix}.DyConv.1`, feature, offset, mask, 1, opts)];
      if (l > 0) terms.push(deformConvNorm(w, `${prefix}.DyConv.2`, visual[l - 1], offset, mask, 2, opts));
      if (l < visual.length - 1) {
        const next = visual[l + 1];
        const quirk = reinterpretOffsets(offset, mask, next.shape[1], next.shape[2]);
        const up = deformConvNorm(w, `${prefix}.DyConv.0`, next, quirk.offset, quirk.mask, 1, opts);
        terms.push(upsampleBilinearAlignCorners(up, [h, wd]));
      }
      const weighted = terms.map((t) => tf.mul(t, scaleAttention(w, prefix, t)));
      const mean = tf.div(tf.addN(weighted), terms.length) as tf.Tensor4D;
      return dyRelu(w, `${prefix}.relu`, mean);
    }),
  );
}

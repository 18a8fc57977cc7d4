// Output heads of VLDyHead (vldyhead.py, VLDyHead.forward): per level, on the final tower features X_l,
//   token logits  = clamp((X_l · projᵀ) / exp(log_scale) + bias, ±50000), with
//                   proj = Linear(normalize(text) / 2), bias = normalize(text)·bias_lang + bias0;
//   bbox_reg      = Scale_l · bbox_pred(X_l)   (1×1 conv, encoded dx, dy, dw, dh);
//   centerness    = centerness(X_l)            (1×1 conv, logit).
import * as tf from '@tensorflow/tfjs';
import { tokenLinear } from '../kernels/token-linear.ts';
import type { WeightMap } from '../weights/weight-map.ts';
import { conv2d, textLinear } from './official-layers.ts';

const PREFIX = 'rpn.head';
const CLAMP = 50000;
const NORM_EPS = 1e-12;

export interface HeadOutputs {
  /** per level `[H_l·W_l, T]`, locations row-major */
  logits: tf.Tensor2D[];
  /** per level `[1, H_l, W_l, 4]` */
  bboxReg: tf.Tensor4D[];
  /** per level `[1, H_l, W_l, 1]` */
  centerness: tf.Tensor4D[];
}

/** Token projection of the final text `[T, D]`: proj `[T, C]` and per-token bias `[T]`. */
export function projectTokens(w: WeightMap, text: tf.Tensor2D): { proj: tf.Tensor2D; bias: tf.Tensor1D } {
  return tf.tidy(() => {
    const normed = tf.div(text, tf.maximum(tf.norm(text, 'euclidean', -1, true), NORM_EPS));
    const proj = textLinear(w, `${PREFIX}.dot_product_projection_text`, tf.div(normed, 2)) as tf.Tensor2D;
    const bias = tf.add(tf.sum(tf.mul(normed, w.get(`${PREFIX}.bias_lang`)), -1), w.get(`${PREFIX}.bias0`)) as tf.Tensor1D;
    return { proj, bias };
  });
}

/** visual: final tower levels `[1, H_l, W_l, C]`; text: final tower text `[T, D]`. */
export function glipHeads(w: WeightMap, visual: tf.Tensor4D[], text: tf.Tensor2D): HeadOutputs {
  return tf.tidy(() => {
    const { proj, bias } = projectTokens(w, text);
    const projT = tf.transpose(proj); // [C, T]
    const invScale = tf.exp(tf.neg(w.get(`${PREFIX}.log_scale`)));
    const logits = visual.map((x) => {
      const q = tf.reshape(x, [-1, x.shape[3]]); // [H·W, C]
      return tf.clipByValue(tf.add(tf.mul(tokenLinear(q, projT, null), invScale), bias), -CLAMP, CLAMP) as tf.Tensor2D;
    });
    const bboxReg = visual.map((x, l) => tf.mul(conv2d(w, `${PREFIX}.bbox_pred`, x, 1, 0), w.get(`${PREFIX}.scales.${l}.scale`)) as tf.Tensor4D);
    const centerness = visual.map((x) => conv2d(w, `${PREFIX}.centerness`, x, 1, 0));
    return { logits, bboxReg, centerness };
  });
}

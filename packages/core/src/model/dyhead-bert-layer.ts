// The DyHead text layer: GLIP's own BertEncoderLayer (modeling/rpn/modeling_bert.py), a post-LN BERT
// layer with ±50000 clamps at five places: attention scores, pre-GELU, post-GELU, post-dense, post-LN.
// `rpn.head.dyhead_tower.{3i+1}`; visual features pass through untouched.
import * as tf from '@tensorflow/tfjs';
import { layerNorm } from '../kernels/layer-norm.ts';
import type { WeightMap } from '../weights/weight-map.ts';
import { linear } from './official-layers.ts';

const CLAMP = 50000;
const MASK_VALUE = -10000;

export interface BertLayerOptions {
  numHeads: number;
  layerNormEps: number;
}

function clamp(x: tf.Tensor): tf.Tensor {
  return tf.clipByValue(x, -CLAMP, CLAMP);
}

/** x `[T, D]`, mask `[T]` (0/1) → `[T, D]`. */
export function dyheadBertLayer(w: WeightMap, prefix: string, x: tf.Tensor2D, mask: tf.Tensor1D, opts: BertLayerOptions): tf.Tensor2D {
  return tf.tidy(() => {
    const [t, d] = x.shape;
    const heads = opts.numHeads;
    const headDim = d / heads;
    const split = (y: tf.Tensor) => tf.transpose(tf.reshape(y, [t, heads, headDim]), [1, 0, 2]) as tf.Tensor3D; // [h, T, dh]
    const q = split(linear(w, `${prefix}.attention.self.query`, x));
    const k = split(linear(w, `${prefix}.attention.self.key`, x));
    const v = split(linear(w, `${prefix}.attention.self.value`, x));
    const extended = tf.mul(tf.sub(1, mask), MASK_VALUE); // [T]: 0 real, −10000 pad
    const scores = tf.add(clamp(tf.div(tf.matMul(q, k, false, true), Math.sqrt(headDim))), extended);
    const context = tf.reshape(tf.transpose(tf.matMul(tf.softmax(scores), v), [1, 0, 2]), [t, d]);
    const attnOut = layerNorm(
      tf.add(linear(w, `${prefix}.attention.output.dense`, context), x),
      w.get(`${prefix}.attention.output.LayerNorm.weight`),
      w.get(`${prefix}.attention.output.LayerNorm.bias`),
      opts.layerNormEps,
    );
    const pre = clamp(linear(w, `${prefix}.intermediate.dense`, attnOut));
    const inter = clamp(tf.mul(tf.mul(pre, 0.5), tf.add(tf.erf(tf.mul(pre, Math.SQRT1_2)), 1))); // exact GELU
    const out = clamp(linear(w, `${prefix}.output.dense`, inter));
    const normed = layerNorm(tf.add(out, attnOut), w.get(`${prefix}.output.LayerNorm.weight`), w.get(`${prefix}.output.LayerNorm.bias`), opts.layerNormEps);
    return clamp(normed) as tf.Tensor2D;
  });
}

// Swin window self-attention (WindowAttention.forward in GLIP's swint.py, after the qkv projection):
//   out = softmax(q·kᵀ + bias[h] + mask[w]) · v     per window w and head h
// with q already multiplied by head_dim^−0.5. Plain-tfjs reference.
import * as tf from '@tensorflow/tfjs';

/**
 * q, k, v `[nW, heads, M, d]` (M = window tokens), bias `[heads, M, M]` (relative position bias),
 * mask `[nW, M, M]` (0 / −100 for shifted windows) or null → `[nW, heads, M, d]`.
 */
export function windowAttention(q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D, bias: tf.Tensor3D, mask: tf.Tensor3D | null): tf.Tensor4D {
  return tf.tidy(() => {
    let scores: tf.Tensor = tf.add(tf.matMul(q, k, false, true), bias); // [nW, heads, M, M]
    if (mask) scores = tf.add(scores, tf.expandDims(mask, 1));
    return tf.matMul(tf.softmax(scores), v) as tf.Tensor4D;
  });
}

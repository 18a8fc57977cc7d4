// Bi-directional image↔text attention of GLIP's fusion (BiMultiHeadAttention, utils/fuse_helper.py).
// Plain-tfjs reference; a fused WebGPU kernel will replace it behind the same signature.
//   A   = clamp(q·kᵀ, ±50000)                                   [H, N, T]
//   outV = softmax_T(A + maskAdd) · valueL,  maskAdd = 1 (real) | −9e15 (pad)      image ← text
//   outL = softmax_N(clamp(Aᵀ − max_N Aᵀ, ±50000)) · valueV   (no mask at all)     text ← image
import * as tf from '@tensorflow/tfjs';

const CLAMP = 50000;
const MASKED = -9e15;

/**
 * q `[H, N, d]` (pre-scaled), k `[H, T, d]`, valueV `[H, N, d]`, valueL `[H, T, d]`, textMask `[T]` (0/1).
 * Returns outV `[H, N, d]` and outL `[H, T, d]`.
 */
export function biAttention(
  q: tf.Tensor3D,
  k: tf.Tensor3D,
  valueV: tf.Tensor3D,
  valueL: tf.Tensor3D,
  textMask: tf.Tensor1D,
): { outV: tf.Tensor3D; outL: tf.Tensor3D } {
  return tf.tidy(() => {
    const scores = tf.clipByValue(tf.matMul(q, k, false, true), -CLAMP, CLAMP); // [H, N, T]
    // masked_fill(mask == 0, −9e15) on the 0/1 mask: real tokens get +1, padding −9e15.
    const maskAdd = tf.where(tf.equal(textMask, 0), tf.fill(textMask.shape, MASKED), textMask); // [T]
    const attnV = tf.softmax(tf.add(scores, maskAdd)); // [H, N, T]
    const outV = tf.matMul(attnV, valueL) as tf.Tensor3D; // [H, N, d]

    const scoresT = tf.transpose(scores, [0, 2, 1]); // [H, T, N]
    const shifted = tf.clipByValue(tf.sub(scoresT, tf.max(scoresT, -1, true)), -CLAMP, CLAMP);
    const outL = tf.matMul(tf.softmax(shifted), valueV) as tf.Tensor3D; // [H, T, d]
    return { outV, outL };
  });
}

// Layer normalisation over the last axis: y = (x − mean) / sqrt(var + eps) · gamma + beta,
// with the biased variance (as torch.nn.LayerNorm). Plain-tfjs reference.
import * as tf from '@tensorflow/tfjs';

/** x `[..., C]`, gamma `[C]`, beta `[C]` → `[..., C]`. */
export function layerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, eps: number): tf.Tensor {
  return tf.tidy(() => {
    const axis = x.rank - 1;
    const { mean, variance } = tf.moments(x, axis, true);
    const normed = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps)));
    return tf.add(tf.mul(normed, gamma), beta);
  });
}

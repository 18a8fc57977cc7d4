// GELU as torch.nn.GELU / HF "gelu" (exact, via erf), used by the Swin MLPs and the BERT layers.
import * as tf from '@tensorflow/tfjs';

/** x·Φ(x) = 0.5·x·(1 + erf(x/√2)). */
export function geluErf(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1)));
}

// GLIP's token sigmoid focal loss (token_sigmoid_binary_focal_loss in layers/sigmoid_focal_loss.py), on
// the dot-product token logits against the positive map, summed over anchors and real tokens:
//   p = σ(x),  ce = BCEWithLogits(x, t),  p_t = p·t + (1 − p)(1 − t),  α_t = α·t + (1 − α)(1 − t)
//   loss = Σ α_t · ce · (1 − p_t)^γ
// t is soft (GLIP's positive map rows are 1/(n + 1e-6)). GLIP masks out padded token positions; our
// logits hold only the prompt's real tokens, so every position counts.
import * as tf from '@tensorflow/tfjs';

/** logits, targets `[A, T]` → the summed loss (scalar). */
export function tokenSigmoidFocalLoss(logits: tf.Tensor2D, targets: tf.Tensor2D, alpha: number, gamma: number): tf.Scalar {
  return tf.tidy(() => {
    const p = tf.sigmoid(logits);
    // BCE with logits, the stable form: max(x, 0) − x·t + log(1 + exp(−|x|))
    const ce = tf.add(tf.sub(tf.relu(logits), tf.mul(logits, targets)), tf.log1p(tf.exp(tf.neg(tf.abs(logits)))));
    const oneMinusT = tf.sub(1, targets);
    const pT = tf.add(tf.mul(p, targets), tf.mul(tf.sub(1, p), oneMinusT));
    const alphaT = tf.add(tf.mul(alpha, targets), tf.mul(1 - alpha, oneMinusT));
    return tf.sum(tf.mul(tf.mul(alphaT, ce), tf.pow(tf.sub(1, pT), gamma)));
  });
}

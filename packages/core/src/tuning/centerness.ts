// Centerness (ATSSLossComputation.compute_centerness_targets and its BCEWithLogits loss): for a positive
// anchor whose centre is (cx, cy) and its box decoded from the regression target,
//   l = cx − x0, r = x1 − cx, t = cy − y0, b = y1 − cy
//   target = sqrt(min(l, r)/max(l, r) · min(t, b)/max(t, b))
// The targets are constants (no gradient); they also weight the GIoU loss.
import * as tf from '@tensorflow/tfjs';
import { decodeBoxes } from '../postprocess/box-coder.ts';

/** target deltas `[P, 4]`, anchors `[P, 4]` → centerness targets `[P]`. */
export function centernessTargets(targetDeltas: tf.Tensor2D, anchors: tf.Tensor2D, coderWeights: readonly [number, number, number, number]): tf.Tensor1D {
  return tf.tidy(() => {
    const [x0, y0, x1, y1] = tf.unstack(decodeBoxes(targetDeltas, anchors, coderWeights), 1);
    const [ax0, ay0, ax1, ay1] = tf.unstack(anchors, 1);
    const cx = tf.div(tf.add(ax0, ax1), 2);
    const cy = tf.div(tf.add(ay0, ay1), 2);
    const [l, r, t, b] = [tf.sub(cx, x0), tf.sub(x1, cx), tf.sub(cy, y0), tf.sub(y1, cy)];
    const lr = tf.div(tf.minimum(l, r), tf.maximum(l, r));
    const tb = tf.div(tf.minimum(t, b), tf.maximum(t, b));
    return tf.sqrt(tf.mul(lr, tb)) as tf.Tensor1D;
  });
}

/** logits, targets `[P]` → Σ BCEWithLogits (scalar): max(x, 0) − x·t + log(1 + exp(−|x|)). */
export function centernessLoss(logits: tf.Tensor1D, targets: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => tf.sum(tf.add(tf.sub(tf.relu(logits), tf.mul(logits, targets)), tf.log1p(tf.exp(tf.neg(tf.abs(logits)))))));
}

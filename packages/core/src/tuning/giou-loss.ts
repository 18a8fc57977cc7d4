// GLIP's GIoU box loss (ATSSLossComputation.GIoULoss), weighted by the centerness targets. Both the
// prediction and the target are box-coder deltas, decoded against the anchor (BoxCoder.decode, "+1"
// convention); the predicted x1/y1 are raised to x0/y0 where they fall below:
//   IoU = I / (A_p + A_t − I + 1e-7),  GIoU = IoU − (E − U) / E  with E = enclosing area + 1e-7
//   loss = Σ w · (1 − GIoU)
import * as tf from '@tensorflow/tfjs';
import { decodeBoxes } from '../postprocess/box-coder.ts';

type Weights = readonly [number, number, number, number];

/** pred, target deltas `[P, 4]`, anchors `[P, 4]` xyxy, weight `[P]` → Σ weight·(1 − GIoU) (scalar). */
export function giouLoss(pred: tf.Tensor2D, target: tf.Tensor2D, anchors: tf.Tensor2D, weight: tf.Tensor1D, coderWeights: Weights): tf.Scalar {
  return tf.tidy(() => {
    const [px0, py0, px1Raw, py1Raw] = tf.unstack(decodeBoxes(pred, anchors, coderWeights), 1);
    const px1 = tf.maximum(px0, px1Raw);
    const py1 = tf.maximum(py0, py1Raw);
    const [tx0, ty0, tx1, ty1] = tf.unstack(decodeBoxes(target, anchors, coderWeights), 1);
    const predArea = tf.mul(tf.sub(px1, px0), tf.sub(py1, py0));
    const targetArea = tf.mul(tf.sub(tx1, tx0), tf.sub(ty1, ty0));
    const iw = tf.sub(tf.minimum(px1, tx1), tf.maximum(px0, tx0));
    const ih = tf.sub(tf.minimum(py1, ty1), tf.maximum(py0, ty0));
    // GLIP: I = iw·ih where both are > 0, else 0; relu(iw)·relu(ih) is that, with the same gradient.
    const inter = tf.mul(tf.relu(iw), tf.relu(ih));
    const enclosing = tf.add(tf.mul(tf.sub(tf.maximum(px1, tx1), tf.minimum(px0, tx0)), tf.sub(tf.maximum(py1, ty1), tf.minimum(py0, ty0))), 1e-7);
    const union = tf.add(tf.sub(tf.add(predArea, targetArea), inter), 1e-7);
    const giou = tf.sub(tf.div(inter, union), tf.div(tf.sub(enclosing, union), enclosing));
    return tf.sum(tf.mul(tf.sub(1, giou), weight));
  });
}

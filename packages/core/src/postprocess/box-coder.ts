// GLIP's BoxCoder.decode (vldyhead.py), "+1" convention (TO_REMOVE = 1), weights (10, 10, 5, 5):
//   w_a = x2 − x1 + 1, cx_a = (x1 + x2)/2;  cx = dx/wx·w_a + cx_a;  w = exp(min(dw/ww, log(1000/16)))·w_a
//   box = [cx − (w − 1)/2, cy − (h − 1)/2, cx + (w − 1)/2, cy + (h − 1)/2]
import * as tf from '@tensorflow/tfjs';

const MAX_LOG_SCALE = Math.log(1000 / 16);

/** deltas `[n, 4]` (dx, dy, dw, dh) relative to anchors `[n, 4]` xyxy → boxes `[n, 4]` xyxy. */
export function decodeBoxes(deltas: tf.Tensor2D, anchors: tf.Tensor2D, weights: readonly [number, number, number, number]): tf.Tensor2D {
  return tf.tidy(() => {
    const [x1, y1, x2, y2] = tf.unstack(anchors, 1);
    const [tx, ty, tw, th] = tf.unstack(deltas, 1);
    const wa = tf.add(tf.sub(x2, x1), 1);
    const ha = tf.add(tf.sub(y2, y1), 1);
    const cxa = tf.div(tf.add(x1, x2), 2);
    const cya = tf.div(tf.add(y1, y2), 2);
    const cx = tf.add(tf.mul(tf.div(tx, weights[0]), wa), cxa);
    const cy = tf.add(tf.mul(tf.div(ty, weights[1]), ha), cya);
    const halfW = tf.mul(tf.sub(tf.mul(tf.exp(tf.minimum(tf.div(tw, weights[2]), MAX_LOG_SCALE)), wa), 1), 0.5);
    const halfH = tf.mul(tf.sub(tf.mul(tf.exp(tf.minimum(tf.div(th, weights[3]), MAX_LOG_SCALE)), ha), 1), 0.5);
    return tf.stack([tf.sub(cx, halfW), tf.sub(cy, halfH), tf.add(cx, halfW), tf.add(cy, halfH)], 1) as tf.Tensor2D;
  });
}

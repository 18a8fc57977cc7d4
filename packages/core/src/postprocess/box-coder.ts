// GLIP's BoxCoder (vldyhead.py): decode and its inverse encode, "+1" convention (TO_REMOVE = 1), weights (10, 10, 5, 5):
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

/** BoxCoder.encode, the inverse: boxes `[n, 4]` xyxy relative to anchors `[n, 4]` → deltas `[n, 4]`. */
export function encodeBoxes(boxes: tf.Tensor2D, anchors: tf.Tensor2D, weights: readonly [number, number, number, number]): tf.Tensor2D {
  return tf.tidy(() => {
    const [ax1, ay1, ax2, ay2] = tf.unstack(anchors, 1);
    const [gx1, gy1, gx2, gy2] = tf.unstack(boxes, 1);
    const wa = tf.add(tf.sub(ax2, ax1), 1);
    const ha = tf.add(tf.sub(ay2, ay1), 1);
    const wg = tf.add(tf.sub(gx2, gx1), 1);
    const hg = tf.add(tf.sub(gy2, gy1), 1);
    const dx = tf.div(tf.mul(weights[0], tf.sub(tf.div(tf.add(gx1, gx2), 2), tf.div(tf.add(ax1, ax2), 2))), wa);
    const dy = tf.div(tf.mul(weights[1], tf.sub(tf.div(tf.add(gy1, gy2), 2), tf.div(tf.add(ay1, ay2), 2))), ha);
    const dw = tf.mul(weights[2], tf.log(tf.div(wg, wa)));
    const dh = tf.mul(weights[3], tf.log(tf.div(hg, ha)));
    return tf.stack([dx, dy, dw, dh], 1) as tf.Tensor2D;
  });
}

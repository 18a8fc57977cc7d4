// Rows of a tensor picked by index, differentiable on every backend: tf.gather's value, with the
// gradient as one scatter-add (scatterND sums repeated indices) instead of tfjs's GatherV2 gradient,
// whose UnsortedSegmentSum is O(n·m·C) on the cpu backend (minutes per step when prompt tuning
// differentiates through the head) and is not registered on wasm at all. The indices get no gradient.
import * as tf from '@tensorflow/tfjs';

/** rows `[n, C]`, index `[m]` (int32) → rows[index] `[m, C]`. */
export function gatherRows(rows: tf.Tensor2D, index: tf.Tensor1D): tf.Tensor2D {
  const [n, c] = rows.shape;
  const f = tf.customGrad((r, save) => {
    (save as tf.GradSaveFunc)([index]); // kept for the backward pass, after the caller's tidy ends
    return {
      value: tf.gather(r as tf.Tensor2D, index),
      gradFunc: (dy, [saved]) => tf.scatterND(tf.reshape(saved, [-1, 1]), dy as tf.Tensor2D, [n, c]),
    };
  });
  return f(rows) as tf.Tensor2D;
}

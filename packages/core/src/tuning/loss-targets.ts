// An image's training targets as tensors, from its ATSS assignment: built once per training image and
// reused every step (nothing here depends on the predictions).
import * as tf from '@tensorflow/tfjs';
import { encodeBoxes } from '../postprocess/box-coder.ts';
import { assignAtss, type TrainingBox } from './atss-targets.ts';
import { centernessTargets } from './centerness.ts';
import type { TuningLossConfig } from './loss-config.ts';

export interface ImageLossTargets {
  /** `[A, T]` the positive map row of each positive anchor's box, zeros for the negatives. */
  tokens: tf.Tensor2D;
  /** `[P]` int32 indices of the positive anchors (all levels, P3 first). */
  positives: tf.Tensor1D;
  /** `[P, 4]` the positives' anchors, xyxy. */
  positiveAnchors: tf.Tensor2D;
  /** `[P, 4]` BoxCoder.encode of each positive's box against its anchor. */
  regression: tf.Tensor2D;
  /** `[P]` centerness targets. */
  centerness: tf.Tensor1D;
  /** Σ centerness targets (GLIP's normaliser of the GIoU loss). */
  centernessSum: number;
}

/**
 * anchors per level `[A_l, 4]` (stay the caller's), the boxes with their positive-map rows `[T]`, T →
 * the targets (the caller disposes them with `disposeLossTargets`).
 */
export function imageLossTargets(
  anchors: tf.Tensor2D[],
  boxes: readonly TrainingBox[],
  nTokens: number,
  cfg: TuningLossConfig,
  coderWeights: readonly [number, number, number, number],
): ImageLossTargets {
  const flat = new Float32Array(anchors.reduce((n, a) => n + a.size, 0));
  let at = 0;
  for (const a of anchors) {
    flat.set(a.dataSync() as Float32Array, at);
    at += a.size;
  }
  const { positives, boxOfPositive } = assignAtss(flat, anchors.map((a) => a.shape[0]), boxes, cfg);
  const tokens = new Float32Array((flat.length / 4) * nTokens);
  const positiveAnchors = new Float32Array(positives.length * 4);
  const matched = new Float32Array(positives.length * 4);
  positives.forEach((a, k) => {
    const b = boxes[boxOfPositive[k]];
    tokens.set(b.tokens, a * nTokens);
    positiveAnchors.set(flat.subarray(4 * a, 4 * a + 4), 4 * k);
    matched.set(b.box, 4 * k);
  });
  return tf.tidy(() => {
    const tokensT = tf.tensor2d(tokens, [flat.length / 4, nTokens]);
    if (positives.length === 0) {
      // No anchor matches any box (boxes far smaller than the anchors): only the token loss's negatives
      // remain. tfjs's cpu backend cannot unstack an empty tensor, so no box-coder arithmetic runs.
      const none = tf.zeros([0, 4]) as tf.Tensor2D;
      return { tokens: tokensT, positives: tf.tensor1d([], 'int32'), positiveAnchors: none, regression: tf.clone(none), centerness: tf.zeros([0]) as tf.Tensor1D, centernessSum: 0 };
    }
    const anchorsT = tf.tensor2d(positiveAnchors, [positives.length, 4]);
    const regression = encodeBoxes(tf.tensor2d(matched, [positives.length, 4]), anchorsT, coderWeights);
    const centerness = centernessTargets(regression, anchorsT, coderWeights);
    return {
      tokens: tokensT,
      positives: tf.tensor1d(positives, 'int32'),
      positiveAnchors: anchorsT,
      regression,
      centerness,
      centernessSum: (centerness.sum().dataSync() as Float32Array)[0],
    };
  });
}

export function disposeLossTargets(t: ImageLossTargets): void {
  tf.dispose([t.tokens, t.positives, t.positiveAnchors, t.regression, t.centerness]);
}

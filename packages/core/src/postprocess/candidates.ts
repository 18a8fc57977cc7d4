// Per-level candidate selection (ATSSPostProcessor.forward_for_single_feature_map), on the GPU:
// phrase score p > INFERENCE_TH (before centerness) → key p·sigmoid(centerness) → top PRE_NMS_TOP_N →
// decode the selected anchors → clip to the resized, unpadded image → score sqrt(p·sigmoid(ctr)).
// The top-k size is fixed by the shapes (min(A·P, PRE_NMS_TOP_N)), not by how many scores pass the
// threshold: no read-back before the top-k, and the same GPU programs for every image (so a load-time
// compile pass covers them). Non-candidates rank last (key −1); the top rows are read back once and
// cut at the first non-candidate, which selects exactly the top min(count, PRE_NMS_TOP_N) candidates.
// The rows of all levels are made first and read back together (one wait for the GPU, not one per level).
import * as tf from '@tensorflow/tfjs';
import { decodeBoxes } from './box-coder.ts';
import type { BoxSet } from './detection.ts';

export interface CandidateOptions {
  inferenceTh: number;
  preNmsTopN: number;
  boxCoderWeights: readonly [number, number, number, number];
  /** resized, unpadded image size (boxes are clipped to [0, w−1] × [0, h−1]) */
  imageHeight: number;
  imageWidth: number;
}

export interface LevelCandidates extends BoxSet {
  /** anchor (location) index of each candidate in its level */
  anchorIndices: Int32Array;
}

/** One level's top-k rows on the GPU: keys (−1 for non-candidates), boxes, scores, labels, anchor indices. */
export type CandidateTensors = [tf.Tensor1D, tf.Tensor2D, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D];

/**
 * scores `[A, P]` (phrase scores), centerness `[A]` logits, bboxReg `[A, 4]`, anchors `[A, 4]` →
 * the level's top-k rows, still on the GPU (null when the level has no rows); `readCandidates` cuts them.
 */
export function candidateTensors(
  scores: tf.Tensor2D,
  centerness: tf.Tensor1D,
  bboxReg: tf.Tensor2D,
  anchors: tf.Tensor2D,
  opts: CandidateOptions,
): CandidateTensors | null {
  const numPhrases = scores.shape[1];
  const k = Math.min(scores.shape[0] * numPhrases, opts.preNmsTopN);
  if (k === 0) return null;
  return tf.tidy(() => {
    const candidate = tf.greater(scores, opts.inferenceTh);
    const ranked = tf.mul(scores, tf.expandDims(tf.sigmoid(centerness), 1)); // ≥ 0
    const key = tf.reshape(tf.where(candidate, ranked, tf.fill(ranked.shape, -1)), [-1]);
    const { values, indices } = tf.topk(key, k, true);
    const loc = tf.cast(tf.floorDiv(indices, numPhrases), 'int32'); // wasm's FloorDiv returns float32
    const label = tf.add(tf.mod(indices, numPhrases), 1);
    const decoded = decodeBoxes(tf.gather(bboxReg, loc), tf.gather(anchors, loc), opts.boxCoderWeights);
    const [x1, y1, x2, y2] = tf.unstack(decoded, 1);
    const clipX = (x: tf.Tensor) => tf.clipByValue(x, 0, opts.imageWidth - 1);
    const clipY = (y: tf.Tensor) => tf.clipByValue(y, 0, opts.imageHeight - 1);
    return [values, tf.stack([clipX(x1), clipY(y1), clipX(x2), clipY(y2)], 1), tf.sqrt(values), label, loc] as CandidateTensors;
  });
}

/**
 * The candidates among read-back top-k rows (keys descending, non-candidates −1 last): the rows before
 * the first non-candidate, as LevelCandidates.
 */
export function leadingCandidates(keys: ArrayLike<number>, boxes: Float32Array, scores: Float32Array, labels: ArrayLike<number>, anchors: ArrayLike<number>): LevelCandidates {
  let count = 0;
  while (count < keys.length && keys[count] > -1) count++;
  return {
    boxes: boxes.slice(0, 4 * count),
    scores: scores.slice(0, count),
    labels: Int32Array.from({ length: count }, (_, i) => labels[i]),
    anchorIndices: Int32Array.from({ length: count }, (_, i) => anchors[i]),
  };
}

/** Reads one level's top-k rows back (disposing them) and keeps the candidates among them, in descending score order. */
export async function readCandidates(rows: CandidateTensors | null): Promise<LevelCandidates> {
  if (rows === null) return { boxes: new Float32Array(0), scores: new Float32Array(0), labels: new Int32Array(0), anchorIndices: new Int32Array(0) };
  const [keys, boxes, scores, labels, anchors] = await Promise.all(rows.map((t) => t.data())).finally(() => tf.dispose(rows));
  return leadingCandidates(keys, boxes as Float32Array, scores as Float32Array, labels, anchors);
}

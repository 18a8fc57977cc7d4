// ATSSPostProcessor + GLIPDemo's rescale and threshold: per level phrase scores and candidates (GPU),
// then all levels together: class-aware NMS, keep scores ≥ the DETECTIONS_PER_IMG-th largest
// (kthvalue), rescale to the original image, keep score > scoreThreshold, descending.
import * as tf from '@tensorflow/tfjs';
import type { PostprocessConfig } from '../config.ts';
import { type LevelCandidates, candidateTensors, readCandidates } from './candidates.ts';
import type { BoxSet, Detection, DetectionPhrase } from './detection.ts';
import { classAwareNms, pick } from './nms.ts';
import { phraseScores } from './phrase-scores.ts';

export interface HeadLevels {
  /** per level `[A_l, T]` */
  logits: tf.Tensor2D[];
  /** per level `[1, H_l, W_l, 4]` */
  bboxReg: tf.Tensor4D[];
  /** per level `[1, H_l, W_l, 1]` */
  centerness: tf.Tensor4D[];
  /** per level `[A_l, 4]` */
  anchors: tf.Tensor2D[];
}

export interface PostprocessOptions extends PostprocessConfig {
  boxCoderWeights: readonly [number, number, number, number];
  /** resized, unpadded image (h, w) the model saw */
  resizedSize: [number, number];
  /** original image (h, w) the boxes are returned in */
  originalSize: [number, number];
  /** detections keep score > this (GLIPDemo threshold); 0 keeps all */
  scoreThreshold: number;
}

export interface PostprocessResult {
  /** per level, resized-image coordinates, descending score */
  candidates: LevelCandidates[];
  /** after NMS and the DETECTIONS_PER_IMG cut, resized-image coordinates, descending score */
  afterNms: BoxSet;
  /** original-image coordinates, score > scoreThreshold, descending score */
  detections: Detection[];
}

function concat(sets: readonly BoxSet[]): BoxSet {
  const n = sets.reduce((a, s) => a + s.scores.length, 0);
  const out: BoxSet = { boxes: new Float32Array(4 * n), scores: new Float32Array(n), labels: new Int32Array(n) };
  let at = 0;
  for (const s of sets) {
    out.boxes.set(s.boxes, 4 * at);
    out.scores.set(s.scores, at);
    out.labels.set(s.labels, at);
    at += s.scores.length;
  }
  return out;
}

export async function postprocess(head: HeadLevels, phrases: readonly DetectionPhrase[], opts: PostprocessOptions): Promise<PostprocessResult> {
  const [h, w] = opts.resizedSize;
  const rows = phrases.length === 0 ? [] : head.logits.map((logits, l) => {
    const scores = phraseScores(logits, phrases);
    const ctr = tf.reshape(head.centerness[l], [-1]) as tf.Tensor1D;
    const reg = tf.reshape(head.bboxReg[l], [-1, 4]) as tf.Tensor2D;
    const level = candidateTensors(scores, ctr, reg, head.anchors[l], { ...opts, imageHeight: h, imageWidth: w });
    tf.dispose([scores, ctr, reg]);
    return level;
  });
  const candidates: LevelCandidates[] = await Promise.all(rows.map(readCandidates));
  const all = concat(candidates);
  let kept = classAwareNms(all, opts.nmsTh);
  if (kept.length > opts.detectionsPerImg) {
    const kth = all.scores[kept[opts.detectionsPerImg - 1]];
    kept = kept.filter((i) => all.scores[i] >= kth);
  }
  const afterNms = pick(all, kept);

  const [oh, ow] = opts.originalSize;
  const sx = ow / w;
  const sy = oh / h;
  const detections: Detection[] = [];
  afterNms.scores.forEach((score, i) => {
    if (!(score > opts.scoreThreshold)) return;
    const b = afterNms.boxes.subarray(4 * i, 4 * i + 4);
    const phrase = phrases[afterNms.labels[i] - 1];
    detections.push({
      box: [b[0] * sx, b[1] * sy, b[2] * sx, b[3] * sy],
      score,
      phrase: phrase.text,
      charSpan: [phrase.charSpan[0], phrase.charSpan[1]],
      tokenIndices: [...phrase.tokenIndices],
    });
  });
  return { candidates, afterNms, detections };
}

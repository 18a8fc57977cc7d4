// ATSSPostProcessor + GLIPDemo's rescale and threshold: per level phrase scores and candidates (GPU),
// then all levels together: class-aware NMS (on the GPU with fused kernels on webgpu, `kernels/nms.ts`;
// else on the CPU, `nms.ts`), keep scores ≥ the DETECTIONS_PER_IMG-th largest (kthvalue), rescale to
// the original image, keep score > scoreThreshold, descending. One read-back for all of it.
import * as tf from '@tensorflow/tfjs';
import type { PostprocessConfig } from '../config.ts';
import { gpuNmsActive, nmsKeepMask } from '../kernels/nms.ts';
import { type CandidateTensors, type LevelCandidates, candidateTensors, leadingCandidates, readCandidates } from './candidates.ts';
import { type BoxSet, type Detection, type DetectionPhrase, pick } from './detection.ts';
import { classAwareNms } from '../kernels/nms-reference.ts';
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

/**
 * Every level's rows (null: a level without rows) in one list sorted by descending key (non-candidates
 * last), with each row's level and the GPU NMS's keep mask: keys, boxes, scores, labels, anchor indices,
 * levels, keep, all `[K]` (boxes `[K, 4]`).
 */
function sortedWithKeepMask(rows: (CandidateTensors | null)[], iouThreshold: number): tf.Tensor[] {
  return tf.tidy(() => {
    const present = rows.flatMap((r, level) => (r === null ? [] : [{ r, level }]));
    const keys = tf.concat(present.map(({ r }) => r[0]));
    const { values, indices } = tf.topk(keys, keys.shape[0], true);
    const column = (i: number) => tf.gather(tf.concat(present.map(({ r }) => r[i])), indices);
    const boxes = column(1) as tf.Tensor2D;
    const labels = column(3) as tf.Tensor1D;
    const levels = tf.gather(tf.concat(present.map(({ r, level }) => tf.fill([r[0].shape[0]], level))), indices);
    return [values, boxes, column(2), labels, column(4), levels, nmsKeepMask(boxes, labels, values, iouThreshold)];
  });
}

/**
 * Reads the sorted rows back (disposing them): the candidates of all levels as one set in score order,
 * the kept ones' indices into it, and each level's candidates (the set's rows of that level, in order).
 */
async function readSorted(tensors: tf.Tensor[], levelCount: number): Promise<{ all: LevelCandidates; kept: number[]; candidates: LevelCandidates[] }> {
  const [keys, boxes, scores, labels, anchors, levels, keep] = await Promise.all(tensors.map((t) => t.data())).finally(() => tf.dispose(tensors));
  const all = leadingCandidates(keys, boxes as Float32Array, scores as Float32Array, labels, anchors);
  const rowsOf = (level: number) => Array.from(all.scores.keys()).filter((i) => levels[i] === level);
  const candidates = Array.from({ length: levelCount }, (_, level) => {
    const rows = rowsOf(level);
    return { ...pick(all, rows), anchorIndices: Int32Array.from(rows, (i) => all.anchorIndices[i]) };
  });
  return { all, kept: Array.from(all.scores.keys()).filter((i) => keep[i] === 1), candidates };
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
  // On the GPU path the level rows are sorted together and read back once, with NMS done; else each
  // level is read back and NMS runs on the CPU.
  const first = rows.find((r): r is CandidateTensors => r !== null);
  let candidates: LevelCandidates[];
  let all: BoxSet;
  let kept: number[];
  if (first !== undefined && gpuNmsActive(first[1], first[3], first[0])) {
    const sorted = sortedWithKeepMask(rows, opts.nmsTh);
    tf.dispose(rows.filter((r): r is CandidateTensors => r !== null));
    ({ candidates, all, kept } = await readSorted(sorted, rows.length));
  } else {
    candidates = await Promise.all(rows.map(readCandidates));
    all = concat(candidates);
    kept = classAwareNms(all, opts.nmsTh);
  }
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

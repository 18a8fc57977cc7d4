// ATSSPostProcessor + GLIPDemo's rescale and threshold: per level phrase scores and candidates (GPU),
// then all levels together: class-aware NMS (on the GPU with fused kernels on webgpu, `kernels/nms.ts`;
// else on the CPU, `nms.ts`), keep scores ≥ the DETECTIONS_PER_IMG-th largest (kthvalue), rescale to
// the original image, keep score > scoreThreshold, descending. One read-back for all of it.
import * as tf from '@tensorflow/tfjs';
import type { PostprocessConfig } from '../config.ts';
import { gpuNmsActive, nmsKeepMask } from '../kernels/nms.ts';
import { type CandidateTensors, type LevelCandidates, candidateTensors, readCandidates } from './candidates.ts';
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

/**
 * Every level's rows in one list sorted by descending key (non-candidates last), with the GPU NMS's keep
 * mask: keys `[K]`, boxes `[K, 4]`, scores `[K]`, labels `[K]`, keep `[K]`. Made before the levels are read back.
 */
function sortedWithKeepMask(levels: CandidateTensors[], iouThreshold: number): tf.Tensor[] {
  return tf.tidy(() => {
    const keys = tf.concat(levels.map((r) => r[0]));
    const { values, indices } = tf.topk(keys, keys.shape[0], true);
    const sorted = (i: number) => tf.gather(tf.concat(levels.map((r) => r[i])), indices);
    const boxes = sorted(1) as tf.Tensor2D;
    const labels = sorted(3) as tf.Tensor1D;
    return [values, boxes, sorted(2), labels, nmsKeepMask(boxes, labels, values, iouThreshold)];
  });
}

/** Reads the sorted rows back (disposing them): the candidates as one BoxSet and the kept ones' indices, in score order. */
async function readSorted(tensors: tf.Tensor[]): Promise<{ all: BoxSet; kept: number[] }> {
  const [keys, boxes, scores, labels, keep] = await Promise.all(tensors.map((t) => t.data())).finally(() => tf.dispose(tensors));
  let count = 0;
  while (count < keys.length && keys[count] > -1) count++;
  const all: BoxSet = { boxes: (boxes as Float32Array).slice(0, 4 * count), scores: (scores as Float32Array).slice(0, count), labels: Int32Array.from(labels.subarray(0, count)) };
  const kept: number[] = [];
  for (let i = 0; i < count; i++) if (keep[i] === 1) kept.push(i);
  return { all, kept };
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
  const present = rows.filter((r): r is CandidateTensors => r !== null);
  const onGpu = present.length > 0 && gpuNmsActive(present[0][1], present[0][3], present[0][0]) ? sortedWithKeepMask(present, opts.nmsTh) : null;
  const [candidates, gpuNms] = await Promise.all([Promise.all(rows.map(readCandidates)), onGpu && readSorted(onGpu)]);
  const all = gpuNms ? gpuNms.all : concat(candidates);
  let kept = gpuNms ? gpuNms.kept : classAwareNms(all, opts.nmsTh);
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

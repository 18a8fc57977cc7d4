// ATSS target assignment (ATSSLossComputation.prepare_targets): which anchors are positives for which
// ground-truth box. It depends only on the anchors and the boxes, never on the predictions, so it is
// plain TypeScript, computed once per training image. For each box g:
//   candidates   = per level, the TOPK anchors whose centres are nearest g's centre;
//   threshold_g  = mean + std (unbiased) of the candidates' IoU with g  (IoU with GLIP's +1 areas);
//   positive     = candidate with IoU ≥ threshold_g whose centre lies inside g (min(l, t, r, b) > 0.01).
// An anchor positive for several boxes takes the box of highest IoU (the first on ties, as torch.max).
import type { TuningLossConfig } from './loss-config.ts';

/** A ground-truth box `[x0, y0, x1, y1]` in the network input's pixels, and its phrase's row of the positive map. */
export interface TrainingBox {
  box: readonly [number, number, number, number];
  /** `[T]` GLIP's training positive map row: 1/(n + 1e-6) on the phrase's n tokens, 0 elsewhere. */
  tokens: Float32Array;
}

export interface AtssTargets {
  /** Indices (into the anchors of all levels, P3 first) of the positive anchors, ascending. */
  positives: Int32Array;
  /** For each positive, the index of its box. */
  boxOfPositive: Int32Array;
}

/** anchors: xyxy `[A·4]` of all levels concatenated, `anchorsPerLevel` how many each level has. */
export function assignAtss(anchors: Float32Array, anchorsPerLevel: readonly number[], boxes: readonly TrainingBox[], cfg: TuningLossConfig): AtssTargets {
  const nAnchors = anchors.length / 4;
  const bestIou = new Float64Array(nAnchors).fill(-Infinity);
  const bestBox = new Int32Array(nAnchors).fill(-1);
  boxes.forEach(({ box }, g) => {
    const [gx0, gy0, gx1, gy1] = box;
    const gcx = (gx0 + gx1) / 2;
    const gcy = (gy0 + gy1) / 2;
    const d = new Float64Array(nAnchors);
    for (let a = 0; a < nAnchors; a++) d[a] = Math.hypot((anchors[4 * a] + anchors[4 * a + 2]) / 2 - gcx, (anchors[4 * a + 1] + anchors[4 * a + 3]) / 2 - gcy);
    const candidates: number[] = [];
    let start = 0;
    for (const count of anchorsPerLevel) {
      const order = Array.from({ length: count }, (_, i) => start + i);
      order.sort((p, q) => d[p] - d[q] || p - q);
      candidates.push(...order.slice(0, Math.min(cfg.atssTopk, count)));
      start += count;
    }
    const ious = candidates.map((a) => iouPlusOne(anchors, a, box));
    const mean = ious.reduce((s, v) => s + v, 0) / ious.length;
    const std = Math.sqrt(ious.reduce((s, v) => s + (v - mean) ** 2, 0) / (ious.length - 1));
    candidates.forEach((a, k) => {
      const cx = (anchors[4 * a] + anchors[4 * a + 2]) / 2;
      const cy = (anchors[4 * a + 1] + anchors[4 * a + 3]) / 2;
      const inside = Math.min(cx - gx0, cy - gy0, gx1 - cx, gy1 - cy) > 0.01;
      if (ious[k] >= mean + std && inside && ious[k] > bestIou[a]) {
        bestIou[a] = ious[k];
        bestBox[a] = g;
      }
    });
  });
  const positives: number[] = [];
  for (let a = 0; a < nAnchors; a++) if (bestBox[a] >= 0) positives.push(a);
  return { positives: Int32Array.from(positives), boxOfPositive: Int32Array.from(positives, (a) => bestBox[a]) };
}

/** boxlist_iou of anchor a and a box: widths and heights are x1 − x0 + 1 (maskrcnn_benchmark's TO_REMOVE). */
function iouPlusOne(anchors: Float32Array, a: number, box: readonly number[]): number {
  const [ax0, ay0, ax1, ay1] = [anchors[4 * a], anchors[4 * a + 1], anchors[4 * a + 2], anchors[4 * a + 3]];
  const w = Math.max(Math.min(ax1, box[2]) - Math.max(ax0, box[0]) + 1, 0);
  const h = Math.max(Math.min(ay1, box[3]) - Math.max(ay0, box[1]) + 1, 0);
  const inter = w * h;
  const areaA = (ax1 - ax0 + 1) * (ay1 - ay0 + 1);
  const areaB = (box[2] - box[0] + 1) * (box[3] - box[1] + 1);
  return inter / (areaA + areaB - inter);
}

// Class-aware NMS as GLIP's ml_nms CUDA kernel (what GPU users get): greedy in descending score,
// a box is suppressed when its IoU with a kept box OF THE SAME LABEL is > threshold, with the "+1"
// area convention (w = x2 − x1 + 1). Runs on the CPU over the (few) read-back candidates; it is also
// the reference the GPU NMS (nms.ts, shaders/nms.wgsl) is checked against.

/** Boxes `[N, 4]` xyxy (flat), their scores and labels `[N]` (postprocess's BoxSet has this shape). */
export interface NmsBoxes {
  boxes: Float32Array;
  scores: Float32Array;
  labels: Int32Array;
}

function iouPlusOne(b: Float32Array, i: number, j: number): number {
  const left = Math.max(b[4 * i], b[4 * j]);
  const top = Math.max(b[4 * i + 1], b[4 * j + 1]);
  const right = Math.min(b[4 * i + 2], b[4 * j + 2]);
  const bottom = Math.min(b[4 * i + 3], b[4 * j + 3]);
  const inter = Math.max(right - left + 1, 0) * Math.max(bottom - top + 1, 0);
  const area = (k: number) => (b[4 * k + 2] - b[4 * k] + 1) * (b[4 * k + 3] - b[4 * k + 1] + 1);
  return inter / (area(i) + area(j) - inter);
}

/** Indices of the kept boxes, in descending score order. */
export function classAwareNms(set: NmsBoxes, iouThreshold: number): number[] {
  const order = Array.from(set.scores.keys()).sort((a, b) => set.scores[b] - set.scores[a] || a - b);
  const kept: number[] = [];
  for (const i of order) {
    if (!kept.some((j) => set.labels[j] === set.labels[i] && iouPlusOne(set.boxes, i, j) > iouThreshold)) kept.push(i);
  }
  return kept;
}

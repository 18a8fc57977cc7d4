// What detection returns, and the phrase metadata post-processing needs (the prompt builder's
// grounded phrases, `text/encode-prompt.ts: GroundedPhrase`, have this shape).

/** A phrase the model grounds: detection label j (1-based) is phrases[j − 1]. */
export interface DetectionPhrase {
  text: string;
  /** `[start, end)` in the caption */
  charSpan: [number, number];
  /** positions of the phrase's tokens in the model input ([CLS] is 0) */
  tokenIndices: number[];
}

export interface Detection {
  /** x0, y0, x1, y1 in original-image pixels (GLIP's inclusive-pixel xyxy convention) */
  box: [number, number, number, number];
  score: number;
  phrase: string;
  charSpan: [number, number];
  tokenIndices: number[];
}

/** Boxes with scores and 1-based phrase labels, as plain arrays: boxes `[n·4]` xyxy. */
export interface BoxSet {
  boxes: Float32Array;
  scores: Float32Array;
  labels: Int32Array;
}

/** The subset of `set` at `indices`, in that order. */
export function pick(set: BoxSet, indices: readonly number[]): BoxSet {
  const boxes = new Float32Array(indices.length * 4);
  indices.forEach((i, n) => boxes.set(set.boxes.subarray(4 * i, 4 * i + 4), 4 * n));
  return {
    boxes,
    scores: Float32Array.from(indices, (i) => set.scores[i]),
    labels: Int32Array.from(indices, (i) => set.labels[i]),
  };
}

// Compares two sets of labelled boxes (candidates, NMS survivors, detections) as sets: each box is
// matched to an unused reference box with the same label, coordinates within boxTol and score within
// scoreTol (the closest in score). Order does not matter. Shared by tests and `webglip parity`.
import type { BoxSet } from '../postprocess/detection.ts';

export interface BoxSetMatch {
  matched: number;
  /** indices into `got` / `ref` left without a partner */
  unmatchedGot: number[];
  unmatchedRef: number[];
  maxBoxErr: number;
  maxScoreErr: number;
}

export function matchBoxSets(got: BoxSet, ref: BoxSet, boxTol: number, scoreTol: number): BoxSetMatch {
  const used = new Uint8Array(ref.scores.length);
  const unmatchedGot: number[] = [];
  let maxBoxErr = 0;
  let maxScoreErr = 0;
  for (let i = 0; i < got.scores.length; i++) {
    let best = -1;
    let bestBox = 0;
    for (let j = 0; j < ref.scores.length; j++) {
      if (used[j] || ref.labels[j] !== got.labels[i]) continue;
      const ds = Math.abs(ref.scores[j] - got.scores[i]);
      if (ds > scoreTol) continue;
      let db = 0;
      for (let c = 0; c < 4; c++) db = Math.max(db, Math.abs(ref.boxes[4 * j + c] - got.boxes[4 * i + c]));
      if (db > boxTol) continue;
      if (best < 0 || ds < Math.abs(ref.scores[best] - got.scores[i])) {
        best = j;
        bestBox = db;
      }
    }
    if (best < 0) {
      unmatchedGot.push(i);
      continue;
    }
    used[best] = 1;
    maxBoxErr = Math.max(maxBoxErr, bestBox);
    maxScoreErr = Math.max(maxScoreErr, Math.abs(ref.scores[best] - got.scores[i]));
  }
  const unmatchedRef = [...used.keys()].filter((j) => !used[j]);
  return { matched: got.scores.length - unmatchedGot.length, unmatchedGot, unmatchedRef, maxBoxErr, maxScoreErr };
}

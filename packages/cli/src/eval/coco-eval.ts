// COCO box evaluation, the algorithm of pycocotools' COCOeval (iouType "bbox") for the one setting
// we use: area "all", maxDets 100, iscrowd 0 everywhere (so nothing is ignored).
//   evaluate:   per (image, category), detections sorted by score (stable) and cut to 100; at each
//               IoU threshold t each detection, best score first, takes the still-unmatched ground
//               truth of highest IoU ≥ t (on equal IoU the later ground truth wins, as in COCOeval).
//   accumulate: per category, every image's detections merged by score (stable, images in id
//               order); precision/recall from cumulative TP/FP; precision made monotone from the
//               right and read at the 101 recall thresholds 0, .01, …, 1 (searchsorted "left").
//   summarize:  AP = mean over IoU .50:.05:.95, the 101 recall points and every category that has
//               ground truth; AP50 / AP75 at one threshold; recall = TP / #GT after 100 detections.

/** COCO `[x, y, w, h]`. */
export type XywhBox = [number, number, number, number];

export interface GroundTruthBox {
  image_id: number;
  category_id: number;
  bbox: XywhBox;
}

/** One entry of a COCO results file. */
export interface DetectionResult {
  image_id: number;
  category_id: number;
  bbox: XywhBox;
  score: number;
}

export interface EvalCategory {
  id: number;
  name: string;
}

export interface CocoEvalInput {
  /** The images evaluated; detections and ground truth of other images must not be given. */
  imageIds: number[];
  categories: EvalCategory[];
  groundTruth: GroundTruthBox[];
  detections: DetectionResult[];
}

export interface CategoryEval extends EvalCategory {
  numGt: number;
  numDetections: number;
  /** null when the category has no ground truth in the evaluated images (as COCOeval's −1). */
  ap: number | null;
  ap50: number | null;
  ap75: number | null;
  /** Recall at IoU 0.5 after at most 100 detections per image. */
  recall50: number | null;
  /** Recall averaged over IoU .50:.05:.95 (COCOeval's per-category AR@100). */
  recall: number | null;
}

export interface CocoEvalResult {
  /** AP@[.50:.05:.95]; null when no category has ground truth. */
  ap: number | null;
  ap50: number | null;
  ap75: number | null;
  /** AR@100 averaged over IoU thresholds and categories. */
  ar100: number | null;
  numImages: number;
  numGt: number;
  numDetections: number;
  perCategory: CategoryEval[];
}

export const MAX_DETS = 100;

/** np.linspace(.5, .95, 10) as pycocotools builds it: start + i·step, the last one exactly .95. */
export const IOU_THRESHOLDS: readonly number[] = Array.from({ length: 10 }, (_, i) => (i === 9 ? 0.95 : 0.5 + i * ((0.95 - 0.5) / 9)));

/** np.linspace(0, 1, 101): i·0.01, the last one exactly 1. */
export const RECALL_THRESHOLDS: readonly number[] = Array.from({ length: 101 }, (_, i) => (i === 100 ? 1 : i * 0.01));

const EPS = Number.EPSILON; // np.spacing(1)

/** IoU of two xywh boxes, as pycocotools' bbIou for non-crowd ground truth. */
export function boxIou(d: XywhBox, g: XywhBox): number {
  const w = Math.min(d[0] + d[2], g[0] + g[2]) - Math.max(d[0], g[0]);
  if (w <= 0) return 0;
  const h = Math.min(d[1] + d[3], g[1] + g[3]) - Math.max(d[1], g[1]);
  if (h <= 0) return 0;
  const inter = w * h;
  return inter / (d[2] * d[3] + g[2] * g[3] - inter);
}

/** One (image, category): its kept detection scores and, per IoU threshold, which of them matched. */
interface ImageCategoryEval {
  scores: number[];
  /** [threshold][detection] */
  matched: boolean[][];
  numGt: number;
}

function evaluateImage(gts: GroundTruthBox[], dets: DetectionResult[]): ImageCategoryEval {
  const sorted = dets.slice().sort((a, b) => b.score - a.score).slice(0, MAX_DETS);
  const ious = sorted.map((d) => gts.map((g) => boxIou(d.bbox, g.bbox)));
  const matched = IOU_THRESHOLDS.map((t) => {
    const gtTaken = new Array<boolean>(gts.length).fill(false);
    return sorted.map((_, di) => {
      let best = Math.min(t, 1 - 1e-10);
      let m = -1;
      for (let gi = 0; gi < gts.length; gi++) {
        if (gtTaken[gi] || ious[di][gi] < best) continue;
        best = ious[di][gi];
        m = gi;
      }
      if (m >= 0) gtTaken[m] = true;
      return m >= 0;
    });
  });
  return { scores: sorted.map((d) => d.score), matched, numGt: gts.length };
}

interface CategoryCurves {
  /** [threshold][recall point] interpolated precision. */
  precision: number[][];
  /** [threshold] final recall. */
  recall: number[];
}

function accumulate(evals: ImageCategoryEval[]): CategoryCurves | null {
  const numGt = evals.reduce((s, e) => s + e.numGt, 0);
  if (numGt === 0) return null;
  const order: Array<{ score: number; e: ImageCategoryEval; i: number }> = [];
  for (const e of evals) e.scores.forEach((score, i) => order.push({ score, e, i }));
  order.sort((a, b) => b.score - a.score); // stable, as np.argsort(kind='mergesort')
  const nd = order.length;
  const precision: number[][] = [];
  const recall: number[] = [];
  IOU_THRESHOLDS.forEach((_, t) => {
    const rc = new Array<number>(nd);
    const pr = new Array<number>(nd);
    let tp = 0;
    let fp = 0;
    order.forEach(({ e, i }, k) => {
      if (e.matched[t][i]) tp++;
      else fp++;
      rc[k] = tp / numGt;
      pr[k] = tp / (fp + tp + EPS);
    });
    recall.push(nd > 0 ? rc[nd - 1] : 0);
    for (let k = nd - 1; k > 0; k--) if (pr[k] > pr[k - 1]) pr[k - 1] = pr[k];
    const q: number[] = [];
    let k = 0;
    for (const r of RECALL_THRESHOLDS) {
      while (k < nd && rc[k] < r) k++; // np.searchsorted(rc, r, side='left')
      q.push(k < nd ? pr[k] : 0);
    }
    precision.push(q);
  });
  return { precision, recall };
}

const mean = (xs: number[]): number | null => (xs.length === 0 ? null : xs.reduce((s, x) => s + x, 0) / xs.length);

const key = (imageId: number, categoryId: number): string => `${imageId}:${categoryId}`;

function groupByImageCategory<T extends { image_id: number; category_id: number }>(boxes: T[], imageIds: Set<number>): Map<string, T[]> {
  const by = new Map<string, T[]>();
  for (const b of boxes) {
    if (!imageIds.has(b.image_id)) throw new RangeError(`a box refers to image ${b.image_id}, which is not among the evaluated images`);
    const k = key(b.image_id, b.category_id);
    const list = by.get(k);
    if (list) list.push(b);
    else by.set(k, [b]);
  }
  return by;
}

export function evaluateBoxes(input: CocoEvalInput): CocoEvalResult {
  const imageIds = [...new Set(input.imageIds)].sort((a, b) => a - b);
  const gtBy = groupByImageCategory(input.groundTruth, new Set(imageIds));
  const dtBy = groupByImageCategory(input.detections, new Set(imageIds));

  const all: number[][] = [[], [], []]; // precision values at all / .5 / .75 thresholds
  const recalls: number[] = [];
  const perCategory = input.categories.map((cat): CategoryEval => {
    const evals: ImageCategoryEval[] = [];
    let numDetections = 0;
    for (const img of imageIds) {
      const gts = gtBy.get(key(img, cat.id)) ?? [];
      const dts = dtBy.get(key(img, cat.id)) ?? [];
      numDetections += dts.length;
      if (gts.length > 0 || dts.length > 0) evals.push(evaluateImage(gts, dts));
    }
    const numGt = evals.reduce((s, e) => s + e.numGt, 0);
    const curves = accumulate(evals);
    if (curves === null) return { ...cat, numGt, numDetections, ap: null, ap50: null, ap75: null, recall50: null, recall: null };
    const flat = curves.precision.flat();
    all[0].push(...flat);
    all[1].push(...curves.precision[0]);
    all[2].push(...curves.precision[5]);
    recalls.push(...curves.recall);
    return {
      ...cat,
      numGt,
      numDetections,
      ap: mean(flat),
      ap50: mean(curves.precision[0]),
      ap75: mean(curves.precision[5]),
      recall50: curves.recall[0],
      recall: mean(curves.recall),
    };
  });

  return {
    ap: mean(all[0]),
    ap50: mean(all[1]),
    ap75: mean(all[2]),
    ar100: mean(recalls),
    numImages: imageIds.length,
    numGt: input.groundTruth.length,
    numDetections: input.detections.length,
    perCategory,
  };
}

// COCO box evaluation, the algorithm of pycocotools' COCOeval (iouType "bbox"), with crowd regions,
// the three area ranges and maxDets 1 / 10 / 100; lvis-eval.ts runs the same core with the LVIS
// API's rules (no per-image cap, not-exhaustive categories).
//   evaluate:   per (image, category, area range), ground truth sorted non-ignored first (ignored:
//               iscrowd, or `area` outside the range), detections sorted by score (stable) and cut to
//               the largest maxDets; at each IoU threshold t each detection, best score first, takes
//               the ground truth of highest IoU ≥ t that is unmatched or a crowd (a crowd can take
//               any number), preferring non-ignored ones (once a detection holds a non-ignored match it
//               stops at the first ignored one); on equal IoU the later ground truth wins. A detection
//               matched to an ignored region is ignored; so is an unmatched one whose area (w·h) lies
//               outside the range. IoU with a crowd is intersection / detection area.
//   accumulate: per (category, area, maxDets), every image's first maxDets detections merged by score
//               (stable, images in id order); ignored detections count neither TP nor FP; recall =
//               TP / #non-ignored GT; precision made monotone from the right, read at the 101 recall
//               thresholds 0, .01, …, 1 (searchsorted "left"); no non-ignored GT → left out (−1).
//   summarize:  means over IoU .50:.05:.95, the recall points and the categories that have ground truth.

/** COCO `[x, y, w, h]`. */
export type XywhBox = [number, number, number, number];

export interface GroundTruthBox {
  image_id: number;
  category_id: number;
  bbox: XywhBox;
  /** The annotation's area (COCO: the mask's); w·h when absent. */
  area?: number;
  /** 1: a crowd region, ignored by the matching (pycocotools' `ignore = iscrowd`). */
  iscrowd?: number;
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
  /** Non-crowd ground truth boxes. */
  numGt: number;
  numDetections: number;
  /** null when the category has no (non-crowd) ground truth in the evaluated images (COCOeval's −1). */
  ap: number | null;
  ap50: number | null;
  ap75: number | null;
  /** Recall at IoU 0.5 after at most 100 detections per image. */
  recall50: number | null;
  /** Recall averaged over IoU .50:.05:.95 (COCOeval's per-category AR@100). */
  recall: number | null;
}

export interface CocoEvalResult {
  /** AP@[.50:.05:.95], area all, maxDets 100; null when no category has ground truth. */
  ap: number | null;
  ap50: number | null;
  ap75: number | null;
  apSmall: number | null;
  apMedium: number | null;
  apLarge: number | null;
  ar1: number | null;
  ar10: number | null;
  /** AR@100 averaged over IoU thresholds and categories. */
  ar100: number | null;
  arSmall: number | null;
  arMedium: number | null;
  arLarge: number | null;
  numImages: number;
  numGt: number;
  numDetections: number;
  perCategory: CategoryEval[];
}

export const MAX_DETS = 100;
export const COCO_MAX_DETS: readonly number[] = [1, 10, MAX_DETS];

/** pycocotools' areaRng: all, small (< 32²), medium (32²–96²), large (> 96²); bounds inclusive. */
export const AREA_RANGES = { all: [0, 1e10], small: [0, 32 ** 2], medium: [32 ** 2, 96 ** 2], large: [96 ** 2, 1e10] } as const;
export type AreaRange = keyof typeof AREA_RANGES;
const AREAS = Object.keys(AREA_RANGES) as AreaRange[];

/** np.linspace(.5, .95, 10) as pycocotools builds it: start + i·step, the last one exactly .95. */
export const IOU_THRESHOLDS: readonly number[] = Array.from({ length: 10 }, (_, i) => (i === 9 ? 0.95 : 0.5 + i * ((0.95 - 0.5) / 9)));

/** np.linspace(0, 1, 101): i·0.01, the last one exactly 1. */
export const RECALL_THRESHOLDS: readonly number[] = Array.from({ length: 101 }, (_, i) => (i === 100 ? 1 : i * 0.01));

const EPS = Number.EPSILON; // np.spacing(1)

/** IoU of two xywh boxes as pycocotools' bbIou: for a crowd ground truth the union is the detection's area. */
export function boxIou(d: XywhBox, g: XywhBox, crowd = false): number {
  const w = Math.min(d[0] + d[2], g[0] + g[2]) - Math.max(d[0], g[0]);
  if (w <= 0) return 0;
  const h = Math.min(d[1] + d[3], g[1] + g[3]) - Math.max(d[1], g[1]);
  if (h <= 0) return 0;
  const inter = w * h;
  return inter / (crowd ? d[2] * d[3] : d[2] * d[3] + g[2] * g[3] - inter);
}

/** The rules that differ between COCOeval and the LVIS API. */
export interface MatchRules {
  /** Detections per (image, category) kept, largest first read; Infinity = all (LVIS). */
  maxDets: readonly number[];
  /** (image, category) pairs whose unmatched detections are ignored (LVIS not_exhaustive_category_ids). */
  notExhaustive?: (imageId: number, categoryId: number) => boolean;
}

/** One (image, category, area range). */
interface ImageCategoryEval {
  /** Kept detections, best first. */
  scores: number[];
  /** [threshold][detection] */
  matched: boolean[][];
  ignored: boolean[][];
  /** Non-ignored ground truth. */
  numGt: number;
}

const gtArea = (g: GroundTruthBox): number => g.area ?? g.bbox[2] * g.bbox[3];

function evaluateImage(gts: GroundTruthBox[], dets: DetectionResult[], [lo, hi]: readonly [number, number], maxDet: number, notExhaustive: boolean): ImageCategoryEval {
  const gIgnore = gts.map((g) => (g.iscrowd ?? 0) !== 0 || gtArea(g) < lo || gtArea(g) > hi);
  const gOrder = gts.map((_, i) => i).sort((a, b) => Number(gIgnore[a]) - Number(gIgnore[b])); // stable
  const sortedGt = gOrder.map((i) => gts[i]);
  const gIg = gOrder.map((i) => gIgnore[i]);
  const crowd = sortedGt.map((g) => (g.iscrowd ?? 0) !== 0);
  const sorted = dets.slice().sort((a, b) => b.score - a.score).slice(0, maxDet);
  const ious = sorted.map((d) => sortedGt.map((g, gi) => boxIou(d.bbox, g.bbox, crowd[gi])));
  const outside = sorted.map((d) => d.bbox[2] * d.bbox[3] < lo || d.bbox[2] * d.bbox[3] > hi || notExhaustive);
  const matched: boolean[][] = [];
  const ignored: boolean[][] = [];
  for (const t of IOU_THRESHOLDS) {
    const taken = new Array<boolean>(sortedGt.length).fill(false);
    const m = sorted.map(() => false);
    const ig = sorted.map(() => false);
    sorted.forEach((_, di) => {
      let best = Math.min(t, 1 - 1e-10);
      let hit = -1;
      for (let gi = 0; gi < sortedGt.length; gi++) {
        if (taken[gi] && !crowd[gi]) continue;
        if (hit > -1 && !gIg[hit] && gIg[gi]) break;
        if (ious[di][gi] < best) continue;
        best = ious[di][gi];
        hit = gi;
      }
      if (hit === -1) {
        ig[di] = outside[di];
        return;
      }
      taken[hit] = true;
      m[di] = true;
      ig[di] = gIg[hit];
    });
    matched.push(m);
    ignored.push(ig);
  }
  return { scores: sorted.map((d) => d.score), matched, ignored, numGt: gIg.filter((x) => !x).length };
}

export interface Curves {
  /** [threshold][recall point] interpolated precision. */
  precision: number[][];
  /** [threshold] final recall. */
  recall: number[];
}

function accumulate(evals: ImageCategoryEval[], maxDet: number): Curves | null {
  const numGt = evals.reduce((s, e) => s + e.numGt, 0);
  if (numGt === 0) return null;
  const order: Array<{ score: number; e: ImageCategoryEval; i: number }> = [];
  for (const e of evals) e.scores.slice(0, maxDet).forEach((score, i) => order.push({ score, e, i }));
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
      if (!e.ignored[t][i]) {
        if (e.matched[t][i]) tp++;
        else fp++;
      }
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

/** Curves of every category, area range and maxDets: `curves[category][area][maxDets index]` (null: no ground truth). */
export interface CategoryCurves {
  category: EvalCategory;
  numGt: number;
  numDetections: number;
  curves: Record<AreaRange, Array<Curves | null>>;
}

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

/** evaluate + accumulate under `rules`. */
export function categoryCurves(input: CocoEvalInput, rules: MatchRules): CategoryCurves[] {
  const imageIds = [...new Set(input.imageIds)].sort((a, b) => a - b);
  const gtBy = groupByImageCategory(input.groundTruth, new Set(imageIds));
  const dtBy = groupByImageCategory(input.detections, new Set(imageIds));
  const largest = Math.max(...rules.maxDets);
  return input.categories.map((category) => {
    let numGt = 0;
    let numDetections = 0;
    const pairs: Array<[GroundTruthBox[], DetectionResult[], boolean]> = [];
    for (const img of imageIds) {
      const gts = gtBy.get(key(img, category.id)) ?? [];
      const dts = dtBy.get(key(img, category.id)) ?? [];
      numGt += gts.filter((g) => (g.iscrowd ?? 0) === 0).length;
      numDetections += dts.length;
      if (gts.length > 0 || dts.length > 0) pairs.push([gts, dts, rules.notExhaustive?.(img, category.id) ?? false]);
    }
    const curves = {} as Record<AreaRange, Array<Curves | null>>;
    for (const area of AREAS) {
      const evals = pairs.map(([g, d, ne]) => evaluateImage(g, d, AREA_RANGES[area], largest, ne));
      curves[area] = rules.maxDets.map((m) => accumulate(evals, m));
    }
    return { category, numGt, numDetections, curves };
  });
}

export const mean = (xs: number[]): number | null => (xs.length === 0 ? null : xs.reduce((s, x) => s + x, 0) / xs.length);

/** Mean precision over the categories' curves (at one threshold index, or all), COCOeval's `s[s > -1]`. */
export function meanPrecision(curves: Array<Curves | null>, threshold?: number): number | null {
  const values: number[] = [];
  for (const c of curves) if (c) values.push(...(threshold === undefined ? c.precision.flat() : c.precision[threshold]));
  return mean(values);
}

/** Mean final recall over the categories' curves and the IoU thresholds. */
export function meanRecall(curves: Array<Curves | null>): number | null {
  return mean(curves.flatMap((c) => (c ? c.recall : [])));
}

const T75 = 5; // IOU_THRESHOLDS[5] === 0.75

export function evaluateBoxes(input: CocoEvalInput): CocoEvalResult {
  const per = categoryCurves(input, { maxDets: COCO_MAX_DETS });
  const at = (area: AreaRange, m = 2): Array<Curves | null> => per.map((c) => c.curves[area][m]);
  const all = at('all');
  return {
    ap: meanPrecision(all),
    ap50: meanPrecision(all, 0),
    ap75: meanPrecision(all, T75),
    apSmall: meanPrecision(at('small')),
    apMedium: meanPrecision(at('medium')),
    apLarge: meanPrecision(at('large')),
    ar1: meanRecall(at('all', 0)),
    ar10: meanRecall(at('all', 1)),
    ar100: meanRecall(all),
    arSmall: meanRecall(at('small')),
    arMedium: meanRecall(at('medium')),
    arLarge: meanRecall(at('large')),
    numImages: new Set(input.imageIds).size,
    numGt: per.reduce((s, c) => s + c.numGt, 0),
    numDetections: input.detections.length,
    perCategory: per.map(({ category, numGt, numDetections, curves }) => {
      const c = curves.all[2];
      return {
        ...category,
        numGt,
        numDetections,
        ap: c && mean(c.precision.flat()),
        ap50: c && mean(c.precision[0]),
        ap75: c && mean(c.precision[T75]),
        recall50: c && c.recall[0],
        recall: c && mean(c.recall),
      };
    }),
  };
}

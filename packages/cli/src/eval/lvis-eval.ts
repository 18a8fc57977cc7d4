// LVIS box evaluation as GLIP reports it: the LVIS API's LVISEval with GLIP's fixed AP
// (LvisEvaluatorFixedAP in the official evaluation/lvis/lvis_eval.py): per category only the
// 10,000 best detections over the whole set are kept, and no per-image cap applies (max_dets −1).
// The federated rules of the LVIS API, on the COCO core (coco-eval.ts):
//   - an image's detections count only for categories it has ground truth of, or lists in its
//     `neg_category_ids` (verified absent); detections of any other category are dropped;
//   - unmatched detections of a category in the image's `not_exhaustive_category_ids` are ignored;
//   - there are no crowd regions (an `iscrowd` field is not read);
//   - AP_r / AP_c / AP_f: the mean over the categories whose `frequency` is 'r', 'c' or 'f'.
import type { CocoEvalInput, Curves, DetectionResult, EvalCategory } from './coco-eval.ts';
import { categoryCurves, meanPrecision, meanRecall } from './coco-eval.ts';

/** GLIP's LvisEvaluatorFixedAP topk. */
export const FIXED_AP_TOP_K = 10_000;

export type LvisFrequency = 'r' | 'c' | 'f';

export interface LvisCategory extends EvalCategory {
  frequency: LvisFrequency;
}

export interface LvisImage {
  id: number;
  neg_category_ids: number[];
  not_exhaustive_category_ids: number[];
}

export interface LvisEvalInput extends Omit<CocoEvalInput, 'imageIds' | 'categories'> {
  images: LvisImage[];
  categories: LvisCategory[];
  /** Detections kept per category over the set (default 10,000). */
  topK?: number;
}

export interface LvisCategoryEval extends LvisCategory {
  numGt: number;
  /** Detections that count (kept by the top-k and the federated filter). */
  numDetections: number;
  ap: number | null;
  ap50: number | null;
}

export interface LvisEvalResult {
  ap: number | null;
  ap50: number | null;
  ap75: number | null;
  apSmall: number | null;
  apMedium: number | null;
  apLarge: number | null;
  apRare: number | null;
  apCommon: number | null;
  apFrequent: number | null;
  /** AR over IoU .50:.05:.95 and categories, no detection cap. */
  ar: number | null;
  numImages: number;
  numGt: number;
  numDetections: number;
  perCategory: LvisCategoryEval[];
}

/** The best `k` detections of each category (stable on equal scores). */
export function topKPerCategory(detections: DetectionResult[], k: number): DetectionResult[] {
  const by = new Map<number, DetectionResult[]>();
  for (const d of detections) {
    const list = by.get(d.category_id);
    if (list) list.push(d);
    else by.set(d.category_id, [d]);
  }
  return [...by.values()].flatMap((list) => list.slice().sort((a, b) => b.score - a.score).slice(0, k));
}

export function evaluateLvis(input: LvisEvalInput): LvisEvalResult {
  const images = new Map(input.images.map((i) => [i.id, i]));
  const present = new Map<number, Set<number>>();
  for (const g of input.groundTruth) {
    const set = present.get(g.image_id) ?? new Set<number>();
    set.add(g.category_id);
    present.set(g.image_id, set);
  }
  const counts = (d: DetectionResult): boolean => present.get(d.image_id)?.has(d.category_id) === true || images.get(d.image_id)?.neg_category_ids.includes(d.category_id) === true;
  const detections = topKPerCategory(input.detections, input.topK ?? FIXED_AP_TOP_K).filter(counts);
  const per = categoryCurves(
    { imageIds: [...images.keys()], categories: input.categories, groundTruth: input.groundTruth.map(({ iscrowd: _, ...g }) => g), detections },
    { maxDets: [Infinity], notExhaustive: (img, cat) => images.get(img)?.not_exhaustive_category_ids.includes(cat) === true },
  );
  const at = (area: 'all' | 'small' | 'medium' | 'large', frequency?: LvisFrequency): Array<Curves | null> =>
    per.filter((_, k) => frequency === undefined || input.categories[k].frequency === frequency).map((c) => c.curves[area][0]);
  return {
    ap: meanPrecision(at('all')),
    ap50: meanPrecision(at('all'), 0),
    ap75: meanPrecision(at('all'), 5),
    apSmall: meanPrecision(at('small')),
    apMedium: meanPrecision(at('medium')),
    apLarge: meanPrecision(at('large')),
    apRare: meanPrecision(at('all', 'r')),
    apCommon: meanPrecision(at('all', 'c')),
    apFrequent: meanPrecision(at('all', 'f')),
    ar: meanRecall(at('all')),
    numImages: images.size,
    numGt: input.groundTruth.length,
    numDetections: detections.length,
    perCategory: per.map((c, k) => ({
      ...input.categories[k],
      numGt: c.numGt,
      numDetections: c.numDetections,
      ap: meanPrecision([c.curves.all[0]]),
      ap50: meanPrecision([c.curves.all[0]], 0),
    })),
  };
}

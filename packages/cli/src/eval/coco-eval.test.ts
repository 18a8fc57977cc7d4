// Hand-computed cases for the COCO evaluator. Each case states the matching and the precision/recall
// arithmetic, so the expected numbers follow from COCOeval's definition, not from this code.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { DetectionResult, GroundTruthBox, XywhBox } from './coco-eval.ts';
import { IOU_THRESHOLDS, RECALL_THRESHOLDS, boxIou, evaluateBoxes } from './coco-eval.ts';

const cats = [
  { id: 1, name: 'red circle' },
  { id: 2, name: 'blue square' },
  { id: 3, name: 'green star' },
];
const gt = (image_id: number, category_id: number, bbox: XywhBox): GroundTruthBox => ({ image_id, category_id, bbox });
const dt = (image_id: number, category_id: number, bbox: XywhBox, score: number): DetectionResult => ({ image_id, category_id, bbox, score });

describe('COCO evaluator: thresholds and IoU', () => {
  it('uses the pycocotools thresholds', () => {
    // np.linspace(.5, .95, 10) gives .5 + i·(.45/9): index 5 is exactly .75 (COCOeval finds it with ==),
    // index 8 is 0.8999999999999999 in float64.
    expect(IOU_THRESHOLDS).toHaveLength(10);
    expect(IOU_THRESHOLDS[0]).toBe(0.5);
    expect(IOU_THRESHOLDS[5]).toBe(0.75);
    expect(IOU_THRESHOLDS[8]).toBe(0.8999999999999999);
    expect(IOU_THRESHOLDS[9]).toBe(0.95);
    expect(RECALL_THRESHOLDS).toHaveLength(101);
    expect(RECALL_THRESHOLDS[50]).toBe(0.5);
  });

  it('IoU of xywh boxes', () => {
    // [0,0,10,10] vs [5,0,10,10]: overlap 5×10 = 50, union 100 + 100 − 50 = 150 → 1/3.
    expect(boxIou([0, 0, 10, 10], [5, 0, 10, 10])).toBeCloseTo(1 / 3, 15);
    // Touching edges overlap 0.
    expect(boxIou([0, 0, 10, 10], [10, 0, 10, 10])).toBe(0);
    // Containment: 78 / 100.
    expect(boxIou([0, 0, 10, 7.8], [0, 0, 10, 10])).toBeCloseTo(0.78, 15);
  });
});

describe('COCO evaluator: hand-computed AP', () => {
  // Precision is TP / (TP + FP + eps) as in COCOeval, so "1" is 1 − 2.2e-16: compare to 12 digits.
  const near = (values: Array<number | null>, expected: number[]): void =>
    values.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 12));

  it('one perfect detection: AP = AP50 = AP75 = recall = 1', () => {
    const r = evaluateBoxes({ imageIds: [1], categories: cats.slice(0, 1), groundTruth: [gt(1, 1, [0, 0, 10, 10])], detections: [dt(1, 1, [0, 0, 10, 10], 0.9)] });
    near([r.ap, r.ap50, r.ap75, r.ar100], [1, 1, 1, 1]);
  });

  it('IoU 0.78 matches at 6 of the 10 thresholds: AP = 0.6, AP50 = AP75 = 1', () => {
    // Thresholds .5,.55,.6,.65,.7,.75 ≤ .78: one TP, precision 1 at every recall point.
    // Thresholds .8 … .95: one FP, recall 0, precision 0 everywhere. AP = (6·1 + 4·0)/10.
    // Recall averaged over thresholds = 6/10 as well.
    const r = evaluateBoxes({ imageIds: [1], categories: cats.slice(0, 1), groundTruth: [gt(1, 1, [0, 0, 10, 10])], detections: [dt(1, 1, [0, 0, 10, 7.8], 0.9)] });
    expect(r.ap).toBeCloseTo(0.6, 12);
    near([r.ap50, r.ap75], [1, 1]);
    expect(r.perCategory[0].recall).toBeCloseTo(0.6, 12);
    expect(r.perCategory[0].recall50).toBe(1);
  });

  it('TP, FP, TP: interpolated precision 1 up to recall .5 and 2/3 after → AP = 253/303', () => {
    // Two ground truths A, B; detections by score: .9 = A exactly (TP), .8 far away (FP), .7 = B exactly (TP).
    // cumulative TP 1,1,2; FP 0,1,1 → recall .5,.5,1; precision 1, .5, 2/3.
    // Monotone from the right: 1, 2/3, 2/3. Recall points 0 … .50 (51 points) read index 0 → 1;
    // points .51 … 1 (50 points) read index 2 → 2/3. AP = (51 + 50·2/3)/101 = 253/303 at every IoU.
    const r = evaluateBoxes({
      imageIds: [1],
      categories: cats.slice(0, 1),
      groundTruth: [gt(1, 1, [0, 0, 10, 10]), gt(1, 1, [20, 0, 10, 10])],
      detections: [dt(1, 1, [0, 0, 10, 10], 0.9), dt(1, 1, [50, 50, 10, 10], 0.8), dt(1, 1, [20, 0, 10, 10], 0.7)],
    });
    expect(r.ap).toBeCloseTo(253 / 303, 12);
    expect(r.ap50).toBeCloseTo(253 / 303, 12);
    expect(r.ap75).toBeCloseTo(253 / 303, 12);
    expect(r.perCategory[0].recall).toBe(1);
  });

  it('matching is greedy by score: a sloppy high-score box takes the ground truth first', () => {
    // One ground truth. d1 (score .9) has IoU .62, d2 (score .8) has IoU 1.
    // t ∈ {.5,.55,.6}: d1 TP, d2 FP (ground truth taken) → precision 1, .5 → monotone 1, recall 1 → AP_t = 1.
    // t ≥ .65: d1 FP, d2 TP → precision 0, .5 → monotone .5, .5; recall 0, 1; every recall point → .5 → AP_t = .5.
    // AP = (3·1 + 7·.5)/10 = .65; AP50 = 1; AP75 = .5; recall 1 at every threshold.
    const r = evaluateBoxes({
      imageIds: [1],
      categories: cats.slice(0, 1),
      groundTruth: [gt(1, 1, [0, 0, 10, 10])],
      detections: [dt(1, 1, [0, 0, 10, 6.2], 0.9), dt(1, 1, [0, 0, 10, 10], 0.8)],
    });
    expect(r.ap).toBeCloseTo(0.65, 12);
    near([r.ap50, r.ap75], [1, 0.5]);
    expect(r.perCategory[0].recall).toBe(1);
  });

  it('a duplicate after full recall costs nothing', () => {
    // One ground truth, two exact detections .9 and .8: TP then FP. Precision 1, .5 → monotone 1, 1;
    // recall 1, 1 → every recall point reads precision 1 → AP 1.
    const r = evaluateBoxes({
      imageIds: [1],
      categories: cats.slice(0, 1),
      groundTruth: [gt(1, 1, [0, 0, 10, 10])],
      detections: [dt(1, 1, [0, 0, 10, 10], 0.9), dt(1, 1, [0, 0, 10, 10], 0.8)],
    });
    near([r.ap], [1]);
  });

  it('detections of all images are merged by score before the curve: AP = 2/3', () => {
    // Image 1: one ground truth, an exact detection at .6. Image 2: one ground truth, a miss at .9 and
    // an exact detection at .5. Merged order .9 FP, .6 TP, .5 TP over 2 ground truths:
    // recall 0, .5, 1; precision 0, .5, 2/3 → monotone 2/3, 2/3, 2/3 → every recall point 2/3.
    const r = evaluateBoxes({
      imageIds: [1, 2],
      categories: cats.slice(0, 1),
      groundTruth: [gt(1, 1, [0, 0, 10, 10]), gt(2, 1, [0, 0, 10, 10])],
      detections: [dt(1, 1, [0, 0, 10, 10], 0.6), dt(2, 1, [40, 40, 10, 10], 0.9), dt(2, 1, [0, 0, 10, 10], 0.5)],
    });
    expect(r.ap).toBeCloseTo(2 / 3, 12);
    expect(r.perCategory[0].recall).toBe(1);
  });

  it('categories without ground truth are left out of the mean; missed ones count 0', () => {
    // Category 1: perfect (AP 1). Category 2: no ground truth, one detection → excluded (null).
    // Category 3: one ground truth, no detection → precision 0 everywhere, recall 0.
    // Mean over categories 1 and 3: AP = (1 + 0)/2 = .5; AR@100 = (1 + 0)/2.
    const r = evaluateBoxes({
      imageIds: [1],
      categories: cats,
      groundTruth: [gt(1, 1, [0, 0, 10, 10]), gt(1, 3, [30, 30, 10, 10])],
      detections: [dt(1, 1, [0, 0, 10, 10], 0.9), dt(1, 2, [30, 30, 10, 10], 0.95)],
    });
    near([r.ap, r.ap50, r.ap75, r.ar100], [0.5, 0.5, 0.5, 0.5]);
    near([r.perCategory[0].ap, r.perCategory[2].ap], [1, 0]);
    expect(r.perCategory[1].ap).toBeNull();
    expect(r.perCategory.map((c) => c.recall50)).toEqual([1, null, 0]);
    expect(r.perCategory.map((c) => [c.numGt, c.numDetections])).toEqual([[1, 1], [0, 1], [1, 0]]);
  });

  it('a detection of the wrong category is a false positive of its own category', () => {
    // Category 1 gets only a box labelled 2 on top of it: category 1 recall 0 → AP 0; category 2 has no
    // ground truth → excluded. AP = 0.
    const r = evaluateBoxes({ imageIds: [1], categories: cats.slice(0, 2), groundTruth: [gt(1, 1, [0, 0, 10, 10])], detections: [dt(1, 2, [0, 0, 10, 10], 0.9)] });
    expect(r.ap).toBe(0);
    expect(r.perCategory[1].ap).toBeNull();
  });

  it('only the 100 best detections per image and category count', () => {
    // 100 misses at scores .99 … and the one exact box at .01 → the exact box is cut → AP 0, recall 0.
    // With the exact box at 1.0 instead it comes first → TP then 100 FPs after full recall → AP 1.
    const misses = Array.from({ length: 100 }, (_, i) => dt(1, 1, [100 + i, 100, 5, 5], 0.99 - i * 0.001));
    const ground = [gt(1, 1, [0, 0, 10, 10])];
    const cut = evaluateBoxes({ imageIds: [1], categories: cats.slice(0, 1), groundTruth: ground, detections: [...misses, dt(1, 1, [0, 0, 10, 10], 0.01)] });
    expect(cut.ap).toBe(0);
    expect(cut.perCategory[0].recall50).toBe(0);
    const kept = evaluateBoxes({ imageIds: [1], categories: cats.slice(0, 1), groundTruth: ground, detections: [...misses, dt(1, 1, [0, 0, 10, 10], 1)] });
    near([kept.ap], [1]);
  });

  it('on equal IoU the later ground truth is taken (COCOeval tie rule)', () => {
    // G1 = [0,0,10,10], G2 = [10,0,10,10]. d1 = [0,0,20,10] (score .9) has IoU 100/200 = .5 with both;
    // at t = .5 both qualify (IoU ≥ t) and COCOeval keeps the later one, G2. Then d2 = G1 exactly
    // (score .8) finds G1 free: 2 TPs, AP50 = 1. Had the tie gone to G1, d2 would be a FP:
    // recall .5, .5 and precision 1, .5 → AP50 = 51/101.
    const r = evaluateBoxes({
      imageIds: [1],
      categories: cats.slice(0, 1),
      groundTruth: [gt(1, 1, [0, 0, 10, 10]), gt(1, 1, [10, 0, 10, 10])],
      detections: [dt(1, 1, [0, 0, 20, 10], 0.9), dt(1, 1, [0, 0, 10, 10], 0.8)],
    });
    expect(r.ap50).toBeCloseTo(1, 12);
  });

  it('rejects boxes of images that are not evaluated', () => {
    expect(() => evaluateBoxes({ imageIds: [1], categories: cats, groundTruth: [], detections: [dt(2, 1, [0, 0, 1, 1], 1)] })).toThrow(/image 2/);
  });
});

interface PycocotoolsCase {
  imageIds: number[];
  categoryIds: number[];
  groundTruth: GroundTruthBox[];
  detections: DetectionResult[];
  expected: {
    ap: number;
    ap50: number;
    ap75: number;
    ar100: number;
    perCategory: Array<{ id: number; ap: number | null; ap50: number | null; recall50: number | null; recall: number | null }>;
  };
}

describe('COCO evaluator vs pycocotools', () => {
  // 40 random cases (ties, >100 detections, empty categories, near-threshold IoUs) scored by the
  // official COCOeval; see pycocotools-cases.py. COCOeval reports −1 where we report null.
  const { cases } = JSON.parse(readFileSync(new URL('./pycocotools-cases.json', import.meta.url), 'utf8')) as { cases: PycocotoolsCase[] };
  const same = (ours: number | null, theirs: number | null): void => {
    if (theirs === null || theirs === -1) expect(ours).toBeNull();
    else expect(ours).toBeCloseTo(theirs, 12);
  };

  it.each(cases.map((c, i) => [i, c] as const))('case %i', (_, c) => {
    const r = evaluateBoxes({
      imageIds: c.imageIds,
      categories: c.categoryIds.map((id) => ({ id, name: `c${id}` })),
      groundTruth: c.groundTruth,
      detections: c.detections,
    });
    same(r.ap, c.expected.ap);
    same(r.ap50, c.expected.ap50);
    same(r.ap75, c.expected.ap75);
    same(r.ar100, c.expected.ar100);
    c.expected.perCategory.forEach((e, k) => {
      same(r.perCategory[k].ap, e.ap);
      same(r.perCategory[k].ap50, e.ap50);
      same(r.perCategory[k].recall50, e.recall50);
      same(r.perCategory[k].recall, e.recall);
    });
  });
});

interface ReferenceCase {
  imageIds: number[];
  categoryIds: number[];
  groundTruth: GroundTruthBox[];
  detections: DetectionResult[];
  expected: Record<'ap' | 'ap50' | 'ap75' | 'apSmall' | 'apMedium' | 'apLarge' | 'ar1' | 'ar10' | 'ar100' | 'arSmall' | 'arMedium' | 'arLarge', number | null> & {
    perCategory: Array<{ id: number; ap: number | null; ap50: number | null; ap75: number | null; recall50: number | null; recall: number | null }>;
  };
}

describe('COCO evaluator vs the numpy reference: crowds, area ranges, maxDets 1/10/100', () => {
  // 30 random cases with crowd regions (iscrowd 1), annotation areas below their box areas and boxes
  // of all three area ranges, scored by cocoeval-reference.py — an independent numpy COCOeval that
  // first reproduces the real pycocotools on every case of pycocotools-cases.json.
  const { cases } = JSON.parse(readFileSync(new URL('./coco-crowd-cases.json', import.meta.url), 'utf8')) as { cases: ReferenceCase[] };
  const same = (ours: number | null, theirs: number | null): void => {
    if (theirs === null) expect(ours).toBeNull();
    else expect(ours).toBeCloseTo(theirs, 12);
  };

  it('the cases exercise crowds and every area range', () => {
    expect(cases.flatMap((c) => c.groundTruth).filter((g) => g.iscrowd === 1).length).toBeGreaterThan(50);
    for (const k of ['apSmall', 'apMedium', 'apLarge'] as const) expect(cases.filter((c) => c.expected[k] !== null).length).toBeGreaterThan(10);
  });

  it.each(cases.map((c, i) => [i, c] as const))('case %i', (_, c) => {
    const r = evaluateBoxes({
      imageIds: c.imageIds,
      categories: c.categoryIds.map((id) => ({ id, name: `c${id}` })),
      groundTruth: c.groundTruth,
      detections: c.detections,
    });
    for (const k of ['ap', 'ap50', 'ap75', 'apSmall', 'apMedium', 'apLarge', 'ar1', 'ar10', 'ar100', 'arSmall', 'arMedium', 'arLarge'] as const) same(r[k], c.expected[k]);
    c.expected.perCategory.forEach((e, k) => {
      for (const f of ['ap', 'ap50', 'ap75', 'recall50', 'recall'] as const) same(r.perCategory[k][f], e[f]);
    });
  });
});

describe('COCO evaluator: crowd regions, hand-checked', () => {
  it('detections on a crowd region are ignored (neither TP nor FP), however many; without the flag they are FPs', () => {
    // gt: a normal box and a crowd region; detections: two inside the crowd (0.95, 0.92), a perfect hit
    // (0.9). IoU with the crowd = inter / detection area = 1 → both matched to the ignored crowd, ignored.
    // What remains is one TP over one non-crowd gt: AP = 1 at every threshold.
    const groundTruth = [gt(1, 1, [0, 0, 10, 10]), { ...gt(1, 1, [50, 50, 40, 40]), iscrowd: 1 }];
    const detections = [dt(1, 1, [55, 55, 10, 10], 0.95), dt(1, 1, [70, 70, 10, 10], 0.92), dt(1, 1, [0, 0, 10, 10], 0.9)];
    const r = evaluateBoxes({ imageIds: [1], categories: cats.slice(0, 1), groundTruth, detections });
    expect(r.ap).toBeCloseTo(1, 12);
    expect(r.perCategory[0].numGt).toBe(1);
    // The same without the crowd region: FP, FP, TP → precision 1/3 at recall 1 → AP50 = 1/3.
    const plain = evaluateBoxes({ imageIds: [1], categories: cats.slice(0, 1), groundTruth: groundTruth.slice(0, 1), detections });
    expect(plain.ap50).toBeCloseTo(1 / 3, 12);
    expect(boxIou([55, 55, 10, 10], [50, 50, 40, 40], true)).toBe(1);
    expect(boxIou([55, 55, 10, 10], [50, 50, 40, 40])).toBeCloseTo(100 / 1600, 15);
  });
});

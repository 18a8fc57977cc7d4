// The LVIS evaluator (GLIP's fixed AP) against lvis-cases.json, scored by cocoeval-reference.py (an
// independent numpy implementation of the LVIS API's rules, itself checked against pycocotools), and
// hand-checked cases for each federated rule.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { DetectionResult, GroundTruthBox } from './coco-eval.ts';
import type { LvisCategory, LvisEvalResult, LvisImage } from './lvis-eval.ts';
import { evaluateLvis, topKPerCategory } from './lvis-eval.ts';

interface LvisCase {
  images: LvisImage[];
  categories: LvisCategory[];
  annotations: GroundTruthBox[];
  detections: DetectionResult[];
  topk: number;
  expected: Record<'ap' | 'ap50' | 'ap75' | 'apSmall' | 'apMedium' | 'apLarge' | 'apRare' | 'apCommon' | 'apFrequent' | 'ar', number | null>;
}

const KEYS = ['ap', 'ap50', 'ap75', 'apSmall', 'apMedium', 'apLarge', 'apRare', 'apCommon', 'apFrequent', 'ar'] as const satisfies readonly (keyof LvisEvalResult)[];

describe('LVIS evaluator vs the numpy reference', () => {
  const { cases } = JSON.parse(readFileSync(new URL('./lvis-cases.json', import.meta.url), 'utf8')) as { cases: LvisCase[] };

  it('the cases use negative and not-exhaustive lists, all three frequencies and a small top-k', () => {
    expect(cases.some((c) => c.images.some((i) => i.neg_category_ids.length > 0))).toBe(true);
    expect(cases.some((c) => c.images.some((i) => i.not_exhaustive_category_ids.length > 0))).toBe(true);
    for (const k of ['apRare', 'apCommon', 'apFrequent'] as const) expect(cases.filter((c) => c.expected[k] !== null).length).toBeGreaterThan(5);
    expect(cases.some((c) => c.topk < 10)).toBe(true);
  });

  it.each(cases.map((c, i) => [i, c] as const))('case %i', (_, c) => {
    const r = evaluateLvis({ images: c.images, categories: c.categories, groundTruth: c.annotations, detections: c.detections, topK: c.topk });
    for (const k of KEYS) {
      if (c.expected[k] === null) expect(r[k]).toBeNull();
      else expect(r[k]).toBeCloseTo(c.expected[k], 12);
    }
  });
});

describe('LVIS evaluator: the federated rules, hand-checked', () => {
  const cat = (id: number, frequency: 'r' | 'c' | 'f'): LvisCategory => ({ id, name: `c${id}`, frequency });
  const image = (id: number, neg: number[] = [], notExhaustive: number[] = []): LvisImage => ({ id, neg_category_ids: neg, not_exhaustive_category_ids: notExhaustive });
  const g = (image_id: number, category_id: number, bbox: [number, number, number, number]): GroundTruthBox => ({ image_id, category_id, bbox });
  const d = (image_id: number, category_id: number, bbox: [number, number, number, number], score: number): DetectionResult => ({ image_id, category_id, bbox, score });

  it('a detection of a category the image neither has nor lists as negative is dropped; a negative one is an FP', () => {
    // image 1 has cat 1; image 2 has cat 1 too. A wrong box of cat 1 on image 3 (cat 1 unknown there) scoring
    // above the hit: dropped → AP 1. Listed as negative on image 3 → FP first → AP50 = 1/2 (precision 1/2 at recall 1).
    const base = { categories: [cat(1, 'f')], groundTruth: [g(1, 1, [0, 0, 10, 10])], detections: [d(3, 1, [0, 0, 10, 10], 0.9), d(1, 1, [0, 0, 10, 10], 0.8)] };
    expect(evaluateLvis({ ...base, images: [image(1), image(3)] }).ap50).toBeCloseTo(1, 12);
    expect(evaluateLvis({ ...base, images: [image(1), image(3, [1])] }).ap50).toBeCloseTo(0.5, 12);
  });

  it("unmatched detections of a not-exhaustive category are ignored; its ground truth still counts", () => {
    const base = { categories: [cat(1, 'c')], groundTruth: [g(1, 1, [0, 0, 10, 10]), g(1, 1, [50, 50, 10, 10])], detections: [d(1, 1, [100, 100, 10, 10], 0.9), d(1, 1, [0, 0, 10, 10], 0.8)] };
    // exhaustive: FP, TP over 2 gt → precision 1/2 up to recall 1/2, 0 after → AP50 = 51·0.5/101
    expect(evaluateLvis({ ...base, images: [image(1)] }).ap50).toBeCloseTo((51 * 0.5) / 101, 12);
    // not exhaustive: the FP is ignored → precision 1 up to recall 1/2 → AP50 = 51/101
    expect(evaluateLvis({ ...base, images: [image(1, [], [1])] }).ap50).toBeCloseTo(51 / 101, 12);
  });

  it('fixed AP keeps the top k per category over the whole set; AP_r/c/f average their own categories', () => {
    const dets = [d(1, 1, [0, 0, 1, 1], 0.1), d(2, 1, [0, 0, 1, 1], 0.7), d(1, 2, [0, 0, 1, 1], 0.5), d(1, 1, [0, 0, 1, 1], 0.9)];
    expect(topKPerCategory(dets, 2).map((x) => x.score)).toEqual([0.9, 0.7, 0.5]);
    const r = evaluateLvis({
      images: [image(1)],
      categories: [cat(1, 'r'), cat(2, 'f')],
      groundTruth: [g(1, 1, [0, 0, 10, 10]), g(1, 2, [0, 0, 10, 10])],
      detections: [d(1, 1, [0, 0, 10, 10], 0.9), d(1, 2, [40, 40, 10, 10], 0.9)],
    });
    expect(r.apRare).toBeCloseTo(1, 12);
    expect(r.apFrequent).toBe(0);
    expect(r.apCommon).toBeNull();
    expect(r.ap).toBeCloseTo(0.5, 12);
  });
});

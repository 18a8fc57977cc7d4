// The few-shot benchmark's sets: the shared prompt's categories, which shapes each set draws, every
// object annotated, and no image shared between the training pool and the test sets.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { FEW_SHOT_CATEGORIES, fewShotSet, OLD_PAIRS } from './few-shot.ts';
import { HELD_OUT, NOVEL_SHAPES, SHAPES } from './vocabulary.ts';

describe('few-shot sets', () => {
  it('categories: 8 trained pairs (one per shape, none held out), then the 4 novel shapes', () => {
    expect(FEW_SHOT_CATEGORIES.map((c) => c.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(OLD_PAIRS.map(([, s]) => s)).toEqual([...SHAPES]);
    for (const [c, s] of OLD_PAIRS) expect(HELD_OUT.some(([hc, hs]) => hc === c && hs === s)).toBe(false);
    expect(FEW_SHOT_CATEGORIES.filter((c) => c.novel).map((c) => c.name)).toEqual([...NOVEL_SHAPES]);
  });

  const novelIds = new Set(FEW_SHOT_CATEGORIES.filter((c) => c.novel).map((c) => c.id));
  for (const [set, novel] of [['train', true], ['test-novel', true], ['test-old', false]] as const) {
    it(`${set}: only ${novel ? 'novel' : 'old'} categories, every object a box inside the image`, () => {
      const { coco, pixels } = fewShotSet(set, 12, 7);
      expect(coco.images).toHaveLength(12);
      expect(pixels.size).toBe(12);
      expect(coco.categories).toHaveLength(12);
      for (const a of coco.annotations) {
        expect(novelIds.has(a.category_id)).toBe(novel);
        const [x, y, w, h] = a.bbox;
        expect(x >= 0 && y >= 0 && w > 0 && h > 0 && x + w <= 320 && y + h <= 320).toBe(true);
      }
      const perImage = coco.images.map((i) => coco.annotations.filter((a) => a.image_id === i.id).length);
      expect(Math.min(...perImage)).toBeGreaterThanOrEqual(1);
      expect(new Set(coco.annotations.map((a) => a.category_id)).size).toBeGreaterThan(2);
    });
  }

  it('the pool and the novel test set are different images; each set is the same for the same seed', () => {
    const digest = (p: Map<string, Uint8Array>) => [...p.values()].map((rgba) => createHash('sha256').update(rgba).digest('hex'));
    const train = digest(fewShotSet('train', 10, 7).pixels);
    const test = new Set(digest(fewShotSet('test-novel', 10, 7).pixels));
    expect(train.some((d) => test.has(d))).toBe(false);
    expect(digest(fewShotSet('train', 10, 7).pixels)).toEqual(train);
  });
});

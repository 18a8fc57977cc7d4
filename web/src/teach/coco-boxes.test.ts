import { describe, expect, it } from 'vitest';
import { EvalDataError } from '@webglip/core/client';
import { cocoBoxes } from './coco-boxes.ts';

const coco = {
  images: [{ id: 1, file_name: 'train/a.png' }, { id: 2, file_name: 'b.png' }],
  categories: [{ id: 7, name: 'heart' }, { id: 9, name: ' arrow ' }],
  annotations: [
    { image_id: 1, category_id: 7, bbox: [10, 20, 30, 40] },
    { image_id: 1, category_id: 9, bbox: [0, 0, 1, 1] },
  ],
};

describe('cocoBoxes', () => {
  it('names each box by its category, in GLIP xyxy (x1 = x + w − 1), by file base name', () => {
    const boxes = cocoBoxes(coco, 'a.json');
    expect(boxes.get('a.png')).toEqual([
      { box: [10, 20, 39, 59], phrase: 'heart' },
      { box: [0, 0, 0, 0], phrase: 'arrow' },
    ]);
    expect(boxes.get('b.png')).toEqual([]);
  });

  it('refuses a file of the wrong shape, naming the record', () => {
    expect(() => cocoBoxes([], 'x.json')).toThrow(EvalDataError);
    expect(() => cocoBoxes({ ...coco, categories: undefined }, 'x.json')).toThrow(/"categories" must be an array/);
    const bad = (annotation: object): unknown => ({ ...coco, annotations: [annotation] });
    expect(() => cocoBoxes(bad({ image_id: 3, category_id: 7, bbox: [0, 0, 1, 1] }), 'x.json')).toThrow(/annotations\[0\]: image_id 3 is not in "images"/);
    expect(() => cocoBoxes(bad({ image_id: 1, category_id: 8, bbox: [0, 0, 1, 1] }), 'x.json')).toThrow(/category_id 8/);
    expect(() => cocoBoxes(bad({ image_id: 1, category_id: 7, bbox: [0, 0, 0, 5] }), 'x.json')).toThrow(/no area/);
    expect(() => cocoBoxes(bad({ image_id: 1, category_id: 7, bbox: [0, 0, 'a', 5] }), 'x.json')).toThrow(/bbox \[x, y, w, h\]/);
  });
});

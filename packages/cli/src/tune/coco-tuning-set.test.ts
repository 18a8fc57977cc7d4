import { describe, expect, it } from 'vitest';
import { TuningDataError } from '@webglip/core/engine';
import { parseCoco } from '../eval/benchmark-data.ts';
import { cocoTuningSet, tuningBoxes } from './coco-tuning-set.ts';

const box = (id: number, image: number, category: number, iscrowd = 0) => ({ id, image_id: image, category_id: category, bbox: [1, 1, 10, 10], area: 100, iscrowd });
const DATA = parseCoco({
  images: [1, 2, 3, 4, 5].map((id) => ({ id, file_name: `${id}.png` })),
  categories: [{ id: 7, name: 'hair_dryer' }, { id: 3, name: 'heart' }],
  // image 1: heart; 2: heart + hair dryer; 3: hair dryer; 4: a crowd region only; 5: nothing
  annotations: [box(1, 1, 3), box(2, 2, 3), box(3, 2, 7), box(4, 3, 7), box(5, 4, 3, 1)],
}, 'train.json');

describe('cocoTuningSet', () => {
  it('prompts with every category name in id order, as GLIP\'s detection query (eval\'s prompt)', () => {
    const { prompt } = cocoTuningSet(DATA);
    expect(prompt.caption).toBe('heart. hair dryer');
    expect(prompt.phrases.map((p) => p.text)).toEqual(['heart', 'hair dryer']);
  });

  it('uses every image with boxes without --shots (crowd regions and empty images left out)', () => {
    const { images } = cocoTuningSet(DATA);
    expect(images.map((i) => i.image.id)).toEqual([1, 2, 3]);
    expect(images[1].boxes.map((b) => b.phrase)).toEqual(['heart', 'hair dryer']);
  });

  it('takes, per category in id order, the first images that show it until K do', () => {
    // heart: image 1; hair dryer: image 2 (the first that shows it)
    expect(cocoTuningSet(DATA, 1).images.map((i) => i.image.id)).toEqual([1, 2]);
    // heart: 1, 2; hair dryer: 2 already, then 3
    expect(cocoTuningSet(DATA, 2).images.map((i) => i.image.id)).toEqual([1, 2, 3]);
    expect(cocoTuningSet(DATA, 5).images.map((i) => i.image.id)).toEqual([1, 2, 3]);
  });

  it('reads COCO boxes as GLIP does (x … x + w − 1) and names a bad one', () => {
    const [first] = cocoTuningSet(DATA).images;
    expect(tuningBoxes(first, 20, 20, 'train.json')).toEqual([{ box: [1, 1, 10, 10], phrase: 'heart' }]);
    expect(tuningBoxes(first, 10, 10, 'train.json')).toEqual([{ box: [1, 1, 10, 10], phrase: 'heart' }]); // x + w = 11 ≤ 10 + 1
    expect(() => tuningBoxes(first, 9, 20, 'train.json')).toThrow(TuningDataError);
    expect(() => tuningBoxes({ ...first, boxes: [{ ...first.boxes[0], bbox: [1, 1, 1, 5] }] }, 20, 20, 'train.json')).toThrow(/annotations\[0\] \(1\.png, 20×20\): bbox \[1, 1, 1, 5\] has no area/);
  });
});

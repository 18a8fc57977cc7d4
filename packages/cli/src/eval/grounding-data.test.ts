// Reading grounding data and COCO results files (results-file.ts): what is accepted, and the messages for what is not.
import { EvalDataError } from '@webglip/core/engine';
import { describe, expect, it } from 'vitest';
import { enginePrompt, listPromptOf, parseGroundingData } from './grounding-data.ts';
import { knownIds, parseResults } from './results-file.ts';

const valid = {
  images: [{ id: 1, file_name: 'images/000001.png', width: 320, height: 320, prompts: [
    { style: 'sentence', caption: 'a red circle', phrases: [{ text: 'red circle', char_span: [2, 12], category_id: 1, annotation_ids: [5] }] },
    { style: 'list', caption: 'red circle. blue ring.', phrases: [
      { text: 'red circle', char_span: [0, 10], category_id: 1, annotation_ids: [5] },
      { text: 'blue ring', char_span: [12, 21], category_id: 2, annotation_ids: [] },
    ] },
  ] }],
  annotations: [{ id: 5, image_id: 1, bbox: [1, 2, 3, 4], area: 12, iscrowd: 0, category_id: 1, color: 'red', shape: 'circle', size: 'small' }],
  categories: [{ id: 1, name: 'red circle' }, { id: 2, name: 'blue ring' }],
};

describe('grounding data', () => {
  it('reads the synth format and picks the list prompt, with its spans, for the engine', () => {
    const data = parseGroundingData(valid, 'val.json');
    expect(data.annotations).toEqual([{ id: 5, image_id: 1, category_id: 1, bbox: [1, 2, 3, 4] }]);
    const list = listPromptOf(data.images[0]);
    expect(list.caption).toBe('red circle. blue ring.');
    expect(enginePrompt(list)).toEqual({ caption: 'red circle. blue ring.', phrases: [{ text: 'red circle', charSpan: [0, 10] }, { text: 'blue ring', charSpan: [12, 21] }] });
  });

  it('says which record is malformed', () => {
    const bad = (patch: (d: typeof valid) => unknown): unknown => patch(JSON.parse(JSON.stringify(valid)) as typeof valid);
    const cases: Array<[unknown, RegExp]> = [
      [[], /expected a COCO-style object/],
      [bad((d) => ({ ...d, categories: undefined })), /"categories" must be an array/],
      [bad((d) => { d.annotations[0].category_id = 9; return d; }), /annotations\[0\] needs .* a known category_id/],
      [bad((d) => { d.annotations[0].iscrowd = 1 as 0; return d; }), /crowd region/],
      [bad((d) => { d.images[0].prompts[1].phrases[0].char_span = [0] as unknown as number[]; return d; }), /images\[0\]\.prompts\[1\]\.phrases\[0\] needs/],
    ];
    for (const [json, message] of cases) {
      expect(() => parseGroundingData(json, 'val.json')).toThrow(EvalDataError);
      expect(() => parseGroundingData(json, 'val.json')).toThrow(message);
    }
    const noList = parseGroundingData(bad((d) => { d.images[0].prompts.pop(); return d; }), 'val.json');
    expect(() => listPromptOf(noList.images[0])).toThrow(/has no "list" prompt/);
  });
});

describe('COCO results files', () => {
  it('reads COCO results and rejects unknown images, categories or malformed entries', () => {
    const check = knownIds(new Set([1]), new Set([1, 2]));
    expect(parseResults([{ image_id: 1, category_id: 2, bbox: [0, 0, 5, 5], score: 0.3 }], 'p.json', check)).toEqual([{ image_id: 1, category_id: 2, bbox: [0, 0, 5, 5], score: 0.3 }]);
    expect(() => parseResults({}, 'p.json', check)).toThrow(/expected a COCO results array/);
    expect(() => parseResults([{ image_id: 1, category_id: 3, bbox: [0, 0, 5, 5], score: 1 }], 'p.json', check)).toThrow(/p\.json\[0\]: category_id 3/);
    expect(() => parseResults([{ image_id: 2, category_id: 1, bbox: [0, 0, 5, 5], score: 1 }], 'p.json', check)).toThrow(/image_id 2 is not an image/);
    expect(() => parseResults([null, { image_id: 1, category_id: 1, bbox: [0, 0, 5], score: 1 }], 'p.json', check)).toThrow(/p\.json\[0\] needs bbox/);
  });
});

import { describe, expect, it } from 'vitest';
import type { NmsBoxes as BoxSet } from './nms-reference.ts';
import { classAwareNms } from './nms-reference.ts';

function set(boxes: number[][], scores: number[], labels: number[]): BoxSet {
  return { boxes: Float32Array.from(boxes.flat()), scores: Float32Array.from(scores), labels: Int32Array.from(labels) };
}

describe('classAwareNms (GLIP ml_nms semantics)', () => {
  it('uses the +1 area convention: 10×10-pixel boxes [0,9] and [0,4] overlap with IoU 0.5, not 5/9', () => {
    const s = set([[0, 0, 9, 9], [0, 0, 9, 4]], [0.9, 0.8], [1, 1]);
    expect(classAwareNms(s, 0.49)).toEqual([0]);
    expect(classAwareNms(s, 0.5)).toEqual([0, 1]); // suppressed only when IoU > threshold
  });

  it('never suppresses across labels and keeps descending score order', () => {
    const s = set([[0, 0, 9, 9], [0, 0, 9, 9], [0, 0, 9, 9], [50, 50, 60, 60]], [0.5, 0.9, 0.7, 0.6], [1, 2, 1, 2]);
    expect(classAwareNms(s, 0.6)).toEqual([1, 2, 3]);
  });

  it('greedy: a suppressed box does not suppress others', () => {
    // b overlaps a and c; a and c do not overlap: a keeps, b goes, c stays.
    const s = set([[0, 0, 9, 9], [3, 0, 12, 9], [8, 0, 17, 9]], [0.9, 0.8, 0.7], [1, 1, 1]);
    expect(classAwareNms(s, 0.5)).toEqual([0, 2]);
  });
});

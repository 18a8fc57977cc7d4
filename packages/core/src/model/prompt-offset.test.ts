import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { offsetLanguageFeatures } from './prompt-offset.ts';

describe('offsetLanguageFeatures', () => {
  it('adds the offset row by row and passes its gradient through', () => {
    const hidden = tf.tensor2d([[1, 2], [3, 4], [5, 6]]);
    const mask = tf.ones([3]) as tf.Tensor1D;
    const offset = tf.variable(tf.tensor2d([[0.5, 0], [0, -1], [2, 2]]));
    const out = offsetLanguageFeatures({ hidden, mask }, offset);
    expect(Array.from(out.hidden.dataSync())).toEqual([1.5, 2, 3, 3, 7, 8]);
    expect(Array.from(out.mask.dataSync())).toEqual([1, 1, 1]);
    const g = tf.grad((o: tf.Tensor) => offsetLanguageFeatures({ hidden, mask }, o as tf.Tensor2D).hidden.square().sum())(offset);
    expect(Array.from(g.dataSync())).toEqual([3, 4, 6, 6, 14, 16]);
    tf.dispose([hidden, mask, offset, out.hidden, out.mask, g]);
  });

  it('rejects an offset of another shape', () => {
    const lang = { hidden: tf.zeros([3, 2]) as tf.Tensor2D, mask: tf.ones([3]) as tf.Tensor1D };
    expect(() => offsetLanguageFeatures(lang, tf.zeros([4, 2]) as tf.Tensor2D)).toThrow(/\[4, 2\].*\[3, 2\]/);
    tf.dispose([lang.hidden, lang.mask]);
  });
});

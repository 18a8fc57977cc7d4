import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { maxAbsDiff, useBackend } from '../testing/backends.ts';
import { upsampleBilinearAlignCorners } from './upsample-bilinear.ts';

describe('upsampleBilinearAlignCorners on cpu', () => {
  beforeAll(() => useBackend('cpu'));

  it('gives resizeBilinear(alignCorners) values on a non-square map, and a gradient of the input shape', () => {
    const x = tf.randomNormal([1, 3, 5, 4], 0, 1, 'float32', 7) as tf.Tensor4D;
    const ours = upsampleBilinearAlignCorners(x, [6, 9]);
    const tfjs = tf.image.resizeBilinear(x, [6, 9], true);
    expect(ours.shape).toEqual([1, 6, 9, 4]);
    expect(maxAbsDiff(ours.dataSync(), tfjs.dataSync()).maxAbs).toBeLessThan(1e-5);
    // d/dx Σ up(x): each input's total interpolation weight; the weights of every output sum to 1.
    const g = tf.grad((t: tf.Tensor) => upsampleBilinearAlignCorners(t as tf.Tensor4D, [6, 9]).sum())(x);
    expect(g.shape).toEqual(x.shape);
    expect(g.sum().dataSync()[0]).toBeCloseTo(6 * 9 * 4, 3);
    tf.dispose([x, ours, tfjs, g]);
  });
});

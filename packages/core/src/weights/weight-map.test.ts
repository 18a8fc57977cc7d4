import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../testing/backends.ts';
import { WeightMap } from './weight-map.ts';

const transpose = (t: tf.Tensor) => tf.transpose(t);

function twoByThree(): WeightMap {
  return new WeightMap(new Map([['fc.weight', tf.tensor2d([[1, 2, 3], [4, 5, 6]])]]));
}

describe('WeightMap prepared layouts', () => {
  beforeAll(() => useBackend('cpu'));
  afterEach(() => tf.env().set('WEBGPU_ENGINE_COMPILE_ONLY', false));

  it('prepares a layout once, holds only it (the official tensor is disposed) and returns it again', () => {
    const w = twoByThree();
    const official = w.get('fc.weight');
    const before = tf.memory().numTensors;
    const first = w.prepared('fc.weight', 'in,out', transpose);
    expect(first.arraySync()).toEqual([[1, 4], [2, 5], [3, 6]]);
    expect(official.isDisposed).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
    let makes = 0;
    const again = w.prepared('fc.weight', 'in,out', (t) => (makes++, transpose(t)));
    expect(again).toBe(first);
    expect(makes).toBe(0);
    expect(w.preparedCount).toBe(1);
    w.dispose();
    expect(first.isDisposed).toBe(true);
  });

  it('refuses the official layout or another layout of a prepared weight, instead of returning the wrong one', () => {
    const w = twoByThree();
    w.prepared('fc.weight', 'in,out', transpose);
    expect(() => w.get('fc.weight')).toThrow(/prepared "in,out" layout/);
    expect(() => w.prepared('fc.weight', 'other', transpose)).toThrow(/held in layout "in,out"/);
    w.dispose();
  });

  it('inside a tidy the prepared tensor survives; the maker\'s intermediates do not leak', () => {
    const w = twoByThree();
    const before = tf.memory().numTensors;
    const kept = tf.tidy(() => {
      w.prepared('fc.weight', 'in,out', (t) => tf.mul(tf.transpose(t), tf.scalar(1)));
      return tf.scalar(0);
    });
    kept.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(w.prepared('fc.weight', 'in,out', transpose).isDisposed).toBe(false);
    w.dispose();
  });

  it('during a compile-only pass nothing is prepared (its contents would be unwritten); preparePending does it afterwards', () => {
    const w = twoByThree();
    tf.env().set('WEBGPU_ENGINE_COMPILE_ONLY', true);
    const during = tf.tidy(() => w.prepared('fc.weight', 'in,out', transpose).shape);
    tf.env().set('WEBGPU_ENGINE_COMPILE_ONLY', false);
    expect(during).toEqual([3, 2]);
    expect(w.preparedCount).toBe(0);
    expect(w.get('fc.weight').shape).toEqual([2, 3]);
    w.preparePending();
    expect(w.preparedCount).toBe(1);
    expect(w.prepared('fc.weight', 'in,out', transpose).arraySync()).toEqual([[1, 4], [2, 5], [3, 6]]);
    w.dispose();
  });
});

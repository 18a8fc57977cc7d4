// gatherRows: tf.gather's rows, and on cpu and wasm the gradient tf.gather has on cpu (repeated indices summed).
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { createBackend } from '../runtime/device.ts';
import { gatherRows } from './gather-rows.ts';

describe.each(['cpu', 'wasm'] as const)('gatherRows on %s', (backend) => {
  it("gives tf.gather's rows and the gradient of tf.gather on cpu, repeated indices summed", async () => {
    const rows = Array.from({ length: 5 * 3 }, (_, i) => Math.sin(i));
    const index = [4, 0, 4, 2];
    const weights = Array.from({ length: 4 * 3 }, (_, i) => i - 5);
    const loss = (pick: (r: tf.Tensor2D, i: tf.Tensor1D) => tf.Tensor) => (r: tf.Tensor) => tf.sum(tf.mul(pick(r as tf.Tensor2D, tf.tensor1d(index, 'int32')), tf.tensor2d(weights, [4, 3])));
    await createBackend('cpu');
    const expectedValue = tf.gather(tf.tensor2d(rows, [5, 3]), tf.tensor1d(index, 'int32')).dataSync();
    const expectedGrad = tf.grad(loss((r, i) => tf.gather(r, i)))(tf.tensor2d(rows, [5, 3])).dataSync();
    expect((await createBackend(backend)).kind).toBe(backend);
    expect(Array.from(gatherRows(tf.tensor2d(rows, [5, 3]), tf.tensor1d(index, 'int32')).dataSync())).toEqual(Array.from(expectedValue));
    const grad = tf.grad(loss(gatherRows))(tf.tensor2d(rows, [5, 3])).dataSync();
    expect(Array.from(grad)).toEqual(Array.from(expectedGrad));
    expect(grad[4 * 3]).toBe(weights[0] + weights[2 * 3]); // row 4 picked twice
  });
});

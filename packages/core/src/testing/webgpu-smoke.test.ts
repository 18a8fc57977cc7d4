import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { TEST_BACKENDS, maxAbsDiff, useBackend } from './backends.ts';

describe.each(TEST_BACKENDS)('tfjs on %s', (backend) => {
  it('runs a matmul equal to a plain JS one', async () => {
    await useBackend(backend);
    const a = Float32Array.from({ length: 12 }, (_, i) => i - 5);
    const b = Float32Array.from({ length: 12 }, (_, i) => (i % 5) * 0.5);
    const got = await tf.matMul(tf.tensor2d(a, [3, 4]), tf.tensor2d(b, [4, 3])).data();
    const want = new Float32Array(9);
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 4; k++) want[i * 3 + j] += a[i * 4 + k] * b[k * 3 + j];
    expect(maxAbsDiff(got, want).maxAbs).toBeLessThan(1e-5);
    expect(tf.getBackend()).toBe(backend);
  });
});

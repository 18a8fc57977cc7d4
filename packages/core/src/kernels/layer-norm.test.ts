import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { TEST_BACKENDS, maxAbsDiff, useBackend } from '../testing/backends.ts';
import { setFusedKernels } from './fused-switch.ts';
import { layerNorm } from './layer-norm.ts';
import { layerNormCheck } from './layer-norm.check.ts';

/** Plain JS layer norm over the last axis, in f64. */
function jsLayerNorm(x: Float32Array, c: number, gamma: Float32Array, beta: Float32Array, eps: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let r = 0; r < x.length / c; r++) {
    let mean = 0;
    for (let i = 0; i < c; i++) mean += x[r * c + i];
    mean /= c;
    let v = 0;
    for (let i = 0; i < c; i++) v += (x[r * c + i] - mean) ** 2;
    v /= c;
    for (let i = 0; i < c; i++) out[r * c + i] = ((x[r * c + i] - mean) / Math.sqrt(v + eps)) * gamma[i] + beta[i];
  }
  return out;
}

describe.each(TEST_BACKENDS)('layerNorm on %s', (backend) => {
  it.each([true, false])('matches a plain JS layer norm over the last axis (fused kernels %s)', async (fused) => {
    await useBackend(backend);
    setFusedKernels(fused);
    const c = 7;
    const x = Float32Array.from({ length: 3 * c }, (_, i) => Math.sin(i * 1.7) * 3 + i * 0.1);
    const gamma = Float32Array.from({ length: c }, (_, i) => 0.5 + i * 0.1);
    const beta = Float32Array.from({ length: c }, (_, i) => i * 0.01 - 0.02);
    const got = await layerNorm(tf.tensor3d(x, [1, 3, c]), tf.tensor1d(gamma), tf.tensor1d(beta), 1e-5).data();
    setFusedKernels(true);
    expect(maxAbsDiff(got, jsLayerNorm(x, c, gamma, beta, 1e-5)).maxAbs).toBeLessThan(1e-5);
  });
});

describe('fused layer norm on webgpu', () => {
  it('matches the reference on every check case', async () => {
    await useBackend('webgpu');
    const results = await layerNormCheck.run();
    console.table(results);
    for (const r of results) expect(r.maxAbs, r.case).toBeLessThanOrEqual(r.tol);
  });
});

describe('fused kernels in tfjs compile-only mode', () => {
  it('build their pipelines without dispatching, then run normally', async () => {
    await useBackend('webgpu');
    const x = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]);
    tf.env().set('WEBGPU_ENGINE_COMPILE_ONLY', true);
    let y: tf.Tensor;
    try {
      y = layerNorm(x, tf.ones([3]), tf.zeros([3]), 1e-5);
    } finally {
      tf.env().set('WEBGPU_ENGINE_COMPILE_ONLY', false);
    }
    expect(y.shape).toEqual([2, 3]);
    const z = await layerNorm(x, tf.ones([3]), tf.zeros([3]), 1e-5).data();
    expect(Array.from(z).map((v) => Math.round(v * 1000) / 1000)).toEqual([-1.225, 0, 1.225, -1.225, 0, 1.225]);
  });
});

describe('fused kernels with empty tensors', () => {
  it('take the reference path', async () => {
    await useBackend('webgpu');
    const y = layerNorm(tf.zeros([0, 4]), tf.ones([4]), tf.zeros([4]), 1e-5);
    expect(y.shape).toEqual([0, 4]);
    expect((await y.data()).length).toBe(0);
  });
});

import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { TEST_BACKENDS, maxAbsDiff, useBackend } from '../testing/backends.ts';
import { setFusedKernels } from './fused-switch.ts';
import { groupNorm } from './group-norm.ts';
import { groupNormCheck } from './group-norm.check.ts';

/** Plain JS group norm of x [P, C] (NHWC pixels), in f64. */
function jsGroupNorm(x: Float32Array, c: number, groups: number, gamma: Float32Array, beta: Float32Array, eps: number): Float32Array {
  const out = new Float32Array(x.length);
  const pixels = x.length / c;
  const cg = c / groups;
  for (let g = 0; g < groups; g++) {
    let mean = 0;
    for (let p = 0; p < pixels; p++) for (let j = 0; j < cg; j++) mean += x[p * c + g * cg + j];
    mean /= pixels * cg;
    let v = 0;
    for (let p = 0; p < pixels; p++) for (let j = 0; j < cg; j++) v += (x[p * c + g * cg + j] - mean) ** 2;
    v /= pixels * cg;
    for (let p = 0; p < pixels; p++) {
      for (let j = 0; j < cg; j++) {
        const i = p * c + g * cg + j;
        out[i] = ((x[i] - mean) / Math.sqrt(v + eps)) * gamma[g * cg + j] + beta[g * cg + j];
      }
    }
  }
  return out;
}

describe.each(TEST_BACKENDS)('groupNorm on %s', (backend) => {
  it.each([true, false])('matches a plain JS group norm (fused kernels %s)', async (fused) => {
    await useBackend(backend);
    setFusedKernels(fused);
    const [h, w, c, groups] = [3, 5, 8, 4];
    const x = Float32Array.from({ length: h * w * c }, (_, i) => Math.sin(i * 1.3) * 2 + (i % c) * 0.3);
    const gamma = Float32Array.from({ length: c }, (_, i) => 0.5 + i * 0.1);
    const beta = Float32Array.from({ length: c }, (_, i) => i * 0.01 - 0.03);
    const got = await groupNorm(tf.tensor4d(x, [1, h, w, c]), tf.tensor1d(gamma), tf.tensor1d(beta), groups, 1e-5).data();
    setFusedKernels(true);
    expect(maxAbsDiff(got, jsGroupNorm(x, c, groups, gamma, beta, 1e-5)).maxAbs).toBeLessThan(1e-5);
  });
});

describe('fused group norm on webgpu', () => {
  it('matches the reference on every check case', async () => {
    await useBackend('webgpu');
    const results = await groupNormCheck.run();
    console.table(results);
    for (const r of results) expect(r.maxAbs, r.case).toBeLessThanOrEqual(r.tol);
  });
});

import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { maxAbsDiff, useBackend } from '../testing/backends.ts';
import { seededRandom } from './check-util.ts';
import { packF16Pairs } from './f16-pairs.ts';
import { randomHalfWeights } from './linear-f16.check.ts';
import { tokenLinear, tokenLinearF16 } from './token-linear.ts';
import { tokenLinearCheck } from './token-linear.check.ts';

/** Plain JS x [M, K] · W [K, N] + bias, in f64. */
function jsLinear(x: Float32Array, w: Float32Array, bias: Float32Array, m: number, k: number, n: number): Float32Array {
  const y = new Float32Array(m * n);
  for (let r = 0; r < m; r++) {
    for (let c = 0; c < n; c++) {
      let s = bias[c];
      for (let i = 0; i < k; i++) s += x[r * k + i] * w[i * n + c];
      y[r * n + c] = s;
    }
  }
  return y;
}

describe('fused token linear on webgpu', () => {
  it('matches the reference on every check case', async () => {
    await useBackend('webgpu');
    const results = await tokenLinearCheck.run();
    console.table(results);
    for (const r of results) expect(r.maxAbs, r.case).toBeLessThanOrEqual(r.tol);
  });

  it.each([[20, 8], [6, 8], [8, 6], [11, 3]] as const)('K = %i, N = %i: runs the kernel and equals a plain JS linear', async (k, n) => {
    await useBackend('webgpu');
    const m = 19;
    const random = seededRandom(k * 100 + n);
    const x = Float32Array.from({ length: m * k }, () => random() - 0.5);
    const w = Float32Array.from({ length: k * n }, () => random() - 0.5);
    const bias = Float32Array.from({ length: n }, () => random() - 0.5);
    const inputs = [tf.tensor2d(x, [m, k]), tf.tensor2d(w, [k, n]), tf.tensor1d(bias)] as const;
    const profile = await tf.profile(() => tokenLinear(...inputs));
    const y = profile.result as tf.Tensor;
    expect(profile.kernelNames).toContain('WebglipTokenLinear');
    expect(maxAbsDiff(await y.data(), jsLinear(x, w, bias, m, k, n)).maxAbs).toBeLessThan(1e-5);
    tf.dispose([y, ...inputs]);
  });

  it('weights held as f16 pairs: runs the kernel and equals a plain JS linear on the f16 values', async () => {
    await useBackend('webgpu');
    const [m, k, n] = [19, 12, 8];
    const random = seededRandom(77);
    const x = Float32Array.from({ length: m * k }, () => random() - 0.5);
    const official = randomHalfWeights(n * k, random).values; // [out, in]
    const w = Float32Array.from({ length: k * n }, (_, i) => official[(i % n) * k + Math.floor(i / n)]); // [in, out]
    const bias = Float32Array.from({ length: n }, () => random() - 0.5);
    const weight = tf.tensor2d(official, [n, k]);
    const inputs = [tf.tensor2d(x, [m, k]), packF16Pairs(weight), tf.tensor1d(bias)] as const;
    const profile = await tf.profile(() => tokenLinearF16(...inputs));
    const y = profile.result as tf.Tensor;
    expect(profile.kernelNames).toContain('WebglipTokenLinear');
    expect(maxAbsDiff(await y.data(), jsLinear(x, w, bias, m, k, n)).maxAbs).toBeLessThan(1e-5);
    tf.dispose([y, weight, ...inputs]);
  });
});

import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { maxAbsDiff, useBackend } from '../testing/backends.ts';
import { seededRandom } from './check-util.ts';
import { conv2dBias } from './conv2d.ts';
import { conv2dCheck } from './conv2d.check.ts';

/** Plain JS NHWC conv (one image), zero padding, in f64. */
function jsConv(x: Float32Array, h: number, w: number, cin: number, f: Float32Array, k: number, cout: number, bias: Float32Array, stride: number, pad: number) {
  const ho = Math.floor((h + 2 * pad - k) / stride) + 1;
  const wo = Math.floor((w + 2 * pad - k) / stride) + 1;
  const y = new Float32Array(ho * wo * cout);
  for (let oy = 0; oy < ho; oy++) {
    for (let ox = 0; ox < wo; ox++) {
      for (let n = 0; n < cout; n++) {
        let s = bias[n];
        for (let ky = 0; ky < k; ky++) {
          for (let kx = 0; kx < k; kx++) {
            const iy = oy * stride - pad + ky;
            const ix = ox * stride - pad + kx;
            if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
            for (let c = 0; c < cin; c++) s += x[(iy * w + ix) * cin + c] * f[((ky * k + kx) * cin + c) * cout + n];
          }
        }
        y[(oy * wo + ox) * cout + n] = s;
      }
    }
  }
  return y;
}

describe('fused conv2d on webgpu', () => {
  it('matches the reference on every check case', async () => {
    await useBackend('webgpu');
    const results = await conv2dCheck.run();
    console.table(results);
    for (const r of results) expect(r.maxAbs, r.case).toBeLessThanOrEqual(r.tol);
  });

  it.each([
    [8, 3, 2, 1, 'WebglipConv2d'],
    [3, 3, 2, 1, null],
    [3, 2, 2, 0, 'WebglipTokenLinear'],
  ] as const)('Cin = %i, kernel %i (square), stride %i, pad %i: runs %s (null: the reference) and equals a plain JS convolution', async (cin, k, stride, pad, kernel) => {
    await useBackend('webgpu');
    const [h, w, cout] = [6, 9, 5];
    const random = seededRandom(cin);
    const x = Float32Array.from({ length: h * w * cin }, () => random() - 0.5);
    const f = Float32Array.from({ length: k * k * cin * cout }, () => random() - 0.5);
    const bias = Float32Array.from({ length: cout }, () => random() - 0.5);
    const inputs = [tf.tensor4d(x, [1, h, w, cin]), tf.tensor4d(f, [k, k, cin, cout]), tf.tensor1d(bias)] as const;
    const profile = await tf.profile(() => conv2dBias(...inputs, stride, pad));
    const y = profile.result as tf.Tensor;
    for (const name of ['WebglipConv2d', 'WebglipTokenLinear']) expect(profile.kernelNames.includes(name), name).toBe(kernel === name);
    expect(maxAbsDiff(await y.data(), jsConv(x, h, w, cin, f, k, cout, bias, stride, pad)).maxAbs).toBeLessThan(1e-5);
    tf.dispose([y, ...inputs]);
  });
});

import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { linear, textLinear } from '../model/official-layers.ts';
import { maxAbsDiff, useBackend } from '../testing/backends.ts';
import { WeightMap } from '../weights/weight-map.ts';
import { seededRandom } from './check-util.ts';
import { packF16Pairs, unpackF16Pairs } from './f16-pairs.ts';
import { setFusedKernels } from './fused-switch.ts';
import { linearF16Check, randomHalfWeights } from './linear-f16.check.ts';

describe('f16 pairs on webgpu', () => {
  it('pack an f16-exact [N, K] weight into the words [K/2, N] bit for bit, and unpack it to [K, N] exactly', async () => {
    await useBackend('webgpu');
    const [n, k] = [5, 6];
    const { bits, values } = randomHalfWeights(n * k, seededRandom(3));
    const pairs = packF16Pairs(tf.tensor2d(values, [n, k]));
    expect(pairs.dtype).toBe('int32');
    expect(pairs.shape).toEqual([k / 2, n]);
    const words = new Uint32Array((await pairs.data()).buffer);
    const expected = new Uint32Array((k / 2) * n);
    for (let p = 0; p < k / 2; p++) {
      for (let c = 0; c < n; c++) expected[p * n + c] = (bits[c * k + 2 * p] | (bits[c * k + 2 * p + 1] << 16)) >>> 0;
    }
    expect(Array.from(words)).toEqual(Array.from(expected));
    const unpacked = await unpackF16Pairs(pairs).data();
    const transposed = await tf.transpose(tf.tensor2d(values, [n, k])).data();
    expect(Array.from(unpacked)).toEqual(Array.from(transposed));
  });

  it('refuse an odd input dimension and other backends', async () => {
    await useBackend('webgpu');
    expect(() => packF16Pairs(tf.zeros([2, 3]))).toThrow(/must be even/);
    await useBackend('cpu');
    expect(() => packF16Pairs(tf.zeros([2, 4]))).toThrow(/needs the webgpu backend/);
  });
});

describe('fused f16-weight linear on webgpu', () => {
  it('matches the reference on every check case', async () => {
    await useBackend('webgpu');
    const results = await linearF16Check.run();
    console.table(results);
    for (const r of results) expect(r.maxAbs, r.case).toBeLessThanOrEqual(r.tol);
  });
});

/** A one-Linear weight map `p.weight` [out, in] + `p.bias`, stored f16 on disk or not. */
function oneLinear(out: number, inDim: number, halfOnDisk: boolean): { weights: WeightMap; weight: Float32Array; bias: Float32Array } {
  const random = seededRandom(out * 31 + inDim);
  const weight = randomHalfWeights(out * inDim, random).values;
  const bias = Float32Array.from({ length: out }, () => random() - 0.5);
  const tensors = new Map<string, tf.Tensor>([['p.weight', tf.tensor2d(weight, [out, inDim])], ['p.bias', tf.tensor1d(bias)]]);
  return { weights: new WeightMap(tensors, new Set(halfOnDisk ? ['p.weight', 'p.bias'] : [])), weight, bias };
}

describe('textLinear', () => {
  const x = () => tf.tensor2d(Float32Array.from({ length: 3 * 64 }, (_, i) => Math.sin(i)), [3, 64]);
  const plain = (weight: Float32Array, bias: Float32Array) =>
    tf.tidy(() => tf.add(tf.matMul(x(), tf.tensor2d(weight, [48, 64]), false, true), tf.tensor1d(bias)));

  it('holds a weight stored f16 on disk as f16 pairs on webgpu (half the bytes), same values as an f32 Linear, also with fused kernels off later', async () => {
    await useBackend('webgpu');
    const { weights, weight, bias } = oneLinear(48, 64, true);
    const input = x();
    const before = tf.memory().numBytes;
    const y = textLinear(weights, 'p', input);
    const fused = await y.data();
    y.dispose();
    expect(weights.layoutOf('p.weight')).toBe('f16 pairs in/2,out');
    expect(before - tf.memory().numBytes).toBe(48 * 64 * 2); // 4-byte floats replaced by 2-byte halves
    const want = await plain(weight, bias).data();
    expect(maxAbsDiff(fused, want).maxAbs).toBeLessThan(1e-4 * maxAbsDiff(fused, want).maxRef);
    setFusedKernels(false);
    try {
      const reference = await textLinear(weights, 'p', x()).data();
      expect(maxAbsDiff(reference, want).maxAbs).toBeLessThan(1e-4 * maxAbsDiff(reference, want).maxRef);
    } finally {
      setFusedKernels(true);
    }
    weights.dispose();
  });

  it('keeps f32 weights, and every weight with fused kernels off or on cpu, as a plain Linear', async () => {
    for (const [backend, halfOnDisk, fusedOn] of [['webgpu', false, true], ['webgpu', true, false], ['cpu', true, true]] as const) {
      await useBackend(backend);
      setFusedKernels(fusedOn);
      try {
        const { weights, weight, bias } = oneLinear(48, 64, halfOnDisk);
        const got = await textLinear(weights, 'p', x()).data();
        expect(weights.layoutOf('p.weight'), `${backend} f16 on disk ${halfOnDisk} fused ${fusedOn}`).toBe('in,out');
        const twin = oneLinear(48, 64, halfOnDisk).weights;
        const want = await linear(twin, 'p', x()).data();
        twin.dispose();
        expect(maxAbsDiff(got, want).maxAbs).toBe(0);
        expect(maxAbsDiff(got, await plain(weight, bias).data()).maxAbs).toBeLessThan(1e-4);
        weights.dispose();
      } finally {
        setFusedKernels(true);
      }
    }
  });
});

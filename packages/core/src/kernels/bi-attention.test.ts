import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { useBackend } from '../testing/backends.ts';
import { biAttention, biAttentionReference } from './bi-attention.ts';
import { biAttentionCheck } from './bi-attention.check.ts';
import { compare, randomTensor, seededRandom } from './check-util.ts';

describe('fused bi-attention on webgpu', () => {
  it('matches the reference on every check case', async () => {
    await useBackend('webgpu');
    const results = await biAttentionCheck.run();
    console.table(results);
    for (const r of results) expect(r.maxAbs, r.case).toBeLessThanOrEqual(r.tol);
  });

  it('takes the reference for a mask cast from int32 (tfjs-webgpu keeps the int32 buffer), not its bits read as floats', async () => {
    await useBackend('webgpu');
    const random = seededRandom(5);
    const [q, valueV] = [randomTensor([2, 40, 16], random) as tf.Tensor3D, randomTensor([2, 40, 16], random) as tf.Tensor3D];
    const [k, valueL] = [randomTensor([2, 6, 16], random) as tf.Tensor3D, randomTensor([2, 6, 16], random) as tf.Tensor3D];
    const intMask = tf.tensor1d([1, 1, 1, 1, 0, 0], 'int32');
    const castMask = tf.cast(intMask, 'float32') as tf.Tensor1D;
    const floatMask = tf.tensor1d([1, 1, 1, 1, 0, 0]);
    const fromCast = biAttention(q, k, valueV, valueL, castMask);
    const reference = biAttentionReference(q, k, valueV, valueL, floatMask);
    for (const [name, got, ref] of [['outV', fromCast.outV, reference.outV], ['outL', fromCast.outL, reference.outL]] as const) {
      const r = await compare(name, got, ref);
      expect(r.maxAbs, name).toBeLessThanOrEqual(r.tol);
    }
    tf.dispose([q, valueV, k, valueL, intMask, castMask, floatMask, fromCast.outV, fromCast.outL, reference.outV, reference.outL]);
  });

  it('leaves no tensor or GPU buffer behind but its two outputs (the scratch partials are freed)', async () => {
    await useBackend('webgpu');
    const image = (): tf.Tensor3D => tf.ones([2, 90, 16]);
    const text = (): tf.Tensor3D => tf.ones([2, 5, 16]);
    const [q, k, valueV, valueL] = [image(), text(), image(), text()];
    const mask = tf.ones([5]) as tf.Tensor1D;
    await biAttention(q, k, valueV, valueL, mask).outV.data(); // warm up pipelines and tfjs's buffer pool
    const before = tf.memory() as tf.MemoryInfo & { numBytesInGPU: number };
    const { outV, outL } = biAttention(q, k, valueV, valueL, mask);
    await outL.data();
    const after = tf.memory() as tf.MemoryInfo & { numBytesInGPU: number };
    expect(after.numTensors - before.numTensors).toBe(2);
    expect(after.numBytesInGPU - before.numBytesInGPU).toBe((outV.size + outL.size) * 4);
    tf.dispose([outV, outL, q, k, valueV, valueL, mask]);
  });
});

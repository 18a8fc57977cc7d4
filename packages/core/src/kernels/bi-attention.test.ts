import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { useBackend } from '../testing/backends.ts';
import { biAttention } from './bi-attention.ts';
import { biAttentionCheck } from './bi-attention.check.ts';

describe('fused bi-attention on webgpu', () => {
  it('matches the reference on every check case', async () => {
    await useBackend('webgpu');
    const results = await biAttentionCheck.run();
    console.table(results);
    for (const r of results) expect(r.maxAbs, r.case).toBeLessThanOrEqual(r.tol);
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

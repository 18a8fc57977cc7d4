import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { useBackend } from '../testing/backends.ts';
import { setFusedKernels } from './fused-switch.ts';
import { gpuNmsActive } from './nms.ts';
import { nmsCheck } from './nms.check.ts';

describe('GPU NMS on webgpu', () => {
  it('keeps exactly what the CPU NMS keeps on every check case', async () => {
    await useBackend('webgpu');
    const results = await nmsCheck.run();
    console.table(results);
    for (const r of results) expect(r.maxAbs, r.case).toBe(0);
  });

  it('is active only on webgpu with fused kernels on and float32 labels', async () => {
    const args = () => [tf.zeros([2, 4]) as tf.Tensor2D, tf.tensor1d([1, 2]), tf.tensor1d([0.9, 0.8])] as const;
    await useBackend('webgpu');
    expect(gpuNmsActive(...args())).toBe(true);
    const [b, , k] = args();
    expect(gpuNmsActive(b, tf.tensor1d([1, 2], 'int32'), k)).toBe(false);
    setFusedKernels(false);
    expect(gpuNmsActive(...args())).toBe(false);
    setFusedKernels(true);
    await useBackend('cpu');
    expect(gpuNmsActive(...args())).toBe(false);
  });
});

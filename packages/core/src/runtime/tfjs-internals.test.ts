import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { useBackend } from '../testing/backends.ts';
import { releasePooledBuffers } from './tfjs-internals.ts';

describe('releasePooledBuffers on webgpu', () => {
  it('gives the buffers of disposed tensors back to the device; tensors alive and later ops are untouched', async () => {
    await useBackend('webgpu');
    const x = tf.range(0, 12345, 1, 'float32');
    const kept = tf.mul(x, 2);
    const freed = tf.add(x, 1);
    await freed.data(); // computed and submitted
    freed.dispose();
    const before = tf.memory() as tf.MemoryInfo & { numBytesAllocatedInGPU: number; numBytesInGPU: number };
    const released = releasePooledBuffers();
    const after = tf.memory() as tf.MemoryInfo & { numBytesAllocatedInGPU: number; numBytesInGPU: number };
    expect(released).toBeGreaterThanOrEqual(12345 * 4);
    expect(after.numBytesAllocatedInGPU).toBe(before.numBytesAllocatedInGPU - released);
    expect(after.numBytesInGPU).toBe(before.numBytesInGPU); // buffers of live tensors stay
    expect(releasePooledBuffers()).toBe(0);
    const again = tf.add(kept, 1); // same size as the released buffer: a new one is allocated
    const values = await again.data();
    expect([values[0], values[12344]]).toEqual([1, 12344 * 2 + 1]);
    expect(Array.from((await kept.data()).subarray(0, 3))).toEqual([0, 2, 4]);
    again.dispose();
    expect(releasePooledBuffers()).toBeGreaterThanOrEqual(12345 * 4);
    tf.dispose([x, kept]);
  });

  it('returns 0 off webgpu', async () => {
    await useBackend('cpu');
    expect(releasePooledBuffers()).toBe(0);
  });
});

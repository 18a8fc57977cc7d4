import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { useBackend } from '@webglip/core/testing';
import { layerNorm } from '@webglip/core/engine';
import { activeWebGpuDevice } from '@webglip/core/engine';
import type { StageOps } from './op-profile.ts';
import { opProfilingStage } from './op-profile.ts';

describe('opProfilingStage', () => {
  it('records each stage’s ops under the name the stage returns, adds up stages of one name, and times kernels (tfjs and fused WGSL) when it can', async () => {
    for (const backend of ['cpu', 'webgpu'] as const) {
      await useBackend(backend);
      const into = new Map<string, StageOps>();
      const stage = opProfilingStage(into);
      const x = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]);
      let y = x;
      await stage(async () => {
        y = layerNorm(tf.add(x, 1), tf.ones([3]), tf.zeros([3]), 1e-5) as tf.Tensor2D;
        return 'norm';
      });
      expect(y.shape).toEqual([2, 3]);
      const once = into.get('norm')!.ops;
      expect(once).toBeGreaterThanOrEqual(2); // the Add and the norm (a fused kernel on webgpu, tfjs ops on cpu)
      const z = tf.add(y, 1);
      await stage(async () => {
        tf.dispose(tf.mul(z, 2));
        return 'norm';
      });
      await stage(async () => null); // nothing recorded
      const norm = into.get('norm')!;
      expect(norm.ops).toBe(once + 1);
      expect(into.size).toBe(1);
      const timed = backend === 'cpu' || activeWebGpuDevice()?.features.has('timestamp-query') === true;
      expect(norm.kernelMs === null).toBe(!timed);
      if (timed) {
        expect(norm.top.length).toBeGreaterThan(0);
        expect(norm.top.reduce((a, t) => a + t.calls, 0)).toBeLessThanOrEqual(norm.ops);
        if (backend === 'webgpu') expect(norm.top.map((t) => t.op)).toContain('WebglipLayerNorm');
      }
      tf.dispose([x, y, z]);
    }
  });
});

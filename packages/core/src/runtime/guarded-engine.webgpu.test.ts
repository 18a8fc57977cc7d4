// GuardedEngine on a real Dawn (SwiftShader) device with the real detector (case-a converted by the
// converter, 64 px images): the engine's own device destroyed mid-inference, recovery with the weights
// from the cache, a real GPU validation error, a real out-of-memory error (an allocation the adapter's
// heap cannot hold), and device ownership on dispose. Only text encoding runs here: a whole detect()
// takes most of a minute on SwiftShader.
import './node-gpu.ts';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GlipDetector } from '../detector.ts';
import { DeviceLostError, GpuError } from '../errors.ts';
import { countingModelFiles } from '../testing/tiny-model.ts';
import { memoryShardCache } from '../weights/shard-cache.ts';
import { createBackend, createWebGpuDevice, registerWebGpuBackend } from './device.ts';
import { GuardedEngine } from './guarded-engine.ts';

const SHARD = 'model-00001-of-00001.safetensors';

describe('GuardedEngine on a real WebGPU device', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it('device.destroy() mid-inference → DeviceLostError; the next call gets a new device and the weights from the cache', async () => {
    const files = await countingModelFiles();
    const cache = memoryShardCache();
    const devices: GPUDevice[] = [];
    const guarded = new GuardedEngine(async () => {
      const selection = await createBackend('webgpu');
      if (!selection.webgpu) throw new Error(`no webgpu: ${selection.fallbackReasons.join('; ')}`);
      devices.push(selection.webgpu.device);
      const engine = await GlipDetector.load(files, { cache });
      return { engine, device: selection.webgpu.device, ownsDevice: true };
    });
    const baseline = tf.memory().numTensors;

    const warm = await guarded.run((d) => d.encodePrompt('red circle'));
    expect(warm.phrases.map((p) => p.text)).toEqual(['red circle']);

    const lost = guarded.run(async (d) => {
      const encoding = d.encodePrompt('blue square. green triangle'); // BERT dispatched, read-back pending
      devices[0].destroy();
      return encoding;
    });
    const error = await lost.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeviceLostError);
    expect((error as DeviceLostError).message).toMatch(/Load the detector again|wasm backend/);

    const again = await guarded.run((d) => d.encodePrompt('blue square. green triangle'));
    expect(again.phrases.map((p) => p.text)).toEqual(['blue square', 'green triangle']);
    expect(devices).toHaveLength(2);
    expect(devices[1]).not.toBe(devices[0]);
    expect(files.reads.get(SHARD)).toBe(1); // the reload came from the cache
    expect(files.reads.get('manifest.json')).toBe(2);

    await guarded.dispose();
    expect(tf.memory().numTensors).toBe(baseline);
    const destroyed = await Promise.race([devices[1].lost.then((i) => i.reason), new Promise((r) => setTimeout(() => r('alive'), 500))]);
    expect(destroyed).toBe('destroyed'); // its own device
  });

  it('a real validation error inside a call → GpuError, and the engine keeps working', async () => {
    const runtime = await createWebGpuDevice();
    await registerWebGpuBackend(runtime);
    const guarded = new GuardedEngine(async () => ({ engine: { dispose: () => undefined }, device: runtime.device, ownsDevice: false }));
    const error = await guarded.run(async () => {
      runtime.device.createBuffer({ size: runtime.device.limits.maxBufferSize + 4, usage: GPUBufferUsage.STORAGE });
      return 'swallowed';
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GpuError);
    expect((error as GpuError).kind).toBe('validation');
    await expect(guarded.run(async () => Array.from(await tf.add(tf.ones([2]), 1).data()))).resolves.toEqual([2, 2]);
    await guarded.dispose();

    // dispose() left the app's device alone: it still computes and was not lost.
    const state = await Promise.race([runtime.device.lost.then(() => 'lost'), new Promise((r) => setTimeout(() => r('alive'), 300))]);
    expect(state).toBe('alive');
    expect(Array.from(await tf.mul(tf.ones([2]), 3).data())).toEqual([3, 3]);
    runtime.device.destroy();
  });

  it('a real out-of-memory error, inside a call or between calls → GpuError("out-of-memory"), never swallowed', async () => {
    const runtime = await createWebGpuDevice();
    await registerWebGpuBackend(runtime);
    const { maxTextureDimension2D: side, maxTextureArrayLayers: layers } = runtime.device.limits;
    // Within every validation limit, but side² × layers × 16 bytes (256 GiB at the default limits) is
    // more than the adapter's memory heap: Dawn refuses the allocation with GPUOutOfMemoryError
    // before anything is allocated (measured: the process's RSS stays at ~60 MB).
    expect(side * side * layers * 16).toBeGreaterThan(2 ** 36);
    const tooLarge = (): void => {
      runtime.device.createTexture({ size: [side, side, layers], format: 'rgba32float', usage: GPUTextureUsage.TEXTURE_BINDING }).destroy();
    };
    const guarded = new GuardedEngine(async () => ({ engine: { dispose: () => undefined }, device: runtime.device, ownsDevice: false }));
    const compute = (): Promise<number[]> => guarded.run(async () => Array.from(await tf.add(tf.ones([2]), 1).data()));

    const inside = await guarded.run(async () => {
      tooLarge();
      return 'swallowed';
    }).catch((e: unknown) => e);
    expect(inside).toBeInstanceOf(GpuError);
    expect((inside as GpuError).kind).toBe('out-of-memory');
    await expect(compute()).resolves.toEqual([2, 2]);

    tooLarge(); // outside any call: reported by `uncapturederror`, so the next call fails with it
    await new Promise((r) => setTimeout(r, 50));
    const between = await compute().catch((e: unknown) => e);
    expect(between).toBeInstanceOf(GpuError);
    expect((between as GpuError).kind).toBe('out-of-memory');
    await expect(compute()).resolves.toEqual([2, 2]);

    await guarded.dispose();
    runtime.device.destroy();
  });
});

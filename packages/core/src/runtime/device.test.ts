import './node-gpu.ts';
import * as tf from '@tensorflow/tfjs';
import { activeWebGpuDevice } from './tfjs-internals.ts';
import { describe, expect, it } from 'vitest';
import { DeviceLostError } from '../errors.ts';
import { layerNorm } from '../kernels/layer-norm.ts';
import { createBackend, createWebGpuDevice, watchDeviceLoss } from './device.ts';

describe('createWebGpuDevice', () => {
  it("requests the adapter's maximum limits and shader-f16 when offered", async () => {
    const adapter = await navigator.gpu.requestAdapter({ powerPreference: 'high-performance' });
    const runtime = await createWebGpuDevice();
    expect(runtime.capabilities.f16).toBe(adapter!.features.has('shader-f16'));
    expect(runtime.device.features.has('shader-f16')).toBe(runtime.capabilities.f16);
    expect(runtime.capabilities.limits.maxBufferSize).toBe(adapter!.limits.maxBufferSize);
    expect(runtime.capabilities.limits.maxStorageBufferBindingSize).toBe(adapter!.limits.maxStorageBufferBindingSize);
    expect(runtime.capabilities.limits.maxComputeWorkgroupStorageSize).toBe(adapter!.limits.maxComputeWorkgroupStorageSize);
    expect(runtime.device.limits.maxStorageBufferBindingSize).toBe(adapter!.limits.maxStorageBufferBindingSize);
    expect(typeof runtime.capabilities.adapterInfo.vendor).toBe('string');
    runtime.device.destroy();
    const lost = await runtime.lost;
    expect(lost).toBeInstanceOf(DeviceLostError);
    expect(lost.reason).toBe('destroyed');
    expect(lost.code).toBe('device-lost');
  });

  it('requests timestamp-query only when asked and offered; tf.profile then gives fused kernels a GPU time', async () => {
    const adapter = await navigator.gpu.requestAdapter({ powerPreference: 'high-performance' });
    const plain = await createWebGpuDevice();
    expect(plain.device.features.has('timestamp-query')).toBe(false);
    plain.device.destroy();
    const selection = await createBackend('webgpu', { timestampQueries: true });
    const offered = adapter!.features.has('timestamp-query');
    expect(selection.webgpu!.device.features.has('timestamp-query')).toBe(offered);
    if (!offered) return; // nothing more to check on this adapter
    const x = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]);
    const profile = await tf.profile(() => layerNorm(x, tf.ones([3]), tf.zeros([3]), 1e-5));
    const fused = profile.kernels.find((k) => k.name === 'WebglipLayerNorm');
    expect(fused).toBeDefined();
    const ms = await fused!.kernelTimeMs;
    expect(typeof ms).toBe('number');
    expect(ms as number).toBeGreaterThanOrEqual(0);
    expect(Array.from(await (profile.result as tf.Tensor).data()).map((v) => Math.round(v * 1000) / 1000)).toEqual([-1.225, 0, 1.225, -1.225, 0, 1.225]);
    tf.dispose([x, profile.result as tf.Tensor]);
  });

  it('rejects with a reason when there is no adapter', async () => {
    const noAdapter = { requestAdapter: async () => null } as unknown as GPU;
    await expect(createWebGpuDevice(noAdapter)).rejects.toThrow(/no GPU adapter/);
  });
});

describe('createBackend', () => {
  it("makes tfjs's webgpu backend run on the engine's own device, fused kernels included", async () => {
    const selection = await createBackend('webgpu');
    expect(selection.kind).toBe('webgpu');
    expect(selection.fallbackReasons).toEqual([]);
    expect(tf.getBackend()).toBe('webgpu');
    expect(activeWebGpuDevice()).toBe(selection.webgpu!.device);
    expect(tf.env().getBool('WEBGPU_CPU_FORWARD')).toBe(false); // no silent CPU execution of small ops
    const y = layerNorm(tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]), tf.ones([3]), tf.zeros([3]), 1e-5);
    const want = [-1.2247, 0, 1.2247, -1.2247, 0, 1.2247];
    Array.from(await y.data()).forEach((v, i) => expect(v).toBeCloseTo(want[i], 3));
  });

  it('falls back to wasm with the reason when WebGPU has no adapter', async () => {
    const noAdapter = { requestAdapter: async () => null } as unknown as GPU;
    const selection = await createBackend('webgpu', { gpu: noAdapter });
    expect(selection.kind).toBe('wasm');
    expect(selection.fallbackReasons).toHaveLength(1);
    expect(selection.fallbackReasons[0]).toMatch(/^webgpu: .*no GPU adapter/);
    expect(tf.getBackend()).toBe('wasm');
    expect(Array.from(await tf.add(tf.ones([2]), 1).data())).toEqual([2, 2]);
  });

  it('gives cpu when asked', async () => {
    expect(await createBackend('cpu')).toEqual({ kind: 'cpu', requested: 'cpu', reason: 'cpu was requested', fallbackReasons: [] });
    expect(tf.getBackend()).toBe('cpu');
  });
});

describe('watchDeviceLoss', () => {
  it("drops the lost device's tfjs backend and reports a DeviceLostError", async () => {
    const selection = await createBackend('webgpu');
    const device = selection.webgpu!.device;
    const reported: DeviceLostError[] = [];
    await watchDeviceLoss({ device, lost: Promise.resolve(new DeviceLostError('unknown', 'driver reset')) }, (e) => reported.push(e));
    expect(reported).toHaveLength(1);
    expect(reported[0].message).toMatch(/lost \(unknown: driver reset\)/);
    expect(tf.findBackendFactory('webgpu')).toBeNull();
  });

  it('ignores a deliberate destroy', async () => {
    const selection = await createBackend('webgpu');
    const reported: DeviceLostError[] = [];
    await watchDeviceLoss({ device: selection.webgpu!.device, lost: Promise.resolve(new DeviceLostError('destroyed', '')) }, (e) => reported.push(e));
    expect(reported).toEqual([]);
    expect(tf.findBackendFactory('webgpu')).not.toBeNull();
  });
});

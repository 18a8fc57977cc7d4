import './node-gpu.ts';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { type AdapterDescription, chooseStartingBackend, softwareAdapterReason } from './backend-choice.ts';
import { createBackend } from './device.ts';

const hardware = (vendor: string, architecture: string): AdapterDescription => ({ vendor, architecture, device: '', description: '', isFallbackAdapter: false });

/** A WebGPU entry point whose one adapter reports `info` (for the choice alone; nothing runs on it). */
function gpuWithAdapter(info: AdapterDescription): GPU {
  return { requestAdapter: async () => ({ info }) } as unknown as GPU;
}

describe('softwareAdapterReason', () => {
  it('calls fallback adapters and software renderers software, real GPUs not', () => {
    expect(softwareAdapterReason(hardware('nvidia', 'ampere'))).toBeNull();
    expect(softwareAdapterReason(hardware('apple', 'metal-3'))).toBeNull();
    expect(softwareAdapterReason(hardware('intel', 'gen-12lp'))).toBeNull();
    expect(softwareAdapterReason({ ...hardware('google', 'swiftshader'), isFallbackAdapter: true })).toMatch(/fallback/);
    expect(softwareAdapterReason(hardware('google', 'swiftshader'))).toMatch(/software renderer.*swiftshader/);
    expect(softwareAdapterReason({ vendor: 'mesa', architecture: '', device: 'llvmpipe (LLVM 15.0.6, 256 bits)', description: '' })).toMatch(/software/);
    expect(softwareAdapterReason({ vendor: 'microsoft', architecture: '', device: '', description: 'Microsoft Basic Render Driver' })).toMatch(/software/);
  });
});

describe('chooseStartingBackend', () => {
  it("'auto' starts from webgpu on a hardware adapter and from wasm on a software one or without WebGPU", async () => {
    expect((await chooseStartingBackend('auto', gpuWithAdapter(hardware('amd', 'rdna-3')))).kind).toBe('webgpu');
    expect((await chooseStartingBackend('auto', gpuWithAdapter({ ...hardware('google', 'swiftshader'), isFallbackAdapter: true }))).kind).toBe('wasm');
    expect(await chooseStartingBackend('auto', undefined)).toEqual({ kind: 'wasm', reason: expect.stringMatching(/no WebGPU/) });
    expect((await chooseStartingBackend('auto', { requestAdapter: async () => null } as unknown as GPU)).kind).toBe('wasm');
  });

  it('an explicit backend wins over the adapter', async () => {
    const software = gpuWithAdapter({ ...hardware('google', 'swiftshader'), isFallbackAdapter: true });
    expect(await chooseStartingBackend('webgpu', software)).toEqual({ kind: 'webgpu', reason: 'webgpu was requested' });
    expect((await chooseStartingBackend('cpu', gpuWithAdapter(hardware('nvidia', 'ada')))).kind).toBe('cpu');
  });
});

describe("createBackend on this machine's adapter (Dawn)", () => {
  it("'auto' picks wasm on SwiftShader and webgpu on a real GPU, and says why", async () => {
    const adapter = await navigator.gpu.requestAdapter({ powerPreference: 'high-performance' });
    const onSwiftShader = adapter!.info.architecture === 'swiftshader';
    const selection = await createBackend('auto');
    expect(selection.requested).toBe('auto');
    expect(selection.kind).toBe(onSwiftShader ? 'wasm' : 'webgpu');
    expect(tf.getBackend()).toBe(selection.kind);
    if (onSwiftShader) {
      expect(selection.reason).toMatch(/^auto: the WebGPU adapter is a fallback \(software\) adapter \(google · swiftshader.*WebAssembly is faster there; wasm/);
      expect(selection.wasm!.threads).toBeGreaterThanOrEqual(1);
      expect(selection.reason).toContain(`${selection.wasm!.threads} thread`);
    } else {
      expect(selection.reason).toMatch(/^auto: a hardware GPU adapter/);
    }
    expect(Array.from(await tf.add(tf.ones([2]), 1).data())).toEqual([2, 2]);
  });

  it("an explicit 'webgpu' still gives webgpu on SwiftShader", async () => {
    const selection = await createBackend('webgpu');
    expect(selection.kind).toBe('webgpu');
    expect(selection.reason).toBe('webgpu was requested');
    expect(tf.getBackend()).toBe('webgpu');
  });
});

// The engine's compute backend. For WebGPU the engine creates its own GPUDevice (with `shader-f16`
// when the adapter has it, and the adapter's largest buffer and workgroup-memory limits, which the
// defaults would cap at 128–256 MiB and 16 KiB) and hands it to tfjs as the `webgpu` backend.
// `createBackend` starts from the requested backend ('auto': runtime/backend-choice.ts), falls back
// webgpu → wasm → cpu and says why at each step.
import * as tf from '@tensorflow/tfjs';
import { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { DeviceLostError } from '../errors.ts';
import { webGpuBackendRunsOn } from './tfjs-internals.ts';
import { type BackendRequest, chooseStartingBackend } from './backend-choice.ts';

import type { BackendKind } from './backend-choice.ts';
export type { BackendKind };

/** The device limits the engine raises to the adapter's maximum. */
export interface GpuLimits {
  maxBufferSize: number;
  maxStorageBufferBindingSize: number;
  maxComputeWorkgroupStorageSize: number;
  maxComputeInvocationsPerWorkgroup: number;
  maxComputeWorkgroupSizeX: number;
  maxComputeWorkgroupsPerDimension: number;
}

export interface GpuCapabilities {
  /**
   * `shader-f16` is enabled on the device (f16 arithmetic in WGSL). The engine's f16 weight storage
   * does not need it: it packs halves into u32 words with core WGSL (`kernels/f16-pairs.ts`).
   */
  f16: boolean;
  limits: GpuLimits;
  adapterInfo: { vendor: string; architecture: string; device: string; description: string };
}

export interface WebGpuRuntime {
  adapter: GPUAdapter;
  device: GPUDevice;
  capabilities: GpuCapabilities;
  /** Settles when the device is lost; `reason` is 'destroyed' after a deliberate `device.destroy()`. */
  lost: Promise<DeviceLostError>;
}

/** How tfjs's wasm backend runs: threads need a cross-origin-isolated page (COOP/COEP headers). */
export interface WasmRuntime {
  simd: boolean;
  threads: number;
}

export interface BackendSelection {
  /** The tfjs backend now active. */
  kind: BackendKind;
  requested: BackendRequest;
  /** Why `kind` runs, in words for the user (the choice, any fallback, wasm's threads). */
  reason: string;
  /** Why each preferred backend was skipped, in order; empty when the first one tried works. */
  fallbackReasons: string[];
  /** Present when `kind` is 'webgpu'. */
  webgpu?: WebGpuRuntime;
  /** Present when `kind` is 'wasm'. */
  wasm?: WasmRuntime;
}

export interface BackendOptions {
  /** The WebGPU entry point; defaults to `navigator.gpu`. */
  gpu?: GPU;
  /** Where the tfjs wasm binaries are served from (browsers; Node finds them itself). */
  wasmPaths?: string;
  /** Called once if the WebGPU device is lost while in use (not after a deliberate destroy). */
  onDeviceLost?: (error: DeviceLostError) => void;
  /**
   * Request `timestamp-query` when the adapter offers it, so that `tf.profile` reports each kernel's
   * GPU time (the benchmark's op profile). Off in the product: timing adds a submit per kernel.
   */
  timestampQueries?: boolean;
}

const RAISED_LIMITS: (keyof GpuLimits)[] = [
  'maxBufferSize',
  'maxStorageBufferBindingSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupsPerDimension',
];

/** Thrown inside the fallback chain when WebGPU cannot be used; its message becomes a fallback reason. */
class WebGpuUnavailable extends Error {}

/**
 * Requests an adapter and a device with `shader-f16` (when offered), the adapter's maximum limits,
 * and `timestamp-query` when asked for and offered.
 */
export async function createWebGpuDevice(gpu: GPU | undefined = globalThis.navigator?.gpu, options: { timestampQueries?: boolean } = {}): Promise<WebGpuRuntime> {
  if (gpu === undefined) throw new WebGpuUnavailable('this environment has no WebGPU (navigator.gpu is missing)');
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (adapter === null) throw new WebGpuUnavailable('WebGPU is present but no GPU adapter is available');
  const f16 = adapter.features.has('shader-f16');
  const requiredLimits: Record<string, number> = {};
  for (const name of RAISED_LIMITS) requiredLimits[name] = adapter.limits[name];
  const device = await adapter.requestDevice({
    label: 'webglip',
    requiredFeatures: [
      ...(f16 ? (['shader-f16'] as const) : []),
      ...(options.timestampQueries && adapter.features.has('timestamp-query') ? (['timestamp-query'] as const) : []),
    ],
    requiredLimits,
  });
  const limits = Object.fromEntries(RAISED_LIMITS.map((name) => [name, device.limits[name]])) as unknown as GpuLimits;
  const { vendor, architecture, device: deviceName, description } = adapter.info;
  const lost = device.lost.then((info) => new DeviceLostError(info.reason, info.message));
  return { adapter, device, capabilities: { f16, limits, adapterInfo: { vendor, architecture, device: deviceName, description } }, lost };
}

/** Makes `runtime.device` tfjs's `webgpu` backend (replacing any registered one) and activates it. */
export async function registerWebGpuBackend(runtime: WebGpuRuntime): Promise<void> {
  if (tf.findBackendFactory('webgpu') !== null) tf.removeBackend('webgpu');
  // Every op on the GPU: tfjs would otherwise run ops on small CPU-resident inputs on the CPU.
  tf.env().set('WEBGPU_CPU_FORWARD', false);
  tf.registerBackend('webgpu', () => new WebGPUBackend(runtime.device, runtime.adapter.info), 3);
  if (!(await tf.setBackend('webgpu'))) throw new WebGpuUnavailable('tfjs could not initialise its webgpu backend on the device');
}

/**
 * When `runtime`'s device is lost other than by a deliberate destroy: removes its tfjs backend (its
 * buffers died with the device; a later `createBackend` starts afresh) and calls `onDeviceLost`.
 */
export async function watchDeviceLoss(runtime: Pick<WebGpuRuntime, 'device' | 'lost'>, onDeviceLost?: (error: DeviceLostError) => void): Promise<void> {
  const error = await runtime.lost;
  if (error.reason === 'destroyed') return;
  if (webGpuBackendRunsOn(runtime.device)) tf.removeBackend('webgpu');
  onDeviceLost?.(error);
}

async function activateWebGpu(options: BackendOptions): Promise<WebGpuRuntime> {
  const runtime = await createWebGpuDevice(options.gpu, { timestampQueries: options.timestampQueries });
  await registerWebGpuBackend(runtime);
  void watchDeviceLoss(runtime, options.onDeviceLost);
  return runtime;
}

async function activateWasm(options: BackendOptions): Promise<WasmRuntime> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  if (options.wasmPaths !== undefined) wasm.setWasmPaths(options.wasmPaths);
  // Threads: tfjs's own choice on a cross-origin-isolated page, half the logical cores (at most 8). One thread
  // per core was measured no faster on 2 cores (tools/bench/RESULTS.md, `pnpm bench:wasm-threads`).
  if (!(await tf.setBackend('wasm'))) throw new Error('tfjs could not initialise its wasm backend');
  await tf.ready();
  return { simd: (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true, threads: wasm.getThreadsCount() };
}

/** `wasm`'s threads in words, with why there is only one where a page could have more. */
function describeWasm({ simd, threads }: WasmRuntime): string {
  let why = '';
  const isolated = globalThis.crossOriginIsolated;
  if (threads === 1 && isolated === false) why = ' (the page is not cross-origin isolated: COOP/COEP headers missing)';
  else if (threads === 1 && isolated === true && tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT') === false) why = " (this browser's WebAssembly has no threads)";
  else if (isolated === true) why = ` (tfjs takes half of the ${globalThis.navigator?.hardwareConcurrency} logical cores)`;
  return `wasm${simd ? ' SIMD' : ''}, ${threads} thread${threads === 1 ? '' : 's'}${why}`;
}

const FALLBACK_ORDER: BackendKind[] = ['webgpu', 'wasm', 'cpu'];

/**
 * Activates `requested` as tfjs's backend ('auto': the fastest for this machine, runtime/backend-choice.ts),
 * or the next that works in the order webgpu → wasm → cpu, and reports what it got and why.
 */
export async function createBackend(requested: BackendRequest, options: BackendOptions = {}): Promise<BackendSelection> {
  const start = await chooseStartingBackend(requested, options.gpu ?? globalThis.navigator?.gpu);
  const fallbackReasons: string[] = [];
  const reason = (detail?: string): string =>
    [start.reason, ...fallbackReasons.map((r) => `fell back from ${r}`), ...(detail === undefined ? [] : [detail])].join('; ');
  for (const kind of FALLBACK_ORDER.slice(FALLBACK_ORDER.indexOf(start.kind))) {
    try {
      if (kind === 'webgpu') {
        const webgpu = await activateWebGpu(options);
        return { kind, requested, reason: reason(), fallbackReasons, webgpu };
      }
      if (kind === 'wasm') {
        const wasm = await activateWasm(options);
        return { kind, requested, reason: reason(describeWasm(wasm)), fallbackReasons, wasm };
      }
      if (!(await tf.setBackend('cpu'))) throw new Error('tfjs could not initialise its cpu backend');
      await tf.ready();
      return { kind, requested, reason: reason(), fallbackReasons };
    } catch (e) {
      fallbackReasons.push(`${kind}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  throw new Error(`no tfjs backend could be initialised: ${fallbackReasons.join('; ')}`);
}

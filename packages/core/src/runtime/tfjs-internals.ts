// The one seam to tfjs internals. tfjs has no public API for what the engine needs from its webgpu
// backend — the GPU buffer behind a tensor, the lazily submitted command encoder, the timers of
// tf.profile, the pipeline cache, the buffer pool, the engine's live-byte count — so this file reads
// them, written against tfjs 4.22.0 (the version the project pins). It is the only file allowed to
// cast tfjs's backend or engine (a lint rule, eslint.config.js, keeps such casts out of every other
// file). Each function first checks that the loaded tfjs is the version it was written for and throws
// `TfjsVersionError` otherwise: a tfjs upgrade must re-read tfjs's source and this file together.
//
// What is read (tfjs-backend-webgpu 4.22.0, src/backend_webgpu.ts and src/buffer_manager.ts):
//   backend.tensorMap.get(dataId) → { dtype, resource }     the dtype of the data, its GPUBuffer
//   backend.uploadToGPU, ensureCommandEncoderReady, endComputePassEncoder, submitQueue
//   backend.activeTimers, supportTimestampQuery, querySet, querySetCount, getQueryTime()
//   backend.pipelineCache                                     { key: pipeline | Promise<pipeline> }
//   backend.checkCompileCompletionAsync()
//   backend.bufferManager.{ freeBuffers, numFreeBuffers, numBytesAllocated }
//   engine.runKernelFunc, engine.state.numBytes                (tfjs-core 4.22.0, src/engine.ts)
import * as tf from '@tensorflow/tfjs';
import type { TensorInfo } from '@tensorflow/tfjs';
// Type only: tfjs-backend-webgpu registers its backend when imported, and only if navigator.gpu exists
// by then (in Node, runtime/node-gpu.ts must run first), so this file must not import it as a value.
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { TfjsVersionError } from '../errors.ts';

/** The tfjs version this file was written against. */
export const TFJS_VERSION = '4.22.0';

/** The private fields of WebGPUBackend read here (its public d.ts types the rest). */
interface BackendPrivates {
  activeTimers: { name: string; query: Promise<number> }[] | null;
  supportTimestampQuery: boolean;
  querySet: GPUQuerySet | null;
  querySetCount: number;
  getQueryTime(): Promise<number>;
  pipelineCache: Record<string, GPUComputePipeline | Promise<GPUComputePipeline>>;
  bufferManager?: { freeBuffers: Map<string, GPUBuffer[]>; numFreeBuffers: number; numBytesAllocated: number };
}

interface EnginePrivates {
  runKernelFunc: (...args: unknown[]) => unknown;
  state: { numBytes: number };
}

let versionChecked = false;

function checkVersion(): void {
  if (versionChecked) return;
  // tfjs-backend-webgpu exports no version; package.json pins it with tfjs, so tfjs-core's stands for both.
  const other = [tf.version_core].find((v) => v !== TFJS_VERSION);
  if (other !== undefined) throw new TfjsVersionError(`webglip reads tfjs internals written for tfjs ${TFJS_VERSION}, but tfjs ${other} is loaded: install @tensorflow/tfjs* ${TFJS_VERSION}`);
  versionChecked = true;
}

/** tfjs's active backend when it is `webgpu`, else null. */
export function activeWebGpuBackend(): WebGPUBackend | null {
  checkVersion();
  return tf.getBackend() === 'webgpu' ? (tf.backend() as WebGPUBackend) : null;
}

/** The backend a kernel function of the `webgpu` backend receives, typed. */
export function asWebGpuBackend(backend: unknown): WebGPUBackend {
  checkVersion();
  if (backend === null || backend !== tf.findBackend('webgpu')) throw new Error('a webgpu kernel ran on another backend');
  return backend as WebGPUBackend;
}

/** The device of tfjs's active `webgpu` backend, if that is the active backend. */
export function activeWebGpuDevice(): GPUDevice | undefined {
  return activeWebGpuBackend()?.device;
}

/** Whether tfjs's registered `webgpu` backend (active or not) runs on `device`. */
export function webGpuBackendRunsOn(device: GPUDevice): boolean {
  checkVersion();
  if (tf.findBackendFactory('webgpu') === null) return false;
  const backend = tf.findBackend('webgpu') as WebGPUBackend | null;
  return backend?.device === device;
}

/** Whether tfjs is recording a gradient tape now (inside tf.grad / variableGrads, outside a kernel). */
export function recordingGradients(): boolean {
  return (tf.engine() as unknown as { isTapeOn(): boolean }).isTapeOn();
}

/**
 * The dtype of the data behind a tensor as the active backend holds it (null off webgpu):
 * tfjs-webgpu's cast to a wider type is a view of the same buffer, so a float32 tensor may hold int32.
 */
export function heldDtype(t: tf.Tensor): string | null {
  const backend = activeWebGpuBackend();
  return backend?.tensorMap.get(t.dataId)?.dtype ?? null;
}

/** The GPU buffer behind a tensor of the webgpu backend (uploaded first if it still lives on the CPU). */
export function gpuBufferOf(backend: WebGPUBackend, t: TensorInfo): GPUBuffer {
  backend.uploadToGPU(t.dataId);
  const resource = backend.tensorMap.get(t.dataId).resource;
  if (!(resource instanceof GPUBuffer)) throw new Error(`tensor ${JSON.stringify(t.shape)} is not held in a GPU buffer`);
  return resource;
}

/** Submits the work tfjs has recorded but not yet submitted, so work submitted after it runs after it. */
export function submitTfjsWork(backend: WebGPUBackend): void {
  backend.ensureCommandEncoderReady();
  backend.endComputePassEncoder();
  backend.submitQueue();
}

/** Resolves once every GPU command recorded so far has run (no-op off webgpu). */
export async function gpuWorkDone(): Promise<void> {
  const backend = activeWebGpuBackend();
  if (backend === null) return;
  submitTfjsWork(backend);
  await backend.device.queue.onSubmittedWorkDone();
}

/**
 * While tfjs times kernels (tf.profile, tf.time) on a device with timestamp queries: the query set
 * a pass writes its start and end into, and `record`, which adds the pass's time to tfjs's timers
 * as tfjs does for its own programs (so fused kernels get a kernelTimeMs too). Null otherwise.
 */
export function profilingTimer(backend: WebGPUBackend): { querySet: GPUQuerySet; record(name: string): void } | null {
  const timers = backend as unknown as BackendPrivates;
  const active = timers.activeTimers;
  if (active == null || !timers.supportTimestampQuery) return null;
  timers.querySet ??= backend.device.createQuerySet({ type: 'timestamp', count: timers.querySetCount });
  return {
    querySet: timers.querySet,
    record: (name) => {
      backend.ensureCommandEncoderReady(); // getQueryTime resolves the query set on tfjs's encoder
      active.push({ name, query: timers.getQueryTime() });
    },
  };
}

/** tfjs's compiled programs on the active webgpu backend (pipelines, or promises of them during a compile-only pass); null off WebGPU. */
export function pipelineCache(): BackendPrivates['pipelineCache'] | null {
  const backend = activeWebGpuBackend();
  return backend === null ? null : (backend as unknown as BackendPrivates).pipelineCache;
}

/** Waits until every pipeline of a compile-only pass is compiled. */
export async function compileCompletion(): Promise<void> {
  await activeWebGpuBackend()?.checkCompileCompletionAsync();
}

/**
 * Destroys the buffers tfjs-webgpu pools for reuse (none backs a live tensor; tfjs never gives them
 * back itself) and returns their bytes; 0 off webgpu. Call it when no GPU work that freed them is
 * still being encoded (after a read-back): WebGPU frees a destroyed buffer once submitted work using
 * it has completed.
 */
export function releasePooledBuffers(): number {
  const backend = activeWebGpuBackend();
  if (backend === null) return 0;
  const pool = (backend as unknown as BackendPrivates).bufferManager;
  if (!(pool?.freeBuffers instanceof Map)) throw new TfjsVersionError('releasePooledBuffers: tfjs-webgpu has no bufferManager.freeBuffers');
  let bytes = 0;
  for (const buffers of pool.freeBuffers.values()) {
    for (const buffer of buffers) {
      bytes += buffer.size;
      buffer.destroy();
    }
    buffers.length = 0; // the keys stay: tfjs reads an empty map as a disposed manager
  }
  pool.numFreeBuffers = 0;
  pool.numBytesAllocated -= bytes;
  return bytes;
}

/**
 * Tracks the largest live-tensor byte count after any kernel (what tf.profile reports as peakBytes),
 * without profiling: `peak()` reads it, `stop()` restores the engine.
 */
export function watchPeakTensorBytes(): { peak(): number; stop(): void } {
  checkVersion();
  const engine = tf.engine() as unknown as EnginePrivates;
  const original = engine.runKernelFunc;
  let peak = engine.state.numBytes;
  engine.runKernelFunc = (...args: unknown[]) => {
    const out = original.apply(engine, args);
    peak = Math.max(peak, engine.state.numBytes);
    return out;
  };
  return { peak: () => peak, stop: () => void (engine.runKernelFunc = original) };
}

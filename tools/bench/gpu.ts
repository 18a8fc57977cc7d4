// GPU bookkeeping for the benchmarks: wait for queued work (so a wall time covers the GPU work it
// launched), memory figures, and a fresh WebGPU backend per measured mode.
import * as tf from '@tensorflow/tfjs';
import type { BackendKind, GpuCapabilities } from '@webglip/core/engine';
import { createBackend } from '@webglip/core/engine';
import { gpuWorkDone } from '@webglip/core/engine';

export interface MemoryFigures {
  /** Tensors tfjs tracks. */
  tensors: number;
  /** Bytes of those tensors. */
  tensorBytes: number;
  /** GPU bytes tfjs holds, free buffers in its pool included (webgpu only, else 0). */
  gpuBytesAllocated: number;
}

/** Resolves once every GPU command recorded so far has run (no-op on CPU backends). */
export const settle = gpuWorkDone;

/** Wall time of `fn` in ms, GPU work included. */
export async function timed<T>(fn: () => Promise<T> | T): Promise<{ ms: number; value: T }> {
  await settle();
  const started = performance.now();
  const value = await fn();
  await settle();
  return { ms: performance.now() - started, value };
}

export function memoryFigures(): MemoryFigures {
  const m = tf.memory() as tf.MemoryInfo & { numBytesAllocatedInGPU?: number };
  return { tensors: m.numTensors, tensorBytes: m.numBytes, gpuBytesAllocated: m.numBytesAllocatedInGPU ?? 0 };
}

/**
 * A fresh backend (a new GPUDevice for webgpu: empty pipeline cache and buffer pool), with timestamp
 * queries when the adapter offers them (for the op profile; untimed runs do not use them).
 */
export async function freshBackend(kind: BackendKind): Promise<GpuCapabilities | null> {
  const selection = await createBackend(kind, { timestampQueries: true });
  if (selection.kind !== kind) throw new Error(`backend ${kind} unavailable: ${selection.fallbackReasons.join('; ')}`);
  return selection.webgpu?.capabilities ?? null;
}

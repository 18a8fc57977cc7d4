// Where one inference's time goes, op by op: the staged inference (staged-inference.ts) with each
// stage under tf.profile. On a WebGPU device with timestamp queries (the bench asks for them) tfjs
// times every kernel it dispatches on the GPU, and the engine's fused WGSL kernels join in
// (run-wgsl.ts); on the cpu backend tfjs times kernels on the CPU; on WebGPU without timestamp
// queries only the op counts remain. Every timed kernel is submitted and resolved on its own, so this
// run is slower than an untimed one; its wall times are not reported.
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { round } from './stats.ts';

export interface OpTime {
  op: string;
  calls: number;
  kernelMs: number;
}

export interface StageOps {
  /** Kernels tfjs ran in the stage (shape-only ones such as Reshape included). */
  ops: number;
  /** Sum of the kernels' times (GPU timestamps on webgpu, CPU on cpu); null on webgpu without timestamp queries. */
  kernelMs: number | null;
  /** The ops with the most time, summed over their calls, largest first (none when untimed). */
  top: OpTime[];
}

/** How many ops per stage the report keeps. */
const TOP_OPS = 4;

/** Whether tfjs's kernel times mean anything on the active backend. */
function kernelsTimed(): boolean {
  return tf.getBackend() !== 'webgpu' || (tf.backend() as WebGPUBackend).device.features.has('timestamp-query');
}

/** A stage wrapper for `stagedInference` that records each stage's ops and kernel times into `into`. */
export function opProfilingStage(into: Map<string, StageOps>): <T>(name: string, fn: () => T) => Promise<T> {
  return async <T>(name: string, fn: () => T): Promise<T> => {
    const timed = kernelsTimed();
    const profile = await tf.profile(async () => (await fn()) as tf.TensorContainer);
    const byOp = new Map<string, OpTime>();
    let total = 0;
    for (const kernel of profile.kernels) {
      const ms = typeof kernel.kernelTimeMs === 'number' ? kernel.kernelTimeMs : 0; // tf.profile has awaited it
      total += ms;
      const entry = byOp.get(kernel.name) ?? { op: kernel.name, calls: 0, kernelMs: 0 };
      entry.calls++;
      entry.kernelMs += ms;
      byOp.set(kernel.name, entry);
    }
    const top = timed ? [...byOp.values()].sort((a, b) => b.kernelMs - a.kernelMs).slice(0, TOP_OPS).map((o) => ({ ...o, kernelMs: round(o.kernelMs) })) : [];
    into.set(name, { ops: profile.kernels.length, kernelMs: timed ? round(total) : null, top });
    return profile.result as T;
  };
}

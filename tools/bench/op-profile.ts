// Where one inference's time goes, op by op: the staged inference (staged-inference.ts) with each
// stage under tf.profile. On a WebGPU device with timestamp queries (the bench asks for them) tfjs
// times every kernel it dispatches on the GPU, and the engine's fused WGSL kernels join in
// (run-wgsl.ts); on the cpu backend tfjs times kernels on the CPU; on WebGPU without timestamp
// queries only the op counts remain. Every timed kernel is submitted and resolved on its own, so this
// run is slower than an untimed one; its wall times are not reported.
import * as tf from '@tensorflow/tfjs';
import { activeWebGpuDevice } from '@webglip/core/engine';
import type { StageWrapper } from './staged-inference.ts';
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
  return tf.getBackend() !== 'webgpu' || activeWebGpuDevice()?.features.has('timestamp-query') === true;
}

/**
 * A stage wrapper for `stagedInference` that records each stage's ops and kernel times into `into`;
 * stages of the same name (BERT's layers) add up.
 */
export function opProfilingStage(into: Map<string, StageOps>): StageWrapper {
  const opsByName = new Map<string, { count: number; kernelMs: number; byOp: Map<string, OpTime> }>();
  return async (fn) => {
    let name: string | null = null;
    const profile = await tf.profile(async () => {
      name = await fn();
    });
    if (name === null) return;
    const acc = opsByName.get(name) ?? { count: 0, kernelMs: 0, byOp: new Map<string, OpTime>() };
    opsByName.set(name, acc);
    acc.count += profile.kernels.length;
    for (const kernel of profile.kernels) {
      const ms = typeof kernel.kernelTimeMs === 'number' ? kernel.kernelTimeMs : 0; // tf.profile has awaited it
      acc.kernelMs += ms;
      const entry = acc.byOp.get(kernel.name) ?? { op: kernel.name, calls: 0, kernelMs: 0 };
      entry.calls++;
      entry.kernelMs += ms;
      acc.byOp.set(kernel.name, entry);
    }
    const timed = kernelsTimed();
    const top = timed ? [...acc.byOp.values()].sort((a, b) => b.kernelMs - a.kernelMs).slice(0, TOP_OPS).map((o) => ({ ...o, kernelMs: round(o.kernelMs) })) : [];
    into.set(name, { ops: acc.count, kernelMs: timed ? round(acc.kernelMs) : null, top });
  };
}

// Compiling the GPU pipelines of a computation without running it: tfjs-backend-webgpu's compile-only
// mode (`WEBGPU_ENGINE_COMPILE_ONLY`) creates each tfjs program's pipeline asynchronously, all in
// parallel, and dispatches nothing; our WGSL kernels (kernels/run-wgsl.ts) build their pipelines and
// dispatch nothing either. Tensors made in this mode have shapes but no contents: a pass may not
// read data back, and weights.prepared() leaves its preparations for after the pass.
import * as tf from '@tensorflow/tfjs';
import { compileCompletion, pipelineCache } from './tfjs-internals.ts';

const COMPILE_ONLY = 'WEBGPU_ENGINE_COMPILE_ONLY';

/** Whether a compile-only pass is recording (the flag only exists once tfjs-backend-webgpu is loaded). */
export function compileOnlyActive(): boolean {
  return tf.env().getFlags()[COMPILE_ONLY] === true;
}

/** tfjs pipelines compiled (or being compiled) on the active webgpu backend; 0 off WebGPU. */
export function tfjsPipelineCount(): number {
  const cache = pipelineCache();
  return cache === null ? 0 : Object.keys(cache).length;
}

/**
 * Records `pass` in compile-only mode, then waits until every tfjs pipeline it asked for is compiled,
 * calling `onProgress(compiled, total)` as they complete (total = pipelines this pass added).
 * `pass` must be synchronous and read nothing back; it returns the tensors it made, which are
 * disposed. Off WebGPU (nothing to compile) `pass` is not run and the result is 0.
 */
export async function compilePipelines(pass: () => tf.Tensor[], onProgress?: (compiled: number, total: number) => void): Promise<number> {
  const cache = pipelineCache();
  if (cache === null) return 0;
  const flags = tf.env().getFlags();
  const cpuForward = flags.WEBGPU_CPU_FORWARD;
  tf.env().set(COMPILE_ONLY, true);
  // CPU forwarding would read the (never written) outputs of compile-only programs back to the CPU.
  tf.env().set('WEBGPU_CPU_FORWARD', false);
  try {
    tf.dispose(tf.tidy(pass));
  } finally {
    tf.env().set(COMPILE_ONLY, false);
    if (cpuForward !== undefined) tf.env().set('WEBGPU_CPU_FORWARD', cpuForward);
  }
  const compiling = Object.values(cache).filter((p): p is Promise<GPUComputePipeline> => p instanceof Promise);
  let compiled = 0;
  onProgress?.(0, compiling.length);
  for (const p of compiling) void p.then(() => onProgress?.(++compiled, compiling.length), () => undefined);
  await compileCompletion();
  return compiling.length;
}

// Runs a complete WGSL module from `shaders/` on tfjs's `webgpu` backend: tfjs tensors in, new
// tfjs tensors out (float32, or int32 holding packed bits such as f16 pairs), one or more compute
// passes recorded into one command buffer.
//
// Why not tfjs's own `WebGPUProgram`: tfjs wraps a snippet in a generated `main` with one output
// and its own bindings, so a shader file could not be a readable module on its own, and kernels
// with two outputs or two passes (bi-directional attention) would not fit. Here each module declares
// its bindings in group 0: inputs (read-only storage), outputs (read_write storage) and one uniform
// struct `params`, and its sizes as `override` constants. Tensors are bound BY NAME: a run gives
// `inputs` and `outputs` keyed by the module's variable names, and the names are checked against the
// module's declarations (wgsl-bindings.ts) before anything is bound.
//
// Ordering with tfjs: tfjs batches its dispatches in a command encoder it submits lazily. Before
// recording, the inputs are uploaded and tfjs's pending work is submitted, so our command buffer
// lands after everything that produced the inputs, and before anything tfjs records later.
import * as tf from '@tensorflow/tfjs';
import type { TensorInfo } from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { activeWebGpuBackend, asWebGpuBackend, gpuBufferOf, profilingTimer, submitTfjsWork } from '../runtime/tfjs-internals.ts';
import { checkBindings, givenName, type WgslBinding, wgslBindings } from './wgsl-bindings.ts';

export interface WgslPass {
  entryPoint: string;
  /** Workgroup counts; see `grid2d` for counts above the per-dimension limit. */
  workgroups: [number, number, number];
}

export interface WgslRun {
  /** Names the module in pipeline caches and GPU error messages. */
  label: string;
  /** The complete module source (`shaders/<name>.wgsl`). */
  code: string;
  /** Values of the module's `override` constants; each distinct set compiles its own pipelines. */
  constants: Record<string, number>;
  /** The module's read-only storage bindings by name: float32 (or int32 for packed bits) tensors of the webgpu backend. */
  inputs: Record<string, TensorInfo>;
  /** The module's read_write storage bindings by name, with the shapes of the new tensors made for them (returned in this order). */
  outputs: Record<string, number[]>;
  /** The outputs' dtype: float32 (default), or int32 for packed bits the shader writes as u32. */
  outputDtype?: 'float32' | 'int32';
  /** Contents of the uniform `params` struct, bound last (4-byte scalars, see `packParams`). */
  params: ArrayBuffer;
  passes: WgslPass[];
}

interface CompiledModule {
  bindings: WgslBinding[];
  layout: GPUBindGroupLayout;
  pipelineLayout: GPUPipelineLayout;
  module: GPUShaderModule;
  pipelines: Map<string, GPUComputePipeline>;
}

const compiled = new WeakMap<GPUDevice, Map<string, CompiledModule>>();

/** Packs 4-byte scalars of a uniform struct in declaration order, padded to 16 bytes. */
export function packParams(fields: ReadonlyArray<['u32' | 'i32' | 'f32', number]>): ArrayBuffer {
  const buffer = new ArrayBuffer(Math.max(16, Math.ceil(fields.length / 4) * 16));
  const view = new DataView(buffer);
  fields.forEach(([type, value], i) => {
    if (type === 'f32') view.setFloat32(i * 4, value, true);
    else if (type === 'i32') view.setInt32(i * 4, value, true);
    else view.setUint32(i * 4, value, true);
  });
  return buffer;
}

/** Lays `count` workgroups over x and y so that neither exceeds the 65535 per-dimension limit. */
export function grid2d(count: number): [number, number, number] {
  const x = Math.min(Math.max(count, 1), 65535);
  return [x, Math.ceil(Math.max(count, 1) / x), 1];
}

function moduleFor(device: GPUDevice, run: WgslRun): CompiledModule {
  let byKey = compiled.get(device);
  if (byKey === undefined) compiled.set(device, (byKey = new Map()));
  const key = `${run.label}|${JSON.stringify(run.constants)}`;
  let entry = byKey.get(key);
  if (entry === undefined) {
    const bindings = wgslBindings(run.label, run.code);
    const type = { input: 'read-only-storage', output: 'storage', uniform: 'uniform' } as const;
    const layout = device.createBindGroupLayout({
      label: run.label,
      entries: bindings.map((b) => ({ binding: b.binding, visibility: GPUShaderStage.COMPUTE, buffer: { type: type[b.kind] } })),
    });
    entry = {
      bindings,
      layout,
      pipelineLayout: device.createPipelineLayout({ label: run.label, bindGroupLayouts: [layout] }),
      module: device.createShaderModule({ label: run.label, code: run.code }),
      pipelines: new Map(),
    };
    byKey.set(key, entry);
  }
  checkBindings(run.label, entry.bindings, Object.keys(run.inputs), Object.keys(run.outputs));
  return entry;
}

function pipelineFor(device: GPUDevice, compiledModule: CompiledModule, run: WgslRun, entryPoint: string): GPUComputePipeline {
  let pipeline = compiledModule.pipelines.get(entryPoint);
  if (pipeline === undefined) {
    pipeline = device.createComputePipeline({
      label: `${run.label}.${entryPoint}`,
      layout: compiledModule.pipelineLayout,
      compute: { module: compiledModule.module, entryPoint, constants: run.constants },
    });
    compiledModule.pipelines.set(entryPoint, pipeline);
  }
  return pipeline;
}

/** Records and submits the passes; returns the outputs as tfjs tensor infos owned by the backend. */
export function runWgsl(backend: WebGPUBackend, run: WgslRun): TensorInfo[] {
  for (const [name, t] of Object.entries(run.inputs)) {
    if (t.dtype !== 'float32' && t.dtype !== 'int32') throw new Error(`${run.label}: input "${name}" must be float32 or int32, got ${t.dtype}`);
    if (t.shape.includes(0)) throw new Error(`${run.label}: input "${name}" is empty; ops run their reference for empty tensors`);
  }
  const device = backend.device;
  const compiledModule = moduleFor(device, run);
  const outputs = Object.fromEntries(Object.entries(run.outputs).map(([name, shape]) => [name, backend.makeTensorInfo(shape, run.outputDtype ?? 'float32')]));
  if (tf.env().getBool('WEBGPU_ENGINE_COMPILE_ONLY')) {
    // tfjs's compile-only warm-up: build the pipelines, dispatch nothing (as tfjs's own kernels do).
    for (const p of run.passes) pipelineFor(device, compiledModule, run, p.entryPoint);
    return Object.values(outputs);
  }
  const tensors: Record<string, TensorInfo> = { ...run.inputs, ...outputs };
  const buffers = new Map(Object.entries(tensors).map(([name, t]) => [name, gpuBufferOf(backend, t)]));
  const given = new Set(buffers.keys());
  submitTfjsWork(backend);

  const params = device.createBuffer({
    label: `${run.label}.params`,
    size: run.params.byteLength,
    usage: GPUBufferUsage.UNIFORM,
    mappedAtCreation: true,
  });
  new Uint8Array(params.getMappedRange()).set(new Uint8Array(run.params));
  params.unmap();
  const bindGroup = device.createBindGroup({
    label: run.label,
    layout: compiledModule.layout,
    entries: compiledModule.bindings.map((b) => ({ binding: b.binding, resource: { buffer: b.kind === 'uniform' ? params : buffers.get(givenName(b, given))! } })),
  });
  const encoder = device.createCommandEncoder({ label: run.label });
  const timer = profilingTimer(backend);
  const pass = encoder.beginComputePass({
    label: run.label,
    ...(timer ? { timestampWrites: { querySet: timer.querySet, beginningOfPassWriteIndex: 0, endOfPassWriteIndex: 1 } } : {}),
  });
  pass.setBindGroup(0, bindGroup);
  for (const p of run.passes) {
    pass.setPipeline(pipelineFor(device, compiledModule, run, p.entryPoint));
    pass.dispatchWorkgroups(...p.workgroups);
  }
  pass.end();
  device.queue.submit([encoder.finish()]);
  params.destroy();
  timer?.record(run.label);
  return Object.values(outputs);
}

/** The body of a fused kernel: tfjs tensor infos and attributes in, outputs out. */
export type WgslKernelBody = (inputs: Record<string, TensorInfo>, backend: WebGPUBackend, attrs: Record<string, unknown>) => TensorInfo[];

/**
 * Registers `name` as a tfjs kernel of the `webgpu` backend (once), so that
 * `tf.engine().runKernel(name, inputs, attrs)` tracks its outputs like any tfjs op (tidy, dispose).
 */
export function registerWgslKernel(name: string, body: WgslKernelBody): void {
  if (tf.getKernel(name, 'webgpu') !== undefined) return;
  tf.registerKernel({
    kernelName: name,
    backendName: 'webgpu',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const outputs = body(inputs as Record<string, TensorInfo>, asWebGpuBackend(backend), attrs ?? {});
      return outputs.length === 1 ? outputs[0] : outputs;
    },
  });
}

/** Bytes of workgroup memory a kernel may use on the active `webgpu` backend's device. */
export function workgroupMemoryLimit(): number {
  const backend = activeWebGpuBackend();
  if (backend === null) throw new Error('workgroupMemoryLimit: the active backend is not webgpu');
  return backend.device.limits.maxComputeWorkgroupStorageSize;
}

// The f16-pair weight format (`shaders/f16-pairs.wgsl`): a Linear weight `[N, K]` held on the GPU
// as int32 words `[K/2, N]`, each the two f16 halves W[n, 2p] | W[n, 2p + 1] << 16 — half the
// memory of f32, and exact for weights stored as f16 on disk. Read by `linearF16`. WebGPU only:
// tfjs has no f16 dtype and no bitwise ops on its other backends.
import * as tf from '@tensorflow/tfjs';
import type { TensorInfo } from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import shader from '@webglip/shaders/f16-pairs.wgsl?raw';
import { grid2d, packParams, registerWgslKernel, runWgsl } from './run-wgsl.ts';

const PACK = 'WebglipPackF16Pairs';
const UNPACK = 'WebglipUnpackF16Pairs';
const WORKGROUP_SIZE = 64;

/** W `[N, K]` float32, K even → pairs `[K/2, N]` int32. Values outside f16's range are not representable. */
export function packF16Pairs(weight: tf.Tensor2D): tf.Tensor2D {
  requireWebGpu('packF16Pairs');
  const k = weight.shape[1];
  if (k % 2 !== 0) throw new Error(`packF16Pairs: the input dimension must be even, got ${k}`);
  return tf.engine().runKernel(PACK, { weight }) as tf.Tensor2D;
}

/** pairs `[K/2, N]` int32 → W as `[K, N]` float32 (the `[in, out]` layout tfjs's matmul reads). */
export function unpackF16Pairs(pairs: tf.Tensor2D): tf.Tensor2D {
  requireWebGpu('unpackF16Pairs');
  if (pairs.dtype !== 'int32') throw new Error(`unpackF16Pairs: pairs must be int32, got ${pairs.dtype}`);
  return tf.engine().runKernel(UNPACK, { pairs }) as tf.Tensor2D;
}

function requireWebGpu(op: string): void {
  if (tf.getBackend() !== 'webgpu') throw new Error(`${op} needs the webgpu backend, not ${tf.getBackend()}`);
}

/** One pass of `shaders/f16-pairs.wgsl` over the K/2 · N words (one invocation per word). */
function runPairsPass(backend: WebGPUBackend, entryPoint: 'pack' | 'unpack', input: TensorInfo, outputShape: number[], n: number, half: number): TensorInfo[] {
  return runWgsl(backend, {
    label: 'f16-pairs',
    code: shader,
    constants: { WG: WORKGROUP_SIZE },
    inputs: { src: input },
    outputs: { dst: outputShape },
    outputDtype: entryPoint === 'pack' ? 'int32' : 'float32',
    params: packParams([['u32', n], ['u32', half]]),
    passes: [{ entryPoint, workgroups: grid2d(Math.ceil((n * half) / WORKGROUP_SIZE)) }],
  });
}

registerWgslKernel(PACK, ({ weight }, backend) => {
  const [n, k] = weight.shape;
  return runPairsPass(backend, 'pack', weight, [k / 2, n], n, k / 2);
});

registerWgslKernel(UNPACK, ({ pairs }, backend) => {
  const [half, n] = pairs.shape;
  return runPairsPass(backend, 'unpack', pairs, [2 * half, n], n, half);
});

// Layer normalisation over the last axis: y = (x − mean) / sqrt(var + eps) · gamma + beta, with the
// biased variance (as torch.nn.LayerNorm). The plain-tfjs reference, and the fused kernel
// `shaders/layer-norm.wgsl` that replaces it on the `webgpu` backend while fused kernels are on.
import * as tf from '@tensorflow/tfjs';
import shader from '@webglip/shaders/layer-norm.wgsl?raw';
import { fusedPathActive } from './fused-switch.ts';
import { grid2d, packParams, registerWgslKernel, runWgsl } from './run-wgsl.ts';

const KERNEL_NAME = 'WebglipLayerNorm';
const WORKGROUP_SIZE = 64;
/**
 * Rows up to this many columns are normalised one per invocation (`rowPerInvocation`); wider ones a
 * workgroup per row (`main`). A workgroup per 24-column row left 40 of its 64 threads idle and cost
 * 0.48 s per Swin stage-1 norm of glip-nano on SwiftShader.
 */
const MAX_COLS_PER_INVOCATION = 256;

/** x `[..., C]`, gamma `[C]`, beta `[C]` → `[..., C]`. */
export function layerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, eps: number): tf.Tensor {
  if (fusedPathActive(x, gamma, beta)) return tf.engine().runKernel(KERNEL_NAME, { x, gamma, beta }, { eps }) as tf.Tensor;
  return layerNormReference(x, gamma, beta, eps);
}

/** The plain-tfjs composite the fused kernel must match. */
export function layerNormReference(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, eps: number): tf.Tensor {
  return tf.tidy(() => {
    const axis = x.rank - 1;
    const { mean, variance } = tf.moments(x, axis, true);
    const normed = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps)));
    return tf.add(tf.mul(normed, gamma), beta);
  });
}

registerWgslKernel(KERNEL_NAME, ({ x, gamma, beta }, backend, attrs) => {
  const cols = x.shape[x.shape.length - 1];
  const rows = x.shape.slice(0, -1).reduce((a, b) => a * b, 1);
  return runWgsl(backend, {
    label: 'layer-norm',
    code: shader,
    constants: { WG: WORKGROUP_SIZE },
    inputs: { x, gamma, beta },
    outputs: { y: x.shape },
    params: packParams([
      ['u32', rows],
      ['u32', cols],
      ['f32', attrs.eps as number],
    ]),
    passes: [
      cols <= MAX_COLS_PER_INVOCATION
        ? { entryPoint: 'rowPerInvocation', workgroups: grid2d(Math.ceil(rows / WORKGROUP_SIZE)) }
        : { entryPoint: 'main', workgroups: grid2d(rows) },
    ],
  });
});

// Group normalisation of one NHWC map with per-channel affine (nn.GroupNorm, DyHead's Conv3x3Norm):
// the plain-tfjs reference, and the fused kernel `shaders/group-norm.wgsl` (one dispatch instead of
// tfjs's ten ops) that replaces it on the `webgpu` backend while fused kernels are on.
import * as tf from '@tensorflow/tfjs';
import shader from '@webglip/shaders/group-norm.wgsl?raw';
import { fusedPathActive } from './fused-switch.ts';
import { packParams, registerWgslKernel, runWgsl } from './run-wgsl.ts';

const KERNEL_NAME = 'WebglipGroupNorm';
const WORKGROUP_SIZE = 64;

/** x `[1, H, W, C]`, gamma `[C]`, beta `[C]`, `groups` dividing C → `[1, H, W, C]`. */
export function groupNorm(x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D, groups: number, eps: number): tf.Tensor4D {
  const c = x.shape[3];
  if (c % groups !== 0 || gamma.shape[0] !== c || beta.shape[0] !== c) {
    throw new Error(`groupNorm: x [${x.shape}] with ${groups} groups does not match gamma [${gamma.shape}] and beta [${beta.shape}]`);
  }
  if (x.shape[0] === 1 && fusedPathActive(x, gamma, beta)) {
    return tf.engine().runKernel(KERNEL_NAME, { x, gamma, beta }, { groups, eps }) as tf.Tensor4D;
  }
  return groupNormReference(x, gamma, beta, groups, eps);
}

/** The plain-tfjs composite the fused kernel must match. */
export function groupNormReference(x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D, groups: number, eps: number): tf.Tensor4D {
  return tf.tidy(() => {
    const [, h, wd, c] = x.shape;
    const grouped = tf.reshape(x, [h * wd, groups, c / groups]);
    // Statistics per group over a [G, H·W·C/G] copy: reducing the last axis is ~4× faster on
    // tfjs-webgpu (SwiftShader) than moments over axes [0, 2] in place.
    const perGroup = tf.reshape(tf.transpose(grouped, [1, 0, 2]), [groups, -1]);
    const moments = tf.moments(perGroup, 1);
    const mean = tf.reshape(moments.mean, [1, groups, 1]);
    const variance = tf.reshape(moments.variance, [1, groups, 1]);
    const normed = tf.reshape(tf.mul(tf.sub(grouped, mean), tf.rsqrt(tf.add(variance, eps))), x.shape);
    // The affine as [1, 1, 1, C]: tfjs-webgpu broadcasts a rank-1 [C] operand ~10× slower (SwiftShader).
    return tf.add(tf.mul(normed, tf.reshape(gamma, [1, 1, 1, c])), tf.reshape(beta, [1, 1, 1, c])) as tf.Tensor4D;
  });
}

registerWgslKernel(KERNEL_NAME, ({ x, gamma, beta }, backend, attrs) => {
  const [, h, w, c] = x.shape;
  const groups = attrs.groups as number;
  return runWgsl(backend, {
    label: 'group-norm',
    code: shader,
    constants: { WG: WORKGROUP_SIZE },
    inputs: { x, gamma, beta },
    outputs: { y: x.shape },
    params: packParams([['u32', h * w], ['u32', c], ['u32', c / groups], ['f32', attrs.eps as number]]),
    passes: [{ entryPoint: 'main', workgroups: [groups, 1, 1] }],
  });
});

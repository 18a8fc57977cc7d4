// Swin window self-attention (WindowAttention.forward in GLIP's swint.py, after the qkv projection):
//   out = softmax(q·kᵀ + bias[h] + mask[w]) · v     per window w and head h
// with q already multiplied by head_dim^−0.5. Plain-tfjs reference, and the fused kernel
// `shaders/window-attention.wgsl` that replaces it on the `webgpu` backend while fused kernels are on.
import * as tf from '@tensorflow/tfjs';
import shader from '../../../../shaders/window-attention.wgsl?raw';
import { fusedPathActive } from './fused-switch.ts';
import { grid2d, packParams, registerWgslKernel, runWgsl } from './run-wgsl.ts';

const KERNEL_NAME = 'WebglipWindowAttention';
const WORKGROUP_SIZE = 64;
/** Largest head dimension the kernel holds in registers (`MAX_D` in the shader); it must also be a multiple of 4. */
const MAX_HEAD_DIM = 32;

/**
 * q, k, v `[nW, heads, M, d]` (M = window tokens), bias `[heads, M, M]` (relative position bias),
 * mask `[nW, M, M]` (0 / −100 for shifted windows) or null → `[nW, heads, M, d]`.
 */
export function windowAttention(q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D, bias: tf.Tensor3D, mask: tf.Tensor3D | null): tf.Tensor4D {
  if (q.shape[3] <= MAX_HEAD_DIM && q.shape[3] % 4 === 0 && fusedPathActive(q, k, v, bias, mask)) {
    // Without a mask the bias tensor fills the mask's binding; the shader does not read it then.
    return tf.engine().runKernel(KERNEL_NAME, { q, k, v, bias, mask: mask ?? bias }, { hasMask: mask !== null }) as tf.Tensor4D;
  }
  return windowAttentionReference(q, k, v, bias, mask);
}

/** The plain-tfjs composite the fused kernel must match. */
export function windowAttentionReference(q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D, bias: tf.Tensor3D, mask: tf.Tensor3D | null): tf.Tensor4D {
  return tf.tidy(() => {
    let scores: tf.Tensor = tf.add(tf.matMul(q, k, false, true), bias); // [nW, heads, M, M]
    if (mask) scores = tf.add(scores, tf.expandDims(mask, 1));
    return tf.matMul(tf.softmax(scores), v) as tf.Tensor4D;
  });
}

registerWgslKernel(KERNEL_NAME, ({ q, k, v, bias, mask }, backend, attrs) => {
  const [windows, heads, m, d] = q.shape;
  return runWgsl(backend, {
    label: 'window-attention',
    code: shader,
    constants: { WG: WORKGROUP_SIZE },
    inputs: [q, k, v, bias, mask],
    outputShapes: [q.shape],
    params: packParams([
      ['u32', windows],
      ['u32', heads],
      ['u32', m],
      ['u32', d],
      ['u32', attrs.hasMask ? 1 : 0],
    ]),
    passes: [{ entryPoint: 'main', workgroups: grid2d(Math.ceil((windows * heads * m) / WORKGROUP_SIZE)) }],
  });
});

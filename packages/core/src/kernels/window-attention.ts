// Swin window self-attention (WindowAttention.forward in GLIP's swint.py, from the qkv projection's
// output to proj's input):
//   out = softmax(scale·q·kᵀ + bias[h] + mask[w]) · v     per window w and head h, scale = head_dim^−½. Plain-tfjs reference, and the fused kernel
// `shaders/window-attention.wgsl` that replaces it on the `webgpu` backend while fused kernels are on.
import * as tf from '@tensorflow/tfjs';
import shader from '@webglip/shaders/window-attention.wgsl?raw';
import { fusedPathActive } from './fused-switch.ts';
import { grid2d, packParams, registerWgslKernel, runWgsl } from './run-wgsl.ts';

const KERNEL_NAME = 'WebglipWindowAttention';
const WORKGROUP_SIZE = 64;
/** Largest head dimension the kernel holds in registers (`MAX_D` in the shader); it must also be a multiple of 4. */
const MAX_HEAD_DIM = 32;

/**
 * qkv `[nW, M, 3·C]` (the qkv Linear's output, M = window tokens, C = heads·d), bias `[heads, M, M]`
 * (relative position bias), mask `[nW, M, M]` (0 / −100 for shifted windows) or null, scale
 * (head_dim^−½) → `[nW, M, C]` (heads side by side).
 */
export function windowAttention(qkv: tf.Tensor3D, bias: tf.Tensor3D, mask: tf.Tensor3D | null, heads: number, scale: number): tf.Tensor3D {
  const d = qkv.shape[2] / 3 / heads;
  if (d <= MAX_HEAD_DIM && d % 4 === 0 && fusedPathActive(qkv, bias, mask)) {
    // Without a mask the bias tensor fills the mask's binding; the shader does not read it then.
    return tf.engine().runKernel(KERNEL_NAME, { qkv, bias, mask: mask ?? bias }, { heads, scale, hasMask: mask !== null }) as tf.Tensor3D;
  }
  return windowAttentionReference(qkv, bias, mask, heads, scale);
}

/** The plain-tfjs composite the fused kernel must match (GLIP's WindowAttention.forward). */
export function windowAttentionReference(qkv: tf.Tensor3D, bias: tf.Tensor3D, mask: tf.Tensor3D | null, heads: number, scale: number): tf.Tensor3D {
  return tf.tidy(() => {
    const [nW, m, c3] = qkv.shape;
    const c = c3 / 3;
    const [q, k, v] = tf.unstack(tf.transpose(tf.reshape(qkv, [nW, m, 3, heads, c / heads]), [2, 0, 3, 1, 4])) as tf.Tensor4D[]; // [nW, heads, M, d] each
    let scores: tf.Tensor = tf.add(tf.matMul(tf.mul(q, scale), k, false, true), bias); // [nW, heads, M, M]
    if (mask) scores = tf.add(scores, tf.expandDims(mask, 1));
    const attended = tf.matMul(tf.softmax(scores), v); // [nW, heads, M, d]
    return tf.reshape(tf.transpose(attended, [0, 2, 1, 3]), [nW, m, c]) as tf.Tensor3D;
  });
}

registerWgslKernel(KERNEL_NAME, ({ qkv, bias, mask }, backend, attrs) => {
  const [windows, m, c3] = qkv.shape;
  const heads = attrs.heads as number;
  const d = c3 / 3 / heads;
  return runWgsl(backend, {
    label: 'window-attention',
    code: shader,
    constants: { WG: WORKGROUP_SIZE },
    inputs: { qkv, bias, mask },
    outputs: { out: [windows, m, c3 / 3] },
    params: packParams([
      ['u32', windows],
      ['u32', heads],
      ['u32', m],
      ['u32', d],
      ['u32', attrs.hasMask ? 1 : 0],
      ['f32', attrs.scale as number],
    ]),
    passes: [{ entryPoint: 'main', workgroups: grid2d(Math.ceil((windows * heads * m) / WORKGROUP_SIZE)) }],
  });
});

// Swin window self-attention (WindowAttention.forward in GLIP's swint.py, after the qkv projection):
//   out = softmax(q·kᵀ + bias[h] + mask[w]) · v     per window w and head h
// with q already multiplied by head_dim^−0.5. Plain-tfjs reference, and the fused kernel
// `shaders/window-attention.wgsl` that replaces it on the `webgpu` backend while fused kernels are on.
import * as tf from '@tensorflow/tfjs';
import shader from '../../../../shaders/window-attention.wgsl?raw';
import { fusedPathActive } from './fused-switch.ts';
import { grid2d, packParams, registerWgslKernel, runWgsl, workgroupMemoryLimit } from './run-wgsl.ts';

const KERNEL_NAME = 'WebglipWindowAttention';
const WORKGROUP_SIZE = 64;
/** Windows up to 7×7 share one pipeline (the shader's MAX_M); larger ones get their own. */
const SHARED_MAX_TOKENS = 49;

/**
 * q, k, v `[nW, heads, M, d]` (M = window tokens), bias `[heads, M, M]` (relative position bias),
 * mask `[nW, M, M]` (0 / −100 for shifted windows) or null → `[nW, heads, M, d]`.
 */
export function windowAttention(q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D, bias: tf.Tensor3D, mask: tf.Tensor3D | null): tf.Tensor4D {
  const maxM = Math.max(SHARED_MAX_TOKENS, q.shape[2]);
  // The kernel keeps a window's M × M scores in workgroup memory (M = 49 for 7×7 windows: 9.6 KB).
  if (fusedPathActive(q, k, v, bias, mask) && maxM * maxM * 4 <= workgroupMemoryLimit()) {
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
    constants: { MAX_M: Math.max(SHARED_MAX_TOKENS, m), WG: WORKGROUP_SIZE },
    inputs: [q, k, v, bias, mask],
    outputShapes: [q.shape],
    params: packParams([
      ['u32', windows],
      ['u32', heads],
      ['u32', m],
      ['u32', d],
      ['u32', attrs.hasMask ? 1 : 0],
    ]),
    passes: [{ entryPoint: 'main', workgroups: grid2d(windows * heads) }],
  });
});

// An embedding lookup (nn.Embedding: rows of a table `[V, D]` by token id) from a table held as f16
// pairs `[D/2, V]` (`f16-pairs.ts`, the table taken as a `[V, D]` Linear weight): the fused kernel
// `shaders/embedding-f16.wgsl`, and its reference, tfjs's gather on the table unpacked to f32. Both
// exist on `webgpu` only, where the engine holds weights as f16 pairs.
import * as tf from '@tensorflow/tfjs';
import shader from '@webglip/shaders/embedding-f16.wgsl?raw';
import { unpackF16Pairs } from './f16-pairs.ts';
import { fusedPathActive } from './fused-switch.ts';
import { grid2d, packParams, registerWgslKernel, runWgsl } from './run-wgsl.ts';

const KERNEL_NAME = 'WebglipEmbeddingF16';
const WORKGROUP_SIZE = 64;

/** pairs `[D/2, V]` int32, ids `[T]` int32 (each in [0, V)) → rows `[T, D]`. */
export function embeddingF16(pairs: tf.Tensor2D, ids: tf.Tensor1D): tf.Tensor2D {
  if (pairs.dtype !== 'int32' || ids.dtype !== 'int32') throw new Error(`embeddingF16: pairs and ids must be int32, got ${pairs.dtype} and ${ids.dtype}`);
  if (fusedPathActive(pairs, ids)) return tf.engine().runKernel(KERNEL_NAME, { pairs, ids }) as tf.Tensor2D;
  return embeddingF16Reference(pairs, ids);
}

/** The plain-tfjs composite the fused kernel must match. */
export function embeddingF16Reference(pairs: tf.Tensor2D, ids: tf.Tensor1D): tf.Tensor2D {
  return tf.tidy(() => tf.transpose(tf.gather(unpackF16Pairs(pairs), ids, 1)) as tf.Tensor2D); // [D, V] → [D, T] → [T, D]
}

registerWgslKernel(KERNEL_NAME, ({ pairs, ids }, backend) => {
  const [half, vocab] = pairs.shape;
  const [tokens] = ids.shape;
  return runWgsl(backend, {
    label: 'embedding-f16',
    code: shader,
    constants: { WG: WORKGROUP_SIZE },
    inputs: { table: pairs, ids },
    outputs: { out: [tokens, 2 * half] },
    params: packParams([['u32', vocab], ['u32', half], ['u32', tokens]]),
    passes: [{ entryPoint: 'main', workgroups: grid2d(Math.ceil((tokens * half) / WORKGROUP_SIZE)) }],
  });
});

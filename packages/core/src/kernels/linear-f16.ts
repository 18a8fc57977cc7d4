// A Linear layer whose weight is held as f16 pairs (`f16-pairs.ts`), f32 arithmetic: the fused
// kernel `shaders/linear-f16.wgsl`, shaped for text tokens (few rows, wide weights), and its
// reference, tfjs's matmul on the weight unpacked to f32. Both exist on `webgpu` only, where the
// engine holds weights as f16 pairs.
import * as tf from '@tensorflow/tfjs';
import shader from '@webglip/shaders/linear-f16.wgsl?raw';
import { unpackF16Pairs } from './f16-pairs.ts';
import { fusedPathActive } from './fused-switch.ts';
import { grid2d, packParams, registerWgslKernel, runWgsl } from './run-wgsl.ts';

const KERNEL_NAME = 'WebglipLinearF16';
const WORKGROUP_SIZE = 64;
/** Rows per workgroup tile: `ROWS` in the shader. */
const TILE_ROWS = 8;
const CHUNK = 64;

/** x `[..., K]`, pairs `[K/2, N]` int32, bias `[N]` → `[..., N]`. */
export function linearF16(x: tf.Tensor, pairs: tf.Tensor2D, bias: tf.Tensor1D): tf.Tensor {
  const k = x.shape[x.shape.length - 1];
  const [half, n] = pairs.shape;
  if (k !== 2 * half || bias.shape[0] !== n) {
    throw new Error(`linearF16: x [${x.shape}] does not match pairs [${pairs.shape}] and bias [${bias.shape}]`);
  }
  if (fusedPathActive(x, pairs, bias)) {
    return tf.tidy(() => {
      const flat = tf.reshape(x, [-1, k]);
      const y = tf.engine().runKernel(KERNEL_NAME, { x: flat, pairs, bias }) as tf.Tensor2D;
      return tf.reshape(y, [...x.shape.slice(0, -1), n]);
    });
  }
  return linearF16Reference(x, pairs, bias);
}

/** The plain-tfjs composite the fused kernel must match (after unpacking the weight). */
export function linearF16Reference(x: tf.Tensor, pairs: tf.Tensor2D, bias: tf.Tensor1D): tf.Tensor {
  return tf.tidy(() => {
    const weight = unpackF16Pairs(pairs); // [K, N]
    const [k, n] = weight.shape;
    const y = tf.fused.matMul({ a: tf.reshape(x, [-1, k]) as tf.Tensor2D, b: weight, bias });
    return tf.reshape(y, [...x.shape.slice(0, -1), n]);
  });
}

registerWgslKernel(KERNEL_NAME, ({ x, pairs, bias }, backend) => {
  const [m] = x.shape;
  const [half, n] = pairs.shape;
  const colTiles = Math.ceil(n / (2 * WORKGROUP_SIZE)); // two columns per invocation
  const tiles = colTiles * Math.ceil(m / TILE_ROWS);
  return runWgsl(backend, {
    label: 'linear-f16',
    code: shader,
    constants: { WG: WORKGROUP_SIZE, CHUNK },
    inputs: { x, pairs, bias },
    outputs: { y: [m, n] },
    params: packParams([['u32', m], ['u32', n], ['u32', half], ['u32', colTiles], ['u32', tiles]]),
    passes: [{ entryPoint: 'main', workgroups: grid2d(tiles) }],
  });
});

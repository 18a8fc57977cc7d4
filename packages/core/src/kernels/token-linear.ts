// A Linear layer over many tokens (Swin, every image-side Linear, the heads' token alignment, the
// phrase scores): the fused kernel `shaders/token-linear.wgsl`, and its reference, tfjs's fused
// matmul (then GELU when asked). The weight is f32 `[K, N]` (any K and N: multiples of 4 take the
// shader's vec4 entry point), or f16 pairs `[K/2, N]` (`f16-pairs.ts`; K and N multiples of 4),
// which the reference unpacks to f32 first. `batchedTokenLinear`: B products with their own weights in
// one dispatch (the folded fusion's per-head products), against tf.matMul's batched product.
import * as tf from '@tensorflow/tfjs';
import shader from '@webglip/shaders/token-linear.wgsl?raw';
import { geluErf } from './gelu.ts';
import { unpackF16Pairs } from './f16-pairs.ts';
import { fusedPathActive } from './fused-switch.ts';
import { grid2d, packParams, registerWgslKernel, runWgsl } from './run-wgsl.ts';

const KERNEL_NAME = 'WebglipTokenLinear';
const WORKGROUP_SIZE = 64;
/** Rows per invocation: `ROWS` in the shader. */
const BLOCK_ROWS = 16;

/** What follows the Linear: nothing, or exact (erf) GELU (`model/gelu.ts`). */
export type LinearActivation = 'none' | 'gelu';

/** x `[..., K]`, weight `[K, N]`, bias `[N]` or null, then `activation` → `[..., N]`. */
export function tokenLinear(x: tf.Tensor, weight: tf.Tensor2D, bias: tf.Tensor1D | null, activation: LinearActivation = 'none'): tf.Tensor {
  const [k, n] = weight.shape;
  checkShapes('tokenLinear', x, k, n, bias);
  if (fusedPathActive(x, weight, bias)) return runFused(x, weight, bias, activation, false);
  return tokenLinearReference(x, weight, bias, activation);
}

/** x `[..., K]`, pairs `[K/2, N]` int32 (W as f16 pairs), bias `[N]` or null, then `activation` → `[..., N]`; K and N multiples of 4. */
export function tokenLinearF16(x: tf.Tensor, pairs: tf.Tensor2D, bias: tf.Tensor1D | null, activation: LinearActivation = 'none'): tf.Tensor {
  const [half, n] = pairs.shape;
  checkShapes('tokenLinearF16', x, 2 * half, n, bias);
  if (half % 2 !== 0 || n % 4 !== 0) throw new Error(`tokenLinearF16: K and N must be multiples of 4, got pairs [${pairs.shape}]`);
  if (fusedPathActive(x, pairs, bias)) return runFused(x, pairs, bias, activation, true);
  return tokenLinearF16Reference(x, pairs, bias, activation);
}

function checkShapes(op: string, x: tf.Tensor, k: number, n: number, bias: tf.Tensor1D | null): void {
  if (x.shape[x.rank - 1] !== k || (bias !== null && bias.shape[0] !== n)) {
    throw new Error(`${op}: x [${x.shape}] does not match a [${k}, ${n}] weight and bias [${bias?.shape}]`);
  }
}

function runFused(x: tf.Tensor, weight: tf.Tensor2D, bias: tf.Tensor1D | null, activation: LinearActivation, halfWeights: boolean): tf.Tensor {
  return tf.tidy(() => {
    const k = x.shape[x.rank - 1];
    const rows = tf.reshape(x, [1, -1, k]); // one batch of every row
    // Without a bias the weight fills the bias binding; the shader does not read it then.
    const attrs = { hasBias: bias !== null, gelu: activation === 'gelu', halfWeights };
    const y = tf.engine().runKernel(KERNEL_NAME, { x: rows, weight, bias: bias ?? weight }, attrs) as tf.Tensor3D;
    return tf.reshape(y, [...x.shape.slice(0, -1), weight.shape[1]]);
  });
}

/** B products at once: x `[B, M, K]` · weight `[B, K, N]` → `[B, M, N]` (no bias, f32); the reference is tf.matMul's batched product. */
export function batchedTokenLinear(x: tf.Tensor3D, weight: tf.Tensor3D): tf.Tensor3D {
  const [batch, , k] = x.shape;
  if (weight.shape[0] !== batch || weight.shape[1] !== k) throw new Error(`batchedTokenLinear: x [${x.shape}] does not match weight [${weight.shape}]`);
  if (fusedPathActive(x, weight)) return tf.engine().runKernel(KERNEL_NAME, { x, weight, bias: weight }, { hasBias: false, gelu: false, halfWeights: false }) as tf.Tensor3D;
  return tf.matMul(x, weight);
}

/** The plain-tfjs composite the fused kernel must match. */
export function tokenLinearReference(x: tf.Tensor, weight: tf.Tensor2D, bias: tf.Tensor1D | null, activation: LinearActivation = 'none'): tf.Tensor {
  return tf.tidy(() => {
    const [k, n] = weight.shape;
    const y = tf.fused.matMul({ a: tf.reshape(x, [-1, k]) as tf.Tensor2D, b: weight, bias: bias ?? undefined });
    return tf.reshape(activation === 'gelu' ? geluErf(y) : y, [...x.shape.slice(0, -1), n]);
  });
}

/** The reference on weights held as f16 pairs: unpacked to f32 `[K, N]`, then `tokenLinearReference`. */
export function tokenLinearF16Reference(x: tf.Tensor, pairs: tf.Tensor2D, bias: tf.Tensor1D | null, activation: LinearActivation = 'none'): tf.Tensor {
  return tf.tidy(() => tokenLinearReference(x, unpackF16Pairs(pairs), bias, activation));
}

registerWgslKernel(KERNEL_NAME, ({ x, weight, bias }, backend, attrs) => {
  const [batch, m, k] = x.shape; // x [B, M, K]; weight [K, N] shared by the batches, or [B, K, N]
  const n = weight.shape[weight.shape.length - 1];
  const colBlocks = Math.ceil(n / 4);
  const rowBlocks = Math.ceil(m / BLOCK_ROWS);
  const blocks = batch * rowBlocks * colBlocks;
  const weightStride = weight.shape.length === 3 ? k * n : 0;
  return runWgsl(backend, {
    label: 'token-linear',
    code: shader,
    constants: { WG: WORKGROUP_SIZE, HALF_WEIGHTS: attrs.halfWeights ? 1 : 0 },
    inputs: { x, w: weight, bias },
    outputs: { y: [batch, m, n] },
    params: packParams([
      ['u32', m], ['u32', k], ['u32', n], ['u32', colBlocks], ['u32', blocks], ['u32', attrs.hasBias ? 1 : 0], ['u32', attrs.gelu ? 1 : 0],
      ['u32', rowBlocks], ['u32', weightStride],
    ]),
    passes: [{ entryPoint: attrs.halfWeights || (k % 4 === 0 && n % 4 === 0) ? 'main' : 'anyWidth', workgroups: grid2d(Math.ceil(blocks / WORKGROUP_SIZE)) }],
  });
});

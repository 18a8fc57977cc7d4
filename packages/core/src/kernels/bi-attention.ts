// Bi-directional image↔text attention of GLIP's fusion (BiMultiHeadAttention, utils/fuse_helper.py).
// Plain-tfjs reference, and the fused kernel `shaders/bi-attention.wgsl` that replaces it on the
// `webgpu` backend while fused kernels are on (both directions from logits computed once, without
// materialising them). Head dimensions that are not a multiple of 8 take the reference.
// q and valueV may be shared by all heads (leading dimension 1): the folded form of `model/fusion-folded.ts`.
//   A   = clamp(q·kᵀ, ±50000)                                   [H, N, T]
//   outV = softmax_T(A + maskAdd) · valueL,  maskAdd = 1 (real) | −9e15 (pad)      image ← text
//   outL = softmax_N(clamp(Aᵀ − max_N Aᵀ, ±50000)) · valueV   (no mask at all)     text ← image
import * as tf from '@tensorflow/tfjs';
import shader from '@webglip/shaders/bi-attention.wgsl?raw';
import { fusedPathActive } from './fused-switch.ts';
import { grid2d, packParams, registerWgslKernel, runWgsl, workgroupMemoryLimit } from './run-wgsl.ts';

const CLAMP = 50000;
const MASKED = -9e15;

/**
 * q `[H or 1, N, d]` (pre-scaled), k `[H, T, d]`, valueV `[H or 1, N, d]` (as q), valueL `[H, T, d]`,
 * textMask `[T]` (0/1). Returns outV `[H, N, d]` and outL `[H, T, d]`.
 */
export function biAttention(
  q: tf.Tensor3D,
  k: tf.Tensor3D,
  valueV: tf.Tensor3D,
  valueL: tf.Tensor3D,
  textMask: tf.Tensor1D,
): { outV: tf.Tensor3D; outL: tf.Tensor3D } {
  if (fusedPathActive(q, k, valueV, valueL, textMask) && fusedSupports(q.shape[2], k.shape[1])) {
    const [outV, outL] = tf.engine().runKernel(KERNEL_NAME, { q, k, valueV, valueL, textMask }) as tf.Tensor3D[];
    return { outV, outL };
  }
  return biAttentionReference(q, k, valueV, valueL, textMask);
}

/** The plain-tfjs composite the fused kernel must match. */
export function biAttentionReference(
  q: tf.Tensor3D,
  k: tf.Tensor3D,
  valueV: tf.Tensor3D,
  valueL: tf.Tensor3D,
  textMask: tf.Tensor1D,
): { outV: tf.Tensor3D; outL: tf.Tensor3D } {
  return tf.tidy(() => {
    const scores = tf.clipByValue(q.shape[0] === 1 ? sharedQueryScores(q, k) : tf.matMul(q, k, false, true), -CLAMP, CLAMP); // [H, N, T]
    // masked_fill(mask == 0, −9e15) on the 0/1 mask: real tokens get +1, padding −9e15.
    const maskAdd = tf.where(tf.equal(textMask, 0), tf.fill(textMask.shape, MASKED), textMask); // [T]
    const attnV = tf.softmax(tf.add(scores, maskAdd)); // [H, N, T]
    const outV = tf.matMul(attnV, valueL) as tf.Tensor3D; // [H, N, d]

    const scoresT = tf.transpose(scores, [0, 2, 1]); // [H, T, N]
    const shifted = tf.clipByValue(tf.sub(scoresT, tf.max(scoresT, -1, true)), -CLAMP, CLAMP);
    const attnL = tf.softmax(shifted) as tf.Tensor3D; // [H, T, N]
    const outL = (valueV.shape[0] === 1 ? sharedValueProduct(attnL, valueV) : tf.matMul(attnL, valueV)) as tf.Tensor3D; // [H, T, d]
    return { outV, outL };
  });
}

// One image-token batch shared by every head (the folded fusion's q = valueV = [x | 1 …], batch 1) as
// 2-D products over all heads at once: the same values as tfjs's broadcasting batched matmul, whose
// gradient does not sum the broadcast batch back (prompt tuning differentiates through it).

/** q `[1, N, c]`, k `[H, T, c]` → q·kᵀ per head `[H, N, T]`. */
function sharedQueryScores(q: tf.Tensor3D, k: tf.Tensor3D): tf.Tensor3D {
  const [heads, t, c] = k.shape;
  const n = q.shape[1];
  const all = tf.matMul(tf.reshape(q, [n, c]), tf.reshape(k, [heads * t, c]), false, true); // [N, H·T]
  return tf.transpose(tf.reshape(all, [n, heads, t]), [1, 0, 2]) as tf.Tensor3D;
}

/** p `[H, T, N]`, v `[1, N, d]` → p·v per head `[H, T, d]`. */
function sharedValueProduct(p: tf.Tensor3D, v: tf.Tensor3D): tf.Tensor3D {
  const [heads, t, n] = p.shape;
  const d = v.shape[2];
  return tf.reshape(tf.matMul(tf.reshape(p, [heads * t, n]), tf.reshape(v, [n, d])), [heads, t, d]) as tf.Tensor3D;
}

const KERNEL_NAME = 'WebglipBiAttention';
/** The shader's TMAX: the most text tokens (BERT's max_query_len is 256). */
const FUSED_MAX_TEXT = 256;
/** The shader's RMAX: the most image tokens one step of a segment holds. */
const MAX_STEP_ROWS = 64;
const WORKGROUP_SIZE = 64;
/** Segments are added until about this many workgroups run (heads × segments) … */
const TARGET_WORKGROUPS = 128;
/** … while the partials ([H, S, T, d + 4]) stay within ¼ of an [H, N, T] logits buffer: S ≤ N / (4d). */
const PARTIALS_SHARE = 4;

/** Workgroup memory besides the two step arrays: rowMax, colMax and four per-text-token vec4 arrays. */
const FIXED_WORKGROUP_BYTES = (MAX_STEP_ROWS + FUSED_MAX_TEXT + 4 * FUSED_MAX_TEXT) * 4;

/** Floats of each step array (the shader's CAP) that the device's workgroup memory allows. */
function stepCapacity(): number {
  return Math.floor((workgroupMemoryLimit() - FIXED_WORKGROUP_BYTES) / 8 / 16) * 16;
}

/** Image tokens per step: a multiple of 4 with rows × T′ within the step arrays (0: does not fit). */
function stepRows(t: number, capacity: number): number {
  const tPadded = Math.ceil(t / 4) * 4;
  return Math.min(MAX_STEP_ROWS, Math.floor(capacity / tPadded / 4) * 4);
}

/** The fused kernel reads the head dimension as pairs of vec4 and holds ≥ 4 image tokens × T per step. */
function fusedSupports(headDim: number, t: number): boolean {
  return headDim % 8 === 0 && t <= FUSED_MAX_TEXT && stepRows(t, stepCapacity()) >= 4;
}

registerWgslKernel(KERNEL_NAME, ({ q, k, valueV, valueL, textMask }, backend) => {
  const [imageHeads, n, d] = q.shape;
  const [heads, t] = k.shape;
  const capacity = stepCapacity();
  const rows = stepRows(t, capacity);
  const wantedSegments = Math.max(1, Math.min(Math.ceil(TARGET_WORKGROUPS / heads), Math.floor(n / (PARTIALS_SHARE * d))));
  const segLen = Math.ceil(Math.ceil(n / wantedSegments) / rows) * rows;
  const segments = Math.ceil(n / segLen);
  const [outV, outL, partials] = runWgsl(backend, {
    label: 'bi-attention',
    code: shader,
    constants: { WG: WORKGROUP_SIZE, CAP: capacity, TMAX: FUSED_MAX_TEXT, RMAX: MAX_STEP_ROWS },
    inputs: { q, k, valueV, valueL, textMask },
    outputs: { outV: [heads, n, d], outL: [heads, t, d], partials: [heads, segments, t, d + 4] },
    params: packParams([
      ['u32', heads],
      ['u32', d / 4],
      ['u32', n],
      ['u32', t],
      ['u32', Math.ceil(t / 4)],
      ['u32', rows],
      ['u32', segLen],
      ['u32', segments],
      ['u32', imageHeads],
    ]),
    passes: [
      { entryPoint: 'segment', workgroups: grid2d(heads * segments) },
      { entryPoint: 'combine', workgroups: grid2d(Math.ceil((heads * t * (d / 4)) / WORKGROUP_SIZE)) },
    ],
  });
  backend.disposeData(partials.dataId);
  return [outV, outL];
});

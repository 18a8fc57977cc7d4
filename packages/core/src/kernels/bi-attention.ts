// Bi-directional image↔text attention of GLIP's fusion (BiMultiHeadAttention, utils/fuse_helper.py).
// Plain-tfjs reference, and the fused kernel `shaders/bi-attention.wgsl` that replaces it on the
// `webgpu` backend while fused kernels are on (both directions without materialising the logits).
//   A   = clamp(q·kᵀ, ±50000)                                   [H, N, T]
//   outV = softmax_T(A + maskAdd) · valueL,  maskAdd = 1 (real) | −9e15 (pad)      image ← text
//   outL = softmax_N(clamp(Aᵀ − max_N Aᵀ, ±50000)) · valueV   (no mask at all)     text ← image
import * as tf from '@tensorflow/tfjs';
import shader from '../../../../shaders/bi-attention.wgsl?raw';
import { fusedPathActive } from './fused-switch.ts';
import { grid2d, packParams, registerWgslKernel, runWgsl, workgroupMemoryLimit } from './run-wgsl.ts';

const CLAMP = 50000;
const MASKED = -9e15;

/**
 * q `[H, N, d]` (pre-scaled), k `[H, T, d]`, valueV `[H, N, d]`, valueL `[H, T, d]`, textMask `[T]` (0/1).
 * Returns outV `[H, N, d]` and outL `[H, T, d]`.
 */
export function biAttention(
  q: tf.Tensor3D,
  k: tf.Tensor3D,
  valueV: tf.Tensor3D,
  valueL: tf.Tensor3D,
  textMask: tf.Tensor1D,
): { outV: tf.Tensor3D; outL: tf.Tensor3D } {
  if (fusedPathActive(q, k, valueV, valueL, textMask) && k.shape[1] <= FUSED_MAX_TEXT && fusedFitsWorkgroupMemory(q.shape[2])) {
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
    const scores = tf.clipByValue(tf.matMul(q, k, false, true), -CLAMP, CLAMP); // [H, N, T]
    // masked_fill(mask == 0, −9e15) on the 0/1 mask: real tokens get +1, padding −9e15.
    const maskAdd = tf.where(tf.equal(textMask, 0), tf.fill(textMask.shape, MASKED), textMask); // [T]
    const attnV = tf.softmax(tf.add(scores, maskAdd)); // [H, N, T]
    const outV = tf.matMul(attnV, valueL) as tf.Tensor3D; // [H, N, d]

    const scoresT = tf.transpose(scores, [0, 2, 1]); // [H, T, N]
    const shifted = tf.clipByValue(tf.sub(scoresT, tf.max(scoresT, -1, true)), -CLAMP, CLAMP);
    const outL = tf.matMul(tf.softmax(shifted), valueV) as tf.Tensor3D; // [H, T, d]
    return { outV, outL };
  });
}

const KERNEL_NAME = 'WebglipBiAttention';
/** The shader's TMAX: text tokens one image-row workgroup holds (BERT's max_query_len is 256). */
const FUSED_MAX_TEXT = 256;
const WORKGROUP_SIZE = 64;
/** Head dimensions up to this share one pipeline (the shader's DMAX); larger ones get their own. */
const SHARED_MAX_HEAD_DIM = 256;
/** Image tokens per imageFromText workgroup (the shader's ROWS). */
const IMAGE_ROWS = 8;
/** Text tokens per textPartials workgroup and image tokens per step (the shader's TT and NB). */
const TEXT_TILE = 8;
const IMAGE_STEP = 8;
/** textPartials splits N into segments until about this many workgroups run. */
const TARGET_WORKGROUPS = 512;
const MIN_SEGMENT = 64;

/** Workgroup memory of the larger entry point: imageFromText's weights or textPartials' accumulators. */
function fusedFitsWorkgroupMemory(headDim: number): boolean {
  const imageSide = IMAGE_ROWS * FUSED_MAX_TEXT * 4;
  const textSide = (TEXT_TILE * Math.max(SHARED_MAX_HEAD_DIM, headDim) + IMAGE_STEP * TEXT_TILE + 3 * TEXT_TILE) * 4;
  return Math.max(imageSide, textSide) <= workgroupMemoryLimit();
}

registerWgslKernel(KERNEL_NAME, ({ q, k, valueV, valueL, textMask }, backend) => {
  const [heads, n, d] = q.shape;
  const t = k.shape[1];
  const textTiles = Math.ceil(t / TEXT_TILE);
  const wantedSegments = Math.max(1, Math.ceil(TARGET_WORKGROUPS / (heads * textTiles)));
  const segLen = Math.ceil(Math.max(MIN_SEGMENT, Math.ceil(n / wantedSegments)) / IMAGE_STEP) * IMAGE_STEP;
  const segments = Math.max(1, Math.ceil(n / segLen));
  const [outV, outL, partials] = runWgsl(backend, {
    label: 'bi-attention',
    code: shader,
    constants: { DMAX: Math.max(SHARED_MAX_HEAD_DIM, d), WG: WORKGROUP_SIZE, ROWS: IMAGE_ROWS, TMAX: FUSED_MAX_TEXT, TT: TEXT_TILE, NB: IMAGE_STEP },
    inputs: [q, k, valueV, valueL, textMask],
    outputShapes: [[heads, n, d], [heads, t, d], [heads, segments, t, d + 2]],
    params: packParams([
      ['u32', heads],
      ['u32', d],
      ['u32', n],
      ['u32', t],
      ['u32', segLen],
      ['u32', segments],
    ]),
    passes: [
      { entryPoint: 'imageFromText', workgroups: grid2d(heads * Math.ceil(n / IMAGE_ROWS)) },
      { entryPoint: 'textPartials', workgroups: grid2d(heads * textTiles * segments) },
      { entryPoint: 'textCombine', workgroups: grid2d(heads * t) },
    ],
  });
  backend.disposeData(partials.dataId);
  return [outV, outL];
});

// torch.nn layers applied with official-layout weights: Linear `[out, in]`, Conv2d `[Cout, Cin, kh, kw]`,
// Embedding `[V, D]`.
// Each weight is transposed once into the layout its op reads (WeightMap.prepared) and held so; weights
// stored f16 on disk that a fused kernel reads (Linears, embedding tables, conv filters) are held as
// f16 pairs instead (half the GPU memory of f32, nothing lost).
import * as tf from '@tensorflow/tfjs';
import { conv2dBias, conv2dBiasF16, filterPairs, fusedReadsPairs } from '../kernels/conv2d.ts';
import { embeddingF16 } from '../kernels/embedding-f16.ts';
import { packF16Pairs, unpackF16Pairs } from '../kernels/f16-pairs.ts';
import { fusedPathActive } from '../kernels/fused-switch.ts';
import { linearF16 } from '../kernels/linear-f16.ts';
import { type LinearActivation, tokenLinear, tokenLinearF16 } from '../kernels/token-linear.ts';
import type { WeightMap } from '../weights/weight-map.ts';

/** The prepared layout of a Linear weight held as f16 pairs `[in/2, out]` (see `f16-pairs.ts`). */
const F16_PAIRS = 'f16 pairs in/2,out';

/**
 * nn.Linear `${prefix}.weight` `[out, in]` held as `[in, out]`: a plain matmul reads it (tfjs-webgpu's vec4
 * matmul needs an untransposed B, and its split-K matmul, chosen for K ≥ 2000, returns wrong values with transposeB).
 */
function linearWeightInOut(w: WeightMap, prefix: string): tf.Tensor2D {
  return w.prepared(`${prefix}.weight`, 'in,out', (t) => tf.transpose(t)) as tf.Tensor2D;
}

/**
 * nn.Linear `${prefix}.weight` `[out, in]` (+ `.bias`), then `activation`: x `[..., in]` → `[..., out]`
 * (the token-linear kernel or its reference). A weight stored f16 on disk, first used while fused
 * kernels are on, with `in` and `out` multiples of 4, is held as f16 pairs (`heldAsPairs`).
 */
export function linear(w: WeightMap, prefix: string, x: tf.Tensor, activation: LinearActivation = 'none'): tf.Tensor {
  const bias = w.has(`${prefix}.bias`) ? (w.get(`${prefix}.bias`) as tf.Tensor1D) : null;
  const name = `${prefix}.weight`;
  if (heldAsPairs(w, name, x, 4)) return tokenLinearF16(x, pairsOf(w, name), bias, activation);
  return tokenLinear(x, linearWeightInOut(w, prefix), bias, activation);
}

/**
 * nn.Linear `${prefix}.weight` as f32 `[in, out]` values, for ops that compute with the weight
 * itself (the folded fusion) on tokens `x`: held as `linear` holds it, so both forms share one
 * copy; a weight held as f16 pairs is unpacked for the call (a transient tensor).
 */
export function linearWeightValues(w: WeightMap, prefix: string, x: tf.Tensor): tf.Tensor2D {
  const name = `${prefix}.weight`;
  return heldAsPairs(w, name, x, 4) ? unpackF16Pairs(pairsOf(w, name)) : linearWeightInOut(w, prefix);
}

/**
 * nn.Linear over text tokens (few rows, wide weights: BERT, the fusion's text side, the token
 * projection): as `linear`, with the f16-weight kernel shaped for few rows when the weight is
 * held as f16 pairs (`in` even, a bias).
 */
export function textLinear(w: WeightMap, prefix: string, x: tf.Tensor): tf.Tensor {
  const name = `${prefix}.weight`;
  const bias = `${prefix}.bias`;
  if (!w.has(bias) || !heldAsPairs(w, name, x, 2)) return linear(w, prefix, x);
  return linearF16(x, pairsOf(w, name), w.get(bias) as tf.Tensor1D);
}

/**
 * Whether the Linear weight `name` is (or, on its first use, becomes) held as f16 pairs
 * (`heldAsF16`), with `in` a multiple of `inMultiple`, and `out` of 4 when `inMultiple` is 4: what
 * the kernel reading the pairs needs.
 */
function heldAsPairs(w: WeightMap, name: string, x: tf.Tensor, inMultiple: 2 | 4): boolean {
  if (!heldAsF16(w, name, F16_PAIRS, x)) return false;
  const [outDim, inDim] = w.shapeOf(name);
  return inDim % inMultiple === 0 && (inMultiple === 2 || outDim % 4 === 0);
}

/**
 * Whether weight `name` is held in the f16 layout `f16Layout`, or will be on its first use: not
 * prepared yet, stored f16 on disk (so nothing is lost), and fused kernels on for `x`. A weight first
 * used with fused kernels off stays f32; one held in f16 is unpacked per call by the kernels'
 * references when fused kernels are off later.
 */
export function heldAsF16(w: WeightMap, name: string, f16Layout: string, x: tf.Tensor): boolean {
  const held = w.layoutOf(name);
  if (held !== undefined) return held === f16Layout;
  return fusedPathActive(x) && w.storedAsF16(name);
}

function pairsOf(w: WeightMap, name: string): tf.Tensor2D {
  return w.prepared(name, F16_PAIRS, (t) => packF16Pairs(t as tf.Tensor2D)) as tf.Tensor2D;
}

/**
 * nn.Embedding `name` `[V, D]`: the rows of `ids` `[T]` (int32) → `[T, D]`. Held as f16 pairs
 * (`heldAsPairs`, D even) and read by the f16 embedding kernel, else gathered from the f32 table.
 */
export function embedding(w: WeightMap, name: string, ids: tf.Tensor1D): tf.Tensor2D {
  if (heldAsPairs(w, name, ids, 2)) return embeddingF16(pairsOf(w, name), ids); // the table as a [V, D] Linear weight
  return tf.gather(w.get(name), ids) as tf.Tensor2D;
}

/** The prepared layouts of a Conv2d weight: `[kh, kw, Cin, Cout]` f32, or f16 pairs `[kh·kw·Cin / 2, Cout]` (`conv2d.ts`'s `filterPairs`). */
const CONV_LAYOUTS = { f32: 'kh,kw,cin,cout', f16Pairs: 'kh·kw·cin/2,cout f16 pairs' };
/** The same for a Conv2d weight with the FrozenBatchNorm2d after it folded in (`conv2dFrozenBn`). */
const FOLDED_CONV_LAYOUTS = { f32: 'bn folded, kh,kw,cin,cout', f16Pairs: 'bn folded, kh·kw·cin/2,cout f16 pairs' };

/**
 * nn.Conv2d with bias, zero padding `pad`: x `[1, H, W, Cin]` → `[1, Hout, Wout, Cout]`. The filter is
 * held as `[kh, kw, Cin, Cout]`, or as f16 pairs when it was stored f16 (`heldAsF16`) and the fused
 * kernel for this convolution reads pairs.
 */
export function conv2d(w: WeightMap, prefix: string, x: tf.Tensor4D, stride: number, pad: number): tf.Tensor4D {
  return tf.tidy(() => heldConv(w, `${prefix}.weight`, w.get(`${prefix}.bias`) as tf.Tensor1D, x, stride, pad, CONV_LAYOUTS, (t) => t));
}

/**
 * A bias-free nn.Conv2d `${conv}.weight` followed by maskrcnn_benchmark's FrozenBatchNorm2d `${bn}`
 * (`y·s + (bias − running_mean·s)`, s = weight·rsqrt(running_var), no eps), as one convolution:
 * the scale is folded into the filter and the shift becomes its bias, once, when the weights are
 * first prepared. A filter stored f16 is held as f16 pairs of the folded filter (one more f16
 * rounding, of w·s) where the fused kernel reads pairs. x `[1, H, W, Cin]` → `[1, Hout, Wout, Cout]`.
 */
export function conv2dFrozenBn(w: WeightMap, conv: string, bn: string, x: tf.Tensor4D, stride: number, pad: number): tf.Tensor4D {
  return tf.tidy(() => {
    const scale = (): tf.Tensor1D => tf.mul(w.get(`${bn}.weight`), tf.rsqrt(w.get(`${bn}.running_var`)));
    const bias = w.prepared(`${bn}.bias`, 'frozen bn shift', (b) => tf.sub(b, tf.mul(w.get(`${bn}.running_mean`), scale()))) as tf.Tensor1D;
    return heldConv(w, `${conv}.weight`, bias, x, stride, pad, FOLDED_CONV_LAYOUTS, (t) => tf.mul(t, tf.reshape(scale(), [-1, 1, 1, 1])));
  });
}

/**
 * The convolution of x with weight `name` (`[Cout, Cin, kh, kw]`, turned by `toFilter` into the
 * `[Cout, Cin, kh, kw]` filter to run) plus `bias`, the filter held in `layouts.f32` or, stored f16 and read by the fused
 * kernel as pairs, in `layouts.f16Pairs`.
 */
function heldConv(
  w: WeightMap,
  name: string,
  bias: tf.Tensor1D,
  x: tf.Tensor4D,
  stride: number,
  pad: number,
  layouts: { f32: string; f16Pairs: string },
  toFilter: (weight: tf.Tensor) => tf.Tensor,
): tf.Tensor4D {
  const [cout, cin, kh, kw] = w.shapeOf(name);
  const held = w.layoutOf(name);
  const half = held === undefined ? heldAsF16(w, name, layouts.f16Pairs, x) && fusedReadsPairs(cin, cout, kh, kw, stride, pad) : held === layouts.f16Pairs;
  if (half) return conv2dBiasF16(x, w.prepared(name, layouts.f16Pairs, (t) => filterPairs(toFilter(t) as tf.Tensor4D)) as tf.Tensor2D, bias, kh, kw, stride, pad);
  const filter = w.prepared(name, layouts.f32, (t) => tf.transpose(toFilter(t), [2, 3, 1, 0])) as tf.Tensor4D;
  return conv2dBias(x, filter, bias, stride, pad);
}

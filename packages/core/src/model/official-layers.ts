// torch.nn layers applied with official-layout weights: Linear `[out, in]`, Conv2d `[Cout, Cin, kh, kw]`.
// Each weight is transposed once into the layout its op reads (WeightMap.prepared) and held so; text-path
// Linear weights stored f16 on disk are held as f16 pairs for the f16-weight kernel.
import * as tf from '@tensorflow/tfjs';
import { conv2dBias } from '../kernels/conv2d.ts';
import { packF16Pairs } from '../kernels/f16-pairs.ts';
import { fusedPathActive } from '../kernels/fused-switch.ts';
import { linearF16 } from '../kernels/linear-f16.ts';
import { type LinearActivation, tokenLinear } from '../kernels/token-linear.ts';
import type { WeightMap } from '../weights/weight-map.ts';

/** The prepared layout of a Linear weight held as f16 pairs `[in/2, out]` (see `f16-pairs.ts`). */
const F16_PAIRS = 'f16 pairs in/2,out';

/**
 * nn.Linear `${prefix}.weight` `[out, in]` held as `[in, out]`: a plain matmul reads it (tfjs-webgpu's vec4
 * matmul needs an untransposed B, and its split-K matmul, chosen for K ≥ 2000, returns wrong values with transposeB).
 */
export function linearWeightInOut(w: WeightMap, prefix: string): tf.Tensor2D {
  return w.prepared(`${prefix}.weight`, 'in,out', (t) => tf.transpose(t)) as tf.Tensor2D;
}

/**
 * nn.Linear `${prefix}.weight` `[out, in]` (+ `.bias`), then `activation`: x `[..., in]` → `[..., out]`
 * (the token-linear kernel or its reference).
 */
export function linear(w: WeightMap, prefix: string, x: tf.Tensor, activation: LinearActivation = 'none'): tf.Tensor {
  const bias = w.has(`${prefix}.bias`) ? (w.get(`${prefix}.bias`) as tf.Tensor1D) : null;
  return tokenLinear(x, linearWeightInOut(w, prefix), bias, activation);
}

/**
 * nn.Linear over text tokens (few rows, wide weights: BERT, the fusion's text side, the token
 * projection). A weight stored as f16 on disk, first used while fused kernels are on, is held on
 * the GPU as f16 pairs — half the memory of f32, no precision lost — and multiplied by the
 * f16-weight kernel (f32 arithmetic); with fused kernels off later, its reference unpacks it per
 * call. Every other weight goes through `linear`.
 */
export function textLinear(w: WeightMap, prefix: string, x: tf.Tensor): tf.Tensor {
  const name = `${prefix}.weight`;
  const bias = `${prefix}.bias`;
  const held = w.layoutOf(name);
  const asPairs = held === F16_PAIRS || (held === undefined && pairsEligible(w, name, bias, x));
  if (!asPairs) return linear(w, prefix, x);
  const pairs = w.prepared(name, F16_PAIRS, (t) => packF16Pairs(t as tf.Tensor2D)) as tf.Tensor2D;
  return linearF16(x, pairs, w.get(bias) as tf.Tensor1D);
}

/** A weight not yet prepared becomes f16 pairs when fused kernels are on and nothing is lost: f16 on disk, even `in`, a bias. */
function pairsEligible(w: WeightMap, name: string, bias: string, x: tf.Tensor): boolean {
  if (!fusedPathActive(x) || !w.storedAsF16(name) || !w.has(bias)) return false;
  const [, inDim] = w.get(name).shape as [number, number];
  return inDim % 2 === 0;
}

/** nn.Conv2d with bias, zero padding `pad`: x `[1, H, W, Cin]` → `[1, Hout, Wout, Cout]`. */
export function conv2d(w: WeightMap, prefix: string, x: tf.Tensor4D, stride: number, pad: number): tf.Tensor4D {
  return tf.tidy(() => {
    const filter = w.prepared(`${prefix}.weight`, 'kh,kw,cin,cout', (t) => tf.transpose(t, [2, 3, 1, 0])) as tf.Tensor4D;
    return conv2dBias(x, filter, w.get(`${prefix}.bias`) as tf.Tensor1D, stride, pad);
  });
}

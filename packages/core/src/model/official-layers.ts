// torch.nn layers applied with official-layout weights: Linear `[out, in]`, Conv2d `[Cout, Cin, kh, kw]`.
import * as tf from '@tensorflow/tfjs';
import type { WeightMap } from '../weights/weight-map.ts';

/** Inner size from which tfjs-backend-webgpu 4.22 may choose its split-K matmul (BatchMatMul_impl). */
const SPLIT_K_MIN_INNER = 2000;

/** nn.Linear `${prefix}.weight` `[out, in]` (+ `.bias`): x `[..., in]` → `[..., out]`. */
export function linear(w: WeightMap, prefix: string, x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const weight = w.get(`${prefix}.weight`) as tf.Tensor2D;
    const [out, inDim] = weight.shape;
    const flat = tf.reshape(x, [-1, inDim]) as tf.Tensor2D;
    const bias = w.has(`${prefix}.bias`) ? w.get(`${prefix}.bias`) : undefined;
    // One fused matmul + bias that reads the weight transposed (no transposed copy per call), except
    // where tfjs-backend-webgpu 4.22 may pick its split-K matmul (batch 1, few outputs, K ≥ 2000),
    // which returns wrong values with transposeB: there the weight is transposed explicitly.
    const y = inDim >= SPLIT_K_MIN_INNER
      ? tf.fused.matMul({ a: flat, b: tf.transpose(weight), bias })
      : tf.fused.matMul({ a: flat, b: weight, transposeB: true, bias });
    return tf.reshape(y, [...x.shape.slice(0, -1), out]);
  });
}

/** nn.Conv2d with bias, zero padding `pad`: x `[1, H, W, Cin]` → `[1, Hout, Wout, Cout]`. */
export function conv2d(w: WeightMap, prefix: string, x: tf.Tensor4D, stride: number, pad: number): tf.Tensor4D {
  return tf.tidy(() => {
    const filter = tf.transpose(w.get(`${prefix}.weight`), [2, 3, 1, 0]) as tf.Tensor4D; // [kh, kw, Cin, Cout]
    const padded = pad > 0 ? tf.pad(x, [[0, 0], [pad, pad], [pad, pad], [0, 0]]) : x;
    const y = tf.conv2d(padded, filter, stride, 'valid');
    return tf.add(y, w.get(`${prefix}.bias`)) as tf.Tensor4D;
  });
}

// torch.nn layers applied with official-layout weights: Linear `[out, in]`, Conv2d `[Cout, Cin, kh, kw]`.
// Each weight is transposed once into the layout its tfjs op reads (WeightMap.prepared) and held so.
import * as tf from '@tensorflow/tfjs';
import type { WeightMap } from '../weights/weight-map.ts';

/** nn.Linear `${prefix}.weight` `[out, in]` (+ `.bias`): x `[..., in]` → `[..., out]`. */
export function linear(w: WeightMap, prefix: string, x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    // Held as `[in, out]`: a plain matmul reads it (tfjs-webgpu's vec4 matmul needs an untransposed B,
    // and its split-K matmul, chosen for K ≥ 2000, returns wrong values with transposeB).
    const weight = w.prepared(`${prefix}.weight`, 'in,out', (t) => tf.transpose(t)) as tf.Tensor2D;
    const [inDim, out] = weight.shape;
    const flat = tf.reshape(x, [-1, inDim]) as tf.Tensor2D;
    const bias = w.has(`${prefix}.bias`) ? w.get(`${prefix}.bias`) : undefined;
    const y = tf.fused.matMul({ a: flat, b: weight, bias });
    return tf.reshape(y, [...x.shape.slice(0, -1), out]);
  });
}

/** nn.Conv2d with bias, zero padding `pad`: x `[1, H, W, Cin]` → `[1, Hout, Wout, Cout]`. */
export function conv2d(w: WeightMap, prefix: string, x: tf.Tensor4D, stride: number, pad: number): tf.Tensor4D {
  return tf.tidy(() => {
    const filter = w.prepared(`${prefix}.weight`, 'kh,kw,cin,cout', (t) => tf.transpose(t, [2, 3, 1, 0])) as tf.Tensor4D;
    return tf.fused.conv2d({ x, filter, strides: stride, pad, bias: w.get(`${prefix}.bias`) });
  });
}

// nn.Conv2d with bias and zero padding on one NHWC image: the fused kernel `shaders/conv2d.wgsl`
// (direct convolution) for inputs whose channel count is a multiple of 4, the token linear over
// patches for non-overlapping convolutions (stride = kernel, no padding: Swin's patch embedding of
// the 3-channel image), and their reference, tfjs's fused conv2d. Other convolutions run the reference.
// A filter stored f16 on disk can be held as f16 pairs instead (`filterPairs`, `conv2dBiasF16`): the
// direct kernel and the token linear read the pairs, the reference unpacks them.
import * as tf from '@tensorflow/tfjs';
import shader from '@webglip/shaders/conv2d.wgsl?raw';
import { packF16Pairs, unpackF16Pairs } from './f16-pairs.ts';
import { recordingGradients } from '../runtime/tfjs-internals.ts';
import { fusedPathActive } from './fused-switch.ts';
import { grid2d, packParams, registerWgslKernel, runWgsl } from './run-wgsl.ts';
import { tokenLinear, tokenLinearF16 } from './token-linear.ts';

const KERNEL_NAME = 'WebglipConv2d';
const WORKGROUP_SIZE = 64;
/** Output pixels per invocation: `PIX` in the shader. */
const BLOCK_PIXELS = 16;

/** Output side of a convolution: floor((size + 2·pad − k) / stride) + 1. */
function outSize(size: number, k: number, stride: number, pad: number): number {
  return Math.floor((size + 2 * pad - k) / stride) + 1;
}

/** x `[1, H, W, Cin]`, filter `[kh, kw, Cin, Cout]`, bias `[Cout]` → `[1, Ho, Wo, Cout]`. */
export function conv2dBias(x: tf.Tensor4D, filter: tf.Tensor4D, bias: tf.Tensor1D, stride: number, pad: number): tf.Tensor4D {
  const [, , , cin] = x.shape;
  if (filter.shape[2] !== cin || bias.shape[0] !== filter.shape[3]) {
    throw new Error(`conv2dBias: x [${x.shape}] does not match filter [${filter.shape}] and bias [${bias.shape}]`);
  }
  const [kh, kw] = filter.shape;
  if (x.shape[0] === 1 && fusedPathActive(x, filter, bias)) {
    if (isPatchConv(kh, kw, stride, pad)) return patchConv(x, filter, kh, bias, false);
    if (cin % 4 === 0) return runDirect(x, filter, bias, kh, kw, stride, pad, false);
  }
  return conv2dBiasReference(x, filter, bias, stride, pad);
}

/**
 * The official `[Cout, Cin, kh, kw]` weight as f16 pairs over the rows of its `[kh·kw·Cin, Cout]`
 * flattening (the `kh,kw,cin,cout` order): `[kh·kw·Cin / 2, Cout]` int32 (`f16-pairs.ts`). Exact for
 * a weight stored f16; kh·kw·Cin must be even.
 */
export function filterPairs(weight: tf.Tensor4D): tf.Tensor2D {
  const [cout, cin, kh, kw] = weight.shape;
  return tf.tidy(() => packF16Pairs(tf.reshape(tf.transpose(weight, [0, 2, 3, 1]), [cout, kh * kw * cin]) as tf.Tensor2D));
}

/**
 * Whether a convolution with this filter, stride and padding on `cin` channels reads f16 pairs in
 * its fused kernel (the direct kernel, or the token linear over patches, whose widths must be
 * multiples of 4); otherwise `conv2dBiasF16` would unpack them on every call.
 */
export function fusedReadsPairs(cin: number, cout: number, kh: number, kw: number, stride: number, pad: number): boolean {
  return isPatchConv(kh, kw, stride, pad) ? (kh * kw * cin) % 4 === 0 && cout % 4 === 0 : cin % 4 === 0;
}

/** As `conv2dBias`, the filter held as `filterPairs` of a `[Cout, Cin, kh, kw]` weight. */
export function conv2dBiasF16(x: tf.Tensor4D, pairs: tf.Tensor2D, bias: tf.Tensor1D, kh: number, kw: number, stride: number, pad: number): tf.Tensor4D {
  const [, , , cin] = x.shape;
  const cout = bias.shape[0];
  if (pairs.shape[0] * 2 !== kh * kw * cin || pairs.shape[1] !== cout) {
    throw new Error(`conv2dBiasF16: x [${x.shape}] and bias [${bias.shape}] do not match ${kh}×${kw} filter pairs [${pairs.shape}]`);
  }
  if (x.shape[0] === 1 && fusedPathActive(x, pairs, bias) && fusedReadsPairs(cin, cout, kh, kw, stride, pad)) {
    return isPatchConv(kh, kw, stride, pad) ? patchConv(x, pairs, kh, bias, true) : runDirect(x, pairs, bias, kh, kw, stride, pad, true);
  }
  return tf.tidy(() => conv2dBiasReference(x, tf.reshape(unpackF16Pairs(pairs), [kh, kw, cin, cout]) as tf.Tensor4D, bias, stride, pad));
}

/** Non-overlapping patches: stride = kernel, no padding. */
function isPatchConv(kh: number, kw: number, stride: number, pad: number): boolean {
  return kh === kw && stride === kh && pad === 0;
}

/** The direct kernel on x `[1, H, W, Cin]` (Cin a multiple of 4) and the filter `[kh, kw, Cin, Cout]` or its pairs. */
function runDirect(x: tf.Tensor4D, filter: tf.Tensor, bias: tf.Tensor1D, kh: number, kw: number, stride: number, pad: number, halfWeight: boolean): tf.Tensor4D {
  return tf.tidy(() => {
    const y = tf.engine().runKernel(KERNEL_NAME, { x: tf.squeeze(x, [0]), filter, bias }, { kh, kw, stride, pad, halfWeight }) as tf.Tensor3D;
    return tf.expandDims(y, 0) as tf.Tensor4D;
  });
}

/**
 * A convolution over non-overlapping k×k patches (stride k, no padding: Swin's patch embedding) is a
 * Linear over the patches: x cut to whole patches and laid out `[Ho·Wo, k·k·Cin]` in (ky, kx, ci)
 * order, times the filter as `[k·k·Cin, Cout]` (from `[k, k, Cin, Cout]` f32, or its f16 pairs),
 * through the token linear (any Cin for f32, so the 3-channel image too).
 */
function patchConv(x: tf.Tensor4D, filter: tf.Tensor, k: number, bias: tf.Tensor1D, pairs: boolean): tf.Tensor4D {
  return tf.tidy(() => {
    const [, h, w, cin] = x.shape;
    const cout = bias.shape[0];
    const [ho, wo] = [Math.floor(h / k), Math.floor(w / k)];
    const whole = ho * k === h && wo * k === w ? x : tf.slice(x, [0, 0, 0, 0], [1, ho * k, wo * k, cin]);
    // (1×1 convolutions: the map already is the patches.)
    const grouped = k === 1 ? whole : tf.transpose(tf.reshape(whole, [ho, k, wo, k, cin]), [0, 2, 1, 3, 4]);
    const patches = tf.reshape(grouped, [ho * wo, k * k * cin]);
    const y = pairs ? tokenLinearF16(patches, filter as tf.Tensor2D, bias) : tokenLinear(patches, tf.reshape(filter, [k * k * cin, cout]) as tf.Tensor2D, bias);
    return tf.reshape(y, [1, ho, wo, cout]) as tf.Tensor4D;
  });
}

/**
 * The plain-tfjs op the fused kernel must match. Under a gradient tape (prompt tuning) as conv2d + add:
 * tf.fused.conv2d's gradient always computes the filter's too (Conv2DBackpropFilter, which the wasm
 * backend lacks), while tf.conv2d's tape prunes the constant filter.
 */
export function conv2dBiasReference(x: tf.Tensor4D, filter: tf.Tensor4D, bias: tf.Tensor1D, stride: number, pad: number): tf.Tensor4D {
  if (recordingGradients()) return tf.add(tf.conv2d(x, filter, stride, pad), bias);
  return tf.fused.conv2d({ x, filter, strides: stride, pad, bias });
}

registerWgslKernel(KERNEL_NAME, ({ x, filter, bias }, backend, attrs) => {
  const [h, w, cin] = x.shape;
  const cout = bias.shape[0];
  const [kh, kw, stride, pad] = [attrs.kh, attrs.kw, attrs.stride, attrs.pad] as number[];
  const ho = outSize(h, kh, stride, pad);
  const wo = outSize(w, kw, stride, pad);
  const n4 = Math.ceil(cout / 4);
  const pixelBlocks = Math.ceil(wo / BLOCK_PIXELS);
  const blocks = ho * pixelBlocks * n4;
  return runWgsl(backend, {
    label: 'conv2d',
    code: shader,
    constants: { WG: WORKGROUP_SIZE, HALF_WEIGHT: attrs.halfWeight ? 1 : 0 },
    inputs: { x, weight: filter, bias },
    outputs: { y: [ho, wo, cout] },
    params: packParams([
      ['u32', h], ['u32', w], ['u32', cin / 4], ['u32', cout], ['u32', kh], ['u32', kw], ['u32', stride], ['u32', pad],
      ['u32', ho], ['u32', wo], ['u32', n4], ['u32', pixelBlocks], ['u32', blocks],
    ]),
    passes: [{ entryPoint: 'main', workgroups: grid2d(Math.ceil(blocks / WORKGROUP_SIZE)) }],
  });
});

// nn.Conv2d with bias and zero padding on one NHWC image: the fused kernel `shaders/conv2d.wgsl`
// (direct convolution) for inputs whose channel count is a multiple of 4, the token linear over
// patches for non-overlapping convolutions (stride = kernel, no padding: Swin's patch embedding of
// the 3-channel image), and their reference, tfjs's fused conv2d. Other convolutions run the reference.
import * as tf from '@tensorflow/tfjs';
import shader from '../../../../shaders/conv2d.wgsl?raw';
import { fusedPathActive } from './fused-switch.ts';
import { grid2d, packParams, registerWgslKernel, runWgsl } from './run-wgsl.ts';
import { tokenLinear } from './token-linear.ts';

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
    if (kh === kw && stride === kh && pad === 0) return patchConv(x, filter, bias);
    if (cin % 4 === 0) {
      return tf.tidy(() => {
        const y = tf.engine().runKernel(KERNEL_NAME, { x: tf.squeeze(x, [0]), filter, bias }, { stride, pad }) as tf.Tensor3D;
        return tf.expandDims(y, 0) as tf.Tensor4D;
      });
    }
  }
  return conv2dBiasReference(x, filter, bias, stride, pad);
}

/**
 * A convolution over non-overlapping k×k patches (stride k, no padding: Swin's patch embedding) is a
 * Linear over the patches: x cut to whole patches and laid out `[Ho·Wo, k·k·Cin]` in (ky, kx, ci)
 * order, times the filter `[k·k·Cin, Cout]`, through the token linear (any Cin, so the 3-channel image too).
 */
function patchConv(x: tf.Tensor4D, filter: tf.Tensor4D, bias: tf.Tensor1D): tf.Tensor4D {
  return tf.tidy(() => {
    const [, h, w, cin] = x.shape;
    const [k, , , cout] = filter.shape;
    const [ho, wo] = [Math.floor(h / k), Math.floor(w / k)];
    const whole = ho * k === h && wo * k === w ? x : tf.slice(x, [0, 0, 0, 0], [1, ho * k, wo * k, cin]);
    // (1×1 convolutions: the map already is the patches.)
    const grouped = k === 1 ? whole : tf.transpose(tf.reshape(whole, [ho, k, wo, k, cin]), [0, 2, 1, 3, 4]);
    const patches = tf.reshape(grouped, [ho * wo, k * k * cin]);
    const y = tokenLinear(patches, tf.reshape(filter, [k * k * cin, cout]) as tf.Tensor2D, bias);
    return tf.reshape(y, [1, ho, wo, cout]) as tf.Tensor4D;
  });
}

/** The plain-tfjs op the fused kernel must match. */
export function conv2dBiasReference(x: tf.Tensor4D, filter: tf.Tensor4D, bias: tf.Tensor1D, stride: number, pad: number): tf.Tensor4D {
  return tf.fused.conv2d({ x, filter, strides: stride, pad, bias });
}

registerWgslKernel(KERNEL_NAME, ({ x, filter, bias }, backend, attrs) => {
  const [h, w, cin] = x.shape;
  const [kh, kw, , cout] = filter.shape;
  const stride = attrs.stride as number;
  const pad = attrs.pad as number;
  const ho = outSize(h, kh, stride, pad);
  const wo = outSize(w, kw, stride, pad);
  const n4 = Math.ceil(cout / 4);
  const pixelBlocks = Math.ceil(wo / BLOCK_PIXELS);
  const blocks = ho * pixelBlocks * n4;
  return runWgsl(backend, {
    label: 'conv2d',
    code: shader,
    constants: { WG: WORKGROUP_SIZE },
    inputs: [x, filter, bias],
    outputShapes: [[ho, wo, cout]],
    params: packParams([
      ['u32', h], ['u32', w], ['u32', cin / 4], ['u32', cout], ['u32', kh], ['u32', kw], ['u32', stride], ['u32', pad],
      ['u32', ho], ['u32', wo], ['u32', n4], ['u32', pixelBlocks], ['u32', blocks],
    ]),
    passes: [{ entryPoint: 'main', workgroups: grid2d(Math.ceil(blocks / WORKGROUP_SIZE)) }],
  });
});

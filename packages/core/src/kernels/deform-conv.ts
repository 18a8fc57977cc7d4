// Modulated deformable 3×3 convolution (DCNv2), as the official CUDA kernel computes it
// (modulated_deformable_im2col_gpu_kernel + dmcn_im2col_bilinear). Plain-tfjs reference, and the
// fused kernel `shaders/deform-conv.wgsl` (sampling fused into a register-tiled GEMM) that replaces
// it on the `webgpu` backend while fused kernels are on. Both take the weight tap-major [9, Cin, Cout]
// (the layout the model prepares once, `DCN_FILTER_LAYOUT`); the fused path pads it to 4 input /
// 8 output channels for vec4 reads when the widths need it. A filter stored f16 on disk can be held
// as f16 pairs instead (`tapMajorPairs`, padded once; `modulatedDeformConv3x3F16`): the fused kernel
// reads the pairs, the reference unpacks them. On wasm and cpu the sampling runs as a loop over the
// input's values instead (deform-conv-cpu.ts: tfjs's gather dominates the reference there).
//   out[y,x,o] = bias[o] + Σ_{c,i,j} W[o,c,i,j] · m_k(y,x) · bilinear(X_c, y·s − 1 + i + Δy_k, x·s − 1 + j + Δx_k)
// with k = 3i + j, offset channel 2k = Δy and 2k+1 = Δx. A sample counts only if −1 < py < H and
// −1 < px < W; each bilinear corner outside the image contributes 0.
import * as tf from '@tensorflow/tfjs';
import { deformConvOutputSize } from './deform-conv-size.ts';
import shader from '@webglip/shaders/deform-conv.wgsl?raw';
import { packF16Pairs, unpackF16Pairs } from './f16-pairs.ts';
import { modulatedDeformConv3x3Cpu } from './deform-conv-cpu.ts';
import { cpuKernelActive, fusedPathActive } from './fused-switch.ts';
import { gatherRows } from './gather-rows.ts';
import { packParams, registerWgslKernel, runWgsl } from './run-wgsl.ts';

const KERNEL_NAME = 'WebglipModulatedDeformConv3x3';

/** Tap-grid origins y·s − 1 + i (or x·s − 1 + j), `[Hout, Wout, 9]`. */
function baseGrid(hOut: number, wOut: number, stride: number, axis: 'y' | 'x'): tf.Tensor3D {
  const data = new Float32Array(hOut * wOut * 9);
  for (let y = 0; y < hOut; y++) {
    for (let x = 0; x < wOut; x++) {
      for (let k = 0; k < 9; k++) {
        const i = Math.floor(k / 3);
        const j = k % 3;
        data[(y * wOut + x) * 9 + k] = axis === 'y' ? y * stride - 1 + i : x * stride - 1 + j;
      }
    }
  }
  return tf.tensor3d(data, [hOut, wOut, 9]);
}

/** The official `[Cout, Cin, 3, 3]` weight tap-major, `[9, Cin, Cout]` (tap k = 3i + j). */
export function tapMajorFilter(weight: tf.Tensor4D): tf.Tensor3D {
  const [cout, cin] = weight.shape;
  return tf.tidy(() => tf.reshape(tf.transpose(weight, [2, 3, 1, 0]), [9, cin, cout]) as tf.Tensor3D);
}

/** The prepared-weight layout name of `tapMajorFilter`. */
export const DCN_FILTER_LAYOUT = 'taps,cin,cout';

/** Input channels rounded up to 4 and output channels to 8: the widths the fused kernel reads. */
function paddedWidths(cin: number, cout: number): { c4: number; o8: number } {
  return { c4: Math.ceil(cin / 4) * 4, o8: Math.ceil(cout / 8) * 8 };
}

/**
 * The official `[Cout, Cin, 3, 3]` weight tap-major, padded to `[9, C4, O8]` and held as f16 pairs
 * over its 9 · C4 rows: `[9 · C4 / 2, O8]` int32 (`f16-pairs.ts`). Exact for a weight stored f16.
 */
export function tapMajorPairs(weight: tf.Tensor4D): tf.Tensor2D {
  const [cout, cin] = weight.shape;
  const { c4, o8 } = paddedWidths(cin, cout);
  return tf.tidy(() => {
    const padded = tf.pad(tapMajorFilter(weight), [[0, 0], [0, c4 - cin], [0, o8 - cout]]); // [9, C4, O8]
    return packF16Pairs(tf.transpose(tf.reshape(padded, [9 * c4, o8])) as tf.Tensor2D);
  });
}

/** The prepared-weight layout name of `tapMajorPairs`. */
export const DCN_FILTER_F16_LAYOUT = 'taps·cin4/2,cout8 f16 pairs';

/**
 * x `[H, W, Cin]`, offset `[Hout, Wout, 18]`, mask `[Hout, Wout, 9]` (already sigmoid),
 * filter `[9, Cin, Cout]` (tapMajorFilter), bias `[Cout]` or null, stride 1|2, padding 1 → `[Hout, Wout, Cout]`.
 */
export function modulatedDeformConv3x3(
  x: tf.Tensor3D,
  offset: tf.Tensor3D,
  mask: tf.Tensor3D,
  filter: tf.Tensor3D,
  bias: tf.Tensor1D | null,
  stride: 1 | 2,
): tf.Tensor3D {
  if (fusedPathActive(x, offset, mask, filter, bias)) {
    return tf.tidy(() => {
      // The shader reads the filter [9, C4, O8] (vec4 rows).
      const [, cin, cout] = filter.shape;
      const { c4, o8 } = paddedWidths(cin, cout);
      const padded = c4 === cin && o8 === cout ? filter : tf.pad(filter, [[0, 0], [0, c4 - cin], [0, o8 - cout]]);
      return runFused(x, offset, mask, padded, bias, stride, cout, false);
    });
  }
  return unfused(x, offset, mask, filter, bias, stride);
}

/** Off the fused WGSL path: the sampling loop on the CPU-side backends while the switch is on (deform-conv-cpu.ts), else the reference. */
function unfused(x: tf.Tensor3D, offset: tf.Tensor3D, mask: tf.Tensor3D, filter: tf.Tensor3D, bias: tf.Tensor1D | null, stride: 1 | 2): tf.Tensor3D {
  if (cpuKernelActive()) return modulatedDeformConv3x3Cpu(x, offset, mask, filter, bias, stride);
  return modulatedDeformConv3x3Reference(x, offset, mask, filter, bias, stride);
}

/** As `modulatedDeformConv3x3`, the filter held as f16 pairs `[9 · C4 / 2, O8]` (`tapMajorPairs` of a `[cout, Cin, 3, 3]` weight). */
export function modulatedDeformConv3x3F16(
  x: tf.Tensor3D,
  offset: tf.Tensor3D,
  mask: tf.Tensor3D,
  pairs: tf.Tensor2D,
  cout: number,
  bias: tf.Tensor1D | null,
  stride: 1 | 2,
): tf.Tensor3D {
  const cin = x.shape[2];
  const { c4, o8 } = paddedWidths(cin, cout);
  if (pairs.shape[0] !== (9 * c4) / 2 || pairs.shape[1] !== o8) {
    throw new Error(`modulatedDeformConv3x3F16: pairs [${pairs.shape}] do not hold a ${cout} × ${cin} × 3 × 3 filter (expected [${(9 * c4) / 2}, ${o8}])`);
  }
  if (fusedPathActive(x, offset, mask, pairs, bias)) return tf.tidy(() => runFused(x, offset, mask, pairs, bias, stride, cout, true));
  return tf.tidy(() => {
    const filter = tf.slice(tf.reshape(unpackF16Pairs(pairs), [9, c4, o8]), [0, 0, 0], [9, cin, cout]) as tf.Tensor3D;
    return unfused(x, offset, mask, filter, bias, stride);
  });
}

/** The fused kernel on x (channels padded to 4 here) and a filter already padded to C4 / O8 (f32 `[9, C4, O8]` or its pairs). */
function runFused(x: tf.Tensor3D, offset: tf.Tensor3D, mask: tf.Tensor3D, filter: tf.Tensor, bias: tf.Tensor1D | null, stride: 1 | 2, cout: number, halfFilter: boolean): tf.Tensor3D {
  const cin = x.shape[2];
  const { c4 } = paddedWidths(cin, cout);
  const xPadded = c4 === cin ? x : tf.pad(x, [[0, 0], [0, 0], [0, c4 - cin]]);
  // Without bias the filter fills bias's binding; the shader does not read it then.
  const attrs = { stride, cout, hasBias: bias !== null, halfFilter };
  return tf.engine().runKernel(KERNEL_NAME, { x: xPadded, offset, mask, filter, bias: bias ?? filter }, attrs) as tf.Tensor3D;
}

/** The plain-tfjs composite the fused kernel must match. */
export function modulatedDeformConv3x3Reference(
  x: tf.Tensor3D,
  offset: tf.Tensor3D,
  mask: tf.Tensor3D,
  filter: tf.Tensor3D,
  bias: tf.Tensor1D | null,
  stride: 1 | 2,
): tf.Tensor3D {
  return tf.tidy(() => {
    const [h, w, cin] = x.shape;
    const cout = filter.shape[2];
    const [hOut, wOut] = deformConvOutputSize(h, w, stride);
    const pairs = tf.reshape(offset, [hOut, wOut, 9, 2]);
    const py = tf.add(baseGrid(hOut, wOut, stride, 'y'), tf.squeeze(tf.slice(pairs, [0, 0, 0, 0], [-1, -1, -1, 1]), [3]));
    const px = tf.add(baseGrid(hOut, wOut, stride, 'x'), tf.squeeze(tf.slice(pairs, [0, 0, 0, 1], [-1, -1, -1, 1]), [3]));
    // The sampling positions as constants for what is integer or boolean in them (which pixels, which are
    // inside): a view of the same data outside the gradient tape, so autodiff (prompt tuning) reaches the
    // offsets only through the bilinear weights, as the derivative of bilinear sampling does. tfjs has no
    // stop-gradient op; a non-trainable variable shares the tensor's data and is not recorded on the tape.
    const pyConst = tf.variable(py, false);
    const pxConst = tf.variable(px, false);
    const inside = tf.logicalAnd(tf.logicalAnd(tf.greater(pyConst, -1), tf.less(pyConst, h)), tf.logicalAnd(tf.greater(pxConst, -1), tf.less(pxConst, w)));
    const modulation = tf.mul(mask, tf.cast(inside, 'float32')); // [Hout, Wout, 9]

    const y0 = tf.floor(pyConst);
    const x0 = tf.floor(pxConst);
    const ly = tf.sub(py, y0);
    const lx = tf.sub(px, x0);
    const hy = tf.sub(1, ly);
    const hx = tf.sub(1, lx);
    const flat = tf.reshape(x, [h * w, cin]);
    let cols: tf.Tensor = tf.zeros([hOut * wOut * 9, cin]);
    const corners: [tf.Tensor, tf.Tensor, tf.Tensor][] = [
      [y0, x0, tf.mul(hy, hx)],
      [y0, tf.add(x0, 1), tf.mul(hy, lx)],
      [tf.add(y0, 1), x0, tf.mul(ly, hx)],
      [tf.add(y0, 1), tf.add(x0, 1), tf.mul(ly, lx)],
    ];
    for (const [cy, cx, bilinear] of corners) {
      const valid = tf.logicalAnd(tf.logicalAnd(tf.greaterEqual(cy, 0), tf.lessEqual(cy, h - 1)), tf.logicalAnd(tf.greaterEqual(cx, 0), tf.lessEqual(cx, w - 1)));
      const coef = tf.reshape(tf.mul(tf.mul(bilinear, modulation), tf.cast(valid, 'float32')), [-1, 1]);
      const index = tf.cast(tf.add(tf.mul(tf.clipByValue(cy, 0, h - 1), w), tf.clipByValue(cx, 0, w - 1)), 'int32');
      cols = tf.add(cols, tf.mul(gatherRows(flat as tf.Tensor2D, tf.reshape(index, [-1]) as tf.Tensor1D), coef));
    }
    // cols [Hout·Wout, 9·Cin] (tap-major) · W [9·Cin, Cout]
    let out: tf.Tensor = tf.matMul(tf.reshape(cols, [hOut * wOut, 9 * cin]), tf.reshape(filter, [9 * cin, cout]));
    if (bias) out = tf.add(out, bias);
    tf.dispose([pyConst, pxConst]); // variables outlive tidy: disposed here
    return tf.reshape(out, [hOut, wOut, cout]) as tf.Tensor3D;
  });
}

/** Largest pixel tile, pixel × channel tile area, and floats of the sampled-columns tile. */
const MAX_TILE_PIXELS = 128;
const TILE_AREA = 8192;
const COLUMN_FLOATS = 2048;

/** Tile sizes for O8 output and C4 input channels: one channel tile up to 256, pixels filling the rest. */
function tiles(c4: number, o8: number): { TILE_P: number; TILE_C: number; CHUNK: number } {
  const tileC = Math.min(256, Math.max(8, 2 ** Math.ceil(Math.log2(o8))));
  const tileP = Math.min(MAX_TILE_PIXELS, TILE_AREA / tileC);
  const chunk = Math.min(c4, Math.floor(COLUMN_FLOATS / tileP / 4) * 4);
  return { TILE_P: tileP, TILE_C: tileC, CHUNK: chunk };
}

registerWgslKernel(KERNEL_NAME, ({ x, offset, mask, filter, bias }, backend, attrs) => {
  const [h, w, c4] = x.shape;
  const o8 = filter.shape[filter.shape.length - 1]; // [9, C4, O8], or pairs [9 · C4 / 2, O8]
  const cout = attrs.cout as number;
  const stride = attrs.stride as number;
  const [hOut, wOut] = deformConvOutputSize(h, w, stride);
  const tile = tiles(c4, o8);
  return runWgsl(backend, {
    label: 'deform-conv',
    code: shader,
    constants: { HAS_BIAS: attrs.hasBias ? 1 : 0, HALF_FILTER: attrs.halfFilter ? 1 : 0, ...tile },
    inputs: { x, offset, mask, tapFilter: filter, bias },
    outputs: { out: [hOut, wOut, cout] },
    params: packParams([
      ['u32', h],
      ['u32', w],
      ['u32', c4],
      ['u32', cout],
      ['u32', o8],
      ['u32', hOut],
      ['u32', wOut],
      ['u32', stride],
    ]),
    passes: [{ entryPoint: 'main', workgroups: [Math.ceil((hOut * wOut) / tile.TILE_P), Math.ceil(o8 / tile.TILE_C), 1] }],
  });
});

// The modulated deformable 3×3 convolution on tfjs's CPU-side backends (wasm, cpu): the bilinear
// sampling of deform-conv.ts's reference written as one loop over the input's values, then the
// backend's matmul (XNNPACK on wasm). Measured on wasm at glip-nano's P3 (40×52×64 → 64), the
// reference composite spends 95 % of its 296 ms in tfjs's GatherV2 (four gathers of 18,720 rows);
// this loop reads each sampled row once and weights the four corners as it goes.
// The gradient is written out too (tf.customGrad), as loops of the same shape: tfjs cannot differentiate
// the reference composite with respect to the offsets (its gather indices come from them: "the
// gradient of input indices must have 'float32' dtype"), and its gather gradient needs
// UnsortedSegmentSum, which the wasm backend lacks. Prompt tuning backpropagates through every DyConv.
import * as tf from '@tensorflow/tfjs';
import { deformConvOutputSize } from './deform-conv-size.ts';

interface Sampled {
  xv: Float32Array;
  shape: number[];
  ov: Float32Array;
  mv: Float32Array;
  hOut: number;
  wOut: number;
  stride: number;
}

/** One sampling tap: output position p, tap k, its row offset in the columns, its mask, and its bilinear cell. */
interface Tap {
  p: number;
  k: number;
  /** (p·9 + k)·Cin: where its Cin column values start. */
  row: number;
  m: number;
  /** The cell's top-left corner and the point's place in it (ly, lx in [0, 1)). */
  y0: number;
  x0: number;
  ly: number;
  lx: number;
}

/**
 * Every sampling tap inside the image: output position p = y·Wout + x, tap k = 3i + j, the sampling
 * point (py, px) = (y·s − 1 + i + Δy_k, x·s − 1 + j + Δx_k) as its bilinear cell, and its mask m_k(y,x).
 * Taps with the point outside −1 < py < H, −1 < px < W sample zero and are skipped.
 */
function forEachTap({ shape: [h, w, cin], ov, mv, hOut, wOut, stride }: Sampled, visit: (tap: Tap) => void): void {
  for (let y = 0; y < hOut; y++) {
    for (let x = 0; x < wOut; x++) {
      const p = y * wOut + x;
      for (let k = 0; k < 9; k++) {
        const py = y * stride - 1 + Math.floor(k / 3) + ov[p * 18 + 2 * k];
        const px = x * stride - 1 + (k % 3) + ov[p * 18 + 2 * k + 1];
        if (!(py > -1 && py < h && px > -1 && px < w)) continue;
        const y0 = Math.floor(py);
        const x0 = Math.floor(px);
        visit({ p, k, row: (p * 9 + k) * cin, m: mv[p * 9 + k], y0, x0, ly: py - y0, lx: px - x0 });
      }
    }
  }
}

/**
 * Columns `[Hout·Wout, 9·Cin]` (tap-major, as the reference builds them before its matmul):
 * m_k(y,x) · bilinear(X, py, px) for each tap (forEachTap), zero for each corner outside the image.
 */
function sampledColumns(s: Sampled): Float32Array {
  const { xv, shape: [h, w, cin], hOut, wOut } = s;
  const cols = new Float32Array(hOut * wOut * 9 * cin);
  const corner = (row: number, yy: number, xx: number, weight: number): void => {
    if (yy < 0 || yy > h - 1 || xx < 0 || xx > w - 1 || weight === 0) return;
    const src = (yy * w + xx) * cin;
    for (let c = 0; c < cin; c++) cols[row + c] += weight * xv[src + c];
  };
  forEachTap(s, ({ row, m, y0, x0, ly, lx }) => {
    corner(row, y0, x0, (1 - ly) * (1 - lx) * m);
    corner(row, y0, x0 + 1, (1 - ly) * lx * m);
    corner(row, y0 + 1, x0, ly * (1 - lx) * m);
    corner(row, y0 + 1, x0 + 1, ly * lx * m);
  });
  return cols;
}

/**
 * d/dx, d/doffset, d/dmask from dcols `[Hout·Wout, 9·Cin]` (the gradient of the columns): each
 * corner's weight scatters dcols back to x; the sampled value (without m) gives the mask's
 * gradient; the bilinear weights' derivatives in ly and lx the offsets' (the inside test and floor
 * are piecewise constant: no gradient).
 */
function columnGradients(s: Sampled, dcols: Float32Array): [Float32Array, Float32Array, Float32Array] {
  const { xv, shape: [h, w, cin], hOut, wOut } = s;
  const dx = new Float32Array(h * w * cin);
  const doff = new Float32Array(hOut * wOut * 18);
  const dmask = new Float32Array(hOut * wOut * 9);
  forEachTap(s, ({ p, k, row, m, y0, x0, ly, lx }) => {
    let gm = 0;
    let gy = 0;
    let gx = 0;
    // corner, bilinear weight, its derivative in ly and in lx
    const corners: [number, number, number, number, number][] = [
      [y0, x0, (1 - ly) * (1 - lx), -(1 - lx), -(1 - ly)],
      [y0, x0 + 1, (1 - ly) * lx, -lx, 1 - ly],
      [y0 + 1, x0, ly * (1 - lx), 1 - lx, -ly],
      [y0 + 1, x0 + 1, ly * lx, lx, ly],
    ];
    for (const [yy, xx, bil, dly, dlx] of corners) {
      if (yy < 0 || yy > h - 1 || xx < 0 || xx > w - 1) continue;
      const src = (yy * w + xx) * cin;
      let dot = 0; // Σ_c dcols · x at this corner
      for (let c = 0; c < cin; c++) {
        dx[src + c] += bil * m * dcols[row + c];
        dot += dcols[row + c] * xv[src + c];
      }
      gm += bil * dot;
      gy += dly * dot;
      gx += dlx * dot;
    }
    dmask[p * 9 + k] = gm;
    doff[p * 18 + 2 * k] = m * gy;
    doff[p * 18 + 2 * k + 1] = m * gx;
  });
  return [dx, doff, dmask];
}

/**
 * As deform-conv.ts's `modulatedDeformConv3x3Reference` (same arguments, same result within f32
 * rounding of the corner sums), computed by `sampledColumns` and one matmul, with its gradient
 * with respect to every input.
 */
export function modulatedDeformConv3x3Cpu(
  x: tf.Tensor3D,
  offset: tf.Tensor3D,
  mask: tf.Tensor3D,
  filter: tf.Tensor3D,
  bias: tf.Tensor1D | null,
  stride: 1 | 2,
): tf.Tensor3D {
  const inputs: tf.Tensor[] = bias === null ? [x, offset, mask, filter] : [x, offset, mask, filter, bias];
  const n = inputs.length;
  const [h, w, cin] = x.shape;
  const cout = filter.shape[2];
  const [hOut, wOut] = deformConvOutputSize(h, w, stride);
  const run = tf.customGrad((...args: (tf.Tensor | ((t: tf.Tensor[]) => void))[]) => {
    const [xi, oi, mi, fi] = args as tf.Tensor3D[];
    const bi = n === 5 ? (args[4] as tf.Tensor1D) : null;
    (args[n] as (t: tf.Tensor[]) => void)(args.slice(0, n) as tf.Tensor[]);
    const sampled: Sampled = { xv: xi.dataSync() as Float32Array, shape: xi.shape, ov: oi.dataSync() as Float32Array, mv: mi.dataSync() as Float32Array, hOut, wOut, stride };
    const cols = sampledColumns(sampled);
    const value = tf.tidy(() => {
      const out = tf.matMul(tf.tensor2d(cols, [hOut * wOut, 9 * cin]), tf.reshape(fi, [9 * cin, cout]));
      return tf.reshape(bi ? tf.add(out, bi) : out, [hOut, wOut, cout]) as tf.Tensor3D;
    });
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] => {
      const [sx, so, sm, sf] = saved;
      const again: Sampled = { xv: sx.dataSync() as Float32Array, shape: sx.shape, ov: so.dataSync() as Float32Array, mv: sm.dataSync() as Float32Array, hOut, wOut, stride };
      const dy2 = tf.reshape(dy, [hOut * wOut, cout]);
      const filter2 = tf.reshape(sf, [9 * cin, cout]);
      const dcols = tf.matMul(dy2, filter2, false, true); // [P, 9·Cin]
      const colsAgain = tf.tensor2d(sampledColumns(again), [hOut * wOut, 9 * cin]);
      const dfilter = tf.reshape(tf.matMul(colsAgain, dy2, true, false), [9, cin, cout]);
      const [dx, doff, dmask] = columnGradients(again, dcols.dataSync() as Float32Array);
      tf.dispose([dy2, filter2, dcols, colsAgain]);
      const grads = [tf.tensor3d(dx, [h, w, cin]), tf.tensor3d(doff, [hOut, wOut, 18]), tf.tensor3d(dmask, [hOut, wOut, 9]), dfilter];
      return n === 5 ? [...grads, tf.sum(dy, [0, 1])] : grads;
    };
    return { value, gradFunc };
  });
  return run(...inputs) as tf.Tensor3D;
}

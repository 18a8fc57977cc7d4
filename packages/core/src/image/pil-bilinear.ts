// PIL's bilinear resize (`Image.resize(size, BILINEAR)`, what torchvision's Resize does on PIL images),
// as tfjs ops. PIL resamples separably with a triangle filter whose support widens with the
// downscaling factor (antialiasing), horizontal pass first; each pass rounds to uint8 through 22-bit
// fixed-point coefficients. The coefficients are computed here exactly as PIL does (float64 +
// quantisation); the weighted sums run in f32 on the device, so a rare result that lies within ~1e-5
// of a rounding boundary may differ from PIL by one grey level.
import * as tf from '@tensorflow/tfjs';

const PRECISION_BITS = 22;

/** For each output index: the first input index and its filter weights (PIL `precompute_coeffs`). */
export interface ResampleTaps {
  /** `[outSize]` first input index of each output's window. */
  start: Int32Array;
  /** `[outSize × taps]` quantised weights, row per output; zero beyond the window. */
  weights: Float32Array;
  taps: number;
}

export function bilinearTaps(inSize: number, outSize: number): ResampleTaps {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = 1.0 * filterScale; // the bilinear filter has support 1
  const taps = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(outSize);
  const weights = new Float32Array(outSize * taps);
  const k = new Float64Array(taps);
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    const xmin = Math.max(Math.trunc(center - support + 0.5), 0);
    const count = Math.min(Math.trunc(center + support + 0.5), inSize) - xmin;
    const ss = 1.0 / filterScale;
    let sum = 0;
    for (let x = 0; x < count; x++) {
      const d = Math.abs((x + xmin - center + 0.5) * ss);
      k[x] = d < 1 ? 1 - d : 0;
      sum += k[x];
    }
    for (let x = 0; x < count; x++) {
      const w = sum !== 0 ? k[x] / sum : k[x];
      weights[xx * taps + x] = Math.trunc(0.5 + w * 2 ** PRECISION_BITS) / 2 ** PRECISION_BITS;
    }
    start[xx] = xmin;
  }
  return { start, weights, taps };
}

/** One resampling pass along `axis` (0 = rows, 1 = columns) of `[H, W, C]` uint8-valued floats. */
function resamplePass(x: tf.Tensor3D, axis: 0 | 1, outSize: number): tf.Tensor3D {
  const inSize = x.shape[axis];
  const { start, weights, taps } = bilinearTaps(inSize, outSize);
  return tf.tidy(() => {
    let acc: tf.Tensor3D = tf.zeros([axis === 0 ? outSize : x.shape[0], axis === 1 ? outSize : x.shape[1], x.shape[2]]);
    for (let t = 0; t < taps; t++) {
      const index = new Int32Array(outSize);
      const weight = new Float32Array(outSize);
      for (let o = 0; o < outSize; o++) {
        index[o] = Math.min(start[o] + t, inSize - 1);
        weight[o] = weights[o * taps + t];
      }
      const w = tf.tensor3d(weight, axis === 0 ? [outSize, 1, 1] : [1, outSize, 1]);
      acc = tf.add(acc, tf.mul(tf.gather(x, tf.tensor1d(index, 'int32'), axis), w));
    }
    // PIL: clip8((Σ pixel·k + 2^21) >> 22), i.e. floor(Σ + 0.5) clipped to [0, 255].
    return tf.clipByValue(tf.floor(tf.add(acc, 0.5)), 0, 255) as tf.Tensor3D;
  });
}

/** `[H, W, C]` float image with integer values 0..255 → `[outH, outW, C]`, as PIL bilinear. */
export function pilBilinearResize(x: tf.Tensor3D, outHeight: number, outWidth: number): tf.Tensor3D {
  return tf.tidy(() => {
    let y = x;
    if (outWidth !== x.shape[1]) y = resamplePass(y, 1, outWidth);
    if (outHeight !== x.shape[0]) y = resamplePass(y, 0, outHeight);
    return y === x ? tf.clone(x) : y;
  });
}

// F.interpolate(mode='bilinear', align_corners=True) (DyConv's upsample_bilinear) as two matrix
// products, out = R_y · x · R_xᵀ, where row i of R_n→m holds the two linear weights of source position
// i·(n − 1)/(m − 1). Same values as tf.image.resizeBilinear(…, alignCorners = true) to float rounding,
// and differentiable: tfjs 4.22's ResizeBilinearGrad returns the input gradient transposed (H and W
// swapped) for non-square maps, which breaks autodiff through the head (prompt tuning).
import * as tf from '@tensorflow/tfjs';

/** `[m, n]` align-corners linear interpolation weights from n source to m target positions. */
function interpolationMatrix(n: number, m: number): tf.Tensor2D {
  const r = new Float32Array(m * n);
  const scale = m > 1 ? (n - 1) / (m - 1) : 0;
  for (let i = 0; i < m; i++) {
    const s = i * scale;
    const lo = Math.min(Math.floor(s), n - 1);
    const hi = Math.min(lo + 1, n - 1);
    const frac = s - lo;
    r[i * n + lo] += 1 - frac;
    r[i * n + hi] += frac;
  }
  return tf.tensor2d(r, [m, n]);
}

/** x `[1, h, w, C]` → `[1, H, W, C]`. */
export function upsampleBilinearAlignCorners(x: tf.Tensor4D, [outH, outW]: [number, number]): tf.Tensor4D {
  return tf.tidy(() => {
    const [, h, w, c] = x.shape;
    const rows = tf.matMul(interpolationMatrix(h, outH), tf.reshape(x, [h, w * c])); // [H, w·C]
    const byColumn = tf.reshape(tf.transpose(tf.reshape(rows, [outH, w, c]), [1, 0, 2]), [w, outH * c]); // [w, H·C]
    const cols = tf.matMul(interpolationMatrix(w, outW), byColumn); // [W, H·C]
    return tf.reshape(tf.transpose(tf.reshape(cols, [outW, outH, c]), [1, 0, 2]), [1, outH, outW, c]) as tf.Tensor4D;
  });
}

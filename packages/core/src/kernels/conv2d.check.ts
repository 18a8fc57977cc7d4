// The direct conv2d vs its reference on the shapes the model runs and the kernel's edges: a 1×1
// map, 3×3 with padding on a map narrower than an invocation's pixel block, the DyHead offset conv
// (Cout 27, not a multiple of 4) at stride 1 and 2, an FPN 3×3 and a 1×1 lateral, P6/P7's stride 2
// on odd sizes, 4×4 stride-4 patch embeddings (the token-linear path) on 3 channels (Swin's, with a
// map that is not a whole number of patches) and 4, a wide 3×3 (256 → 256). The filter held as f16
// pairs (exact f16 values, as filters stored f16 on disk are): the offset conv's Cout 27, an FPN 3×3
// at stride 2, a 1×1 and the patch embedding (token-linear path), and a shape the fused kernels do
// not read pairs in (2 channels, 3×3: the reference unpacks).
import * as tf from '@tensorflow/tfjs';
import { type CheckResult, compare, fusedCheck, randomTensor, seededRandom } from './check-util.ts';
import { conv2dBias, conv2dBiasF16, conv2dBiasReference, filterPairs } from './conv2d.ts';
import { randomHalfWeights } from './linear-f16.check.ts';

const CASES: { h: number; w: number; cin: number; cout: number; k: number; stride: number; pad: number }[] = [
  { h: 1, w: 1, cin: 4, cout: 1, k: 1, stride: 1, pad: 0 },
  { h: 5, w: 7, cin: 8, cout: 6, k: 3, stride: 1, pad: 1 },
  { h: 40, w: 52, cin: 64, cout: 27, k: 3, stride: 1, pad: 1 },
  { h: 20, w: 26, cin: 64, cout: 27, k: 3, stride: 2, pad: 1 },
  { h: 20, w: 26, cin: 64, cout: 64, k: 3, stride: 1, pad: 1 },
  { h: 40, w: 52, cin: 48, cout: 64, k: 1, stride: 1, pad: 0 },
  { h: 5, w: 7, cin: 64, cout: 64, k: 3, stride: 2, pad: 1 },
  { h: 33, w: 41, cin: 4, cout: 24, k: 4, stride: 4, pad: 0 },
  { h: 34, w: 43, cin: 3, cout: 24, k: 4, stride: 4, pad: 0 },
  { h: 9, w: 19, cin: 256, cout: 256, k: 3, stride: 1, pad: 1 },
];

const HALF_CASES: { h: number; w: number; cin: number; cout: number; k: number; stride: number; pad: number }[] = [
  { h: 20, w: 26, cin: 64, cout: 27, k: 3, stride: 1, pad: 1 },
  { h: 5, w: 7, cin: 64, cout: 64, k: 3, stride: 2, pad: 1 },
  { h: 40, w: 52, cin: 48, cout: 64, k: 1, stride: 1, pad: 0 },
  { h: 34, w: 43, cin: 3, cout: 24, k: 4, stride: 4, pad: 0 },
  { h: 6, w: 5, cin: 2, cout: 5, k: 3, stride: 1, pad: 1 },
];

export const conv2dCheck = fusedCheck('conv2d', async () => {
  const random = seededRandom(13);
  const results: CheckResult[] = [];
  for (const { h, w, cin, cout, k, stride, pad } of CASES) {
    const x = randomTensor([1, h, w, cin], random) as tf.Tensor4D;
    const filter = randomTensor([k, k, cin, cout], random, 0.2) as tf.Tensor4D;
    const bias = randomTensor([cout], random) as tf.Tensor1D;
    const name = `x[${h},${w},${cin}] ${k}×${k}→${cout} s${stride} p${pad}`;
    results.push(await compare(name, conv2dBias(x, filter, bias, stride, pad), conv2dBiasReference(x, filter, bias, stride, pad)));
    tf.dispose([x, filter, bias]);
  }
  for (const { h, w, cin, cout, k, stride, pad } of HALF_CASES) {
    const x = randomTensor([1, h, w, cin], random) as tf.Tensor4D;
    const official = tf.tensor4d(randomHalfWeights(cout * cin * k * k, random).values, [cout, cin, k, k]);
    const pairs = filterPairs(official);
    const filter = tf.transpose(official, [2, 3, 1, 0]) as tf.Tensor4D; // the same values in f32: the reference checks the packing too
    const bias = randomTensor([cout], random) as tf.Tensor1D;
    const name = `x[${h},${w},${cin}] ${k}×${k}→${cout} s${stride} p${pad} f16 pairs`;
    results.push(await compare(name, conv2dBiasF16(x, pairs, bias, k, k, stride, pad), conv2dBiasReference(x, filter, bias, stride, pad)));
    tf.dispose([x, official, pairs, filter, bias]);
  }
  return results;
});

// Fused modulated deformable conv vs its reference: a 1×1 image, Cin not a multiple of 4 nor of the
// channel chunk (two chunks, the second partial), Cout not a multiple of 8 and over one 256-channel
// tile, pixels over several tiles, stride 2 on odd sizes, zero offsets (a plain conv), offsets far
// outside the image, and half-pixel offsets that land exactly on the −1 < p < H borders. The filter
// held as f16 pairs (exact f16 values, as filters stored f16 on disk are): padded widths, stride 2,
// no bias, glip-nano's 64 channels.
import * as tf from '@tensorflow/tfjs';
import { deformConvOutputSize } from './deform-conv-size.ts';
import { type CheckResult, compare, fusedCheck, randomTensor, seededRandom } from './check-util.ts';
import { modulatedDeformConv3x3, modulatedDeformConv3x3F16, modulatedDeformConv3x3Reference, tapMajorFilter, tapMajorPairs } from './deform-conv.ts';
import { randomHalfWeights } from './linear-f16.check.ts';

type OffsetKind = 'random' | 'zero' | 'far' | 'half-pixel';

const CASES: { h: number; w: number; cin: number; cout: number; stride: 1 | 2; bias: boolean; offsets: OffsetKind }[] = [
  { h: 1, w: 1, cin: 1, cout: 1, stride: 1, bias: false, offsets: 'zero' },
  { h: 5, w: 7, cin: 3, cout: 5, stride: 1, bias: true, offsets: 'random' },
  { h: 9, w: 6, cin: 17, cout: 70, stride: 2, bias: true, offsets: 'random' },
  { h: 7, w: 5, cin: 4, cout: 3, stride: 2, bias: true, offsets: 'zero' },
  { h: 11, w: 13, cin: 16, cout: 8, stride: 1, bias: false, offsets: 'far' },
  { h: 6, w: 5, cin: 5, cout: 6, stride: 1, bias: true, offsets: 'half-pixel' },
  { h: 12, w: 12, cin: 32, cout: 64, stride: 1, bias: true, offsets: 'random' },
  { h: 9, w: 8, cin: 70, cout: 260, stride: 1, bias: true, offsets: 'random' },
];

const HALF_CASES: { h: number; w: number; cin: number; cout: number; stride: 1 | 2; bias: boolean }[] = [
  { h: 5, w: 7, cin: 3, cout: 5, stride: 1, bias: true },
  { h: 9, w: 6, cin: 17, cout: 70, stride: 2, bias: false },
  { h: 12, w: 13, cin: 64, cout: 64, stride: 1, bias: true },
];

function offsets(kind: OffsetKind, shape: number[], random: () => number): tf.Tensor3D {
  const size = shape.reduce((a, b) => a * b, 1);
  const value = (): number => {
    if (kind === 'zero') return 0;
    if (kind === 'far') return (2 * random() - 1) * 12;
    if (kind === 'half-pixel') return (Math.floor(random() * 7) - 3) * 0.5;
    return (2 * random() - 1) * 2.5;
  };
  return tf.tensor3d(Float32Array.from({ length: size }, value), shape as [number, number, number]);
}

export const deformConvCheck = fusedCheck('deform-conv', async () => {
  const random = seededRandom(4);
  const results: CheckResult[] = [];
  for (const { h, w, cin, cout, stride, bias: withBias, offsets: kind } of CASES) {
    const [hOut, wOut] = deformConvOutputSize(h, w, stride);
    const x = randomTensor([h, w, cin], random) as tf.Tensor3D;
    const offset = offsets(kind, [hOut, wOut, 18], random);
    const mask = randomTensor([hOut, wOut, 9], random, 0.5, 0.5) as tf.Tensor3D;
    const weight = tapMajorFilter(randomTensor([cout, cin, 3, 3], random, 1 / Math.sqrt(9 * cin)) as tf.Tensor4D);
    const bias = withBias ? (randomTensor([cout], random, 0.5) as tf.Tensor1D) : null;
    const name = `x[${h},${w},${cin}] Cout=${cout} stride=${stride} bias=${withBias} offsets=${kind}`;
    results.push(
      await compare(name, modulatedDeformConv3x3(x, offset, mask, weight, bias, stride), modulatedDeformConv3x3Reference(x, offset, mask, weight, bias, stride)),
    );
    tf.dispose([x, offset, mask, weight, ...(bias ? [bias] : [])]);
  }
  for (const { h, w, cin, cout, stride, bias: withBias } of HALF_CASES) {
    const [hOut, wOut] = deformConvOutputSize(h, w, stride);
    const x = randomTensor([h, w, cin], random) as tf.Tensor3D;
    const offset = offsets('random', [hOut, wOut, 18], random);
    const mask = randomTensor([hOut, wOut, 9], random, 0.5, 0.5) as tf.Tensor3D;
    const weight = tf.tensor4d(randomHalfWeights(cout * cin * 9, random).values, [cout, cin, 3, 3]);
    const pairs = tapMajorPairs(weight);
    const bias = withBias ? (randomTensor([cout], random, 0.5) as tf.Tensor1D) : null;
    const name = `x[${h},${w},${cin}] Cout=${cout} stride=${stride} bias=${withBias} f16 pairs`;
    const filter = tapMajorFilter(weight); // the same values in f32: the reference checks the packing too
    results.push(await compare(name, modulatedDeformConv3x3F16(x, offset, mask, pairs, cout, bias, stride), modulatedDeformConv3x3Reference(x, offset, mask, filter, bias, stride)));
    tf.dispose([x, offset, mask, weight, pairs, filter, ...(bias ? [bias] : [])]);
  }
  return results;
});

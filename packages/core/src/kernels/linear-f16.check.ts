// The f16-weight linear vs its reference on shapes at the kernel's edges: one output, fewer rows
// than a tile and columns than a workgroup, K across a staging chunk, column and row remainders,
// BERT-base's widths with a short and a full-length prompt. Weights are exact f16 values, as
// weights stored f16 on disk are.
import * as tf from '@tensorflow/tfjs';
import { f16ToF32 } from '../weights/half-float.ts';
import { type CheckResult, compare, fusedCheck, randomTensor, seededRandom } from './check-util.ts';
import { packF16Pairs } from './f16-pairs.ts';
import { linearF16, linearF16Reference } from './linear-f16.ts';

const CASES: { rows: number[]; k: number; n: number }[] = [
  { rows: [1], k: 2, n: 1 },
  { rows: [3], k: 10, n: 5 },
  { rows: [2, 7], k: 130, n: 66 },
  { rows: [9], k: 256, n: 129 },
  { rows: [19], k: 768, n: 3072 },
  { rows: [256], k: 768, n: 256 },
];

/**
 * f16 bit patterns of finite normal values, random sign, magnitudes 2^−6 … 2^2, and those values
 * as f32 (exact): what a weight stored f16 on disk holds.
 */
export function randomHalfWeights(count: number, random: () => number): { bits: Uint16Array; values: Float32Array } {
  const bits = Uint16Array.from({ length: count }, () => {
    const sign = random() < 0.5 ? 0x8000 : 0;
    const exponent = 9 + Math.floor(random() * 8); // biased: 2^(e − 15)
    return sign | (exponent << 10) | Math.floor(random() * 1024);
  });
  return { bits, values: f16ToF32(bits) };
}

export const linearF16Check = fusedCheck('linear-f16', async () => {
  const random = seededRandom(5);
  const results: CheckResult[] = [];
  for (const { rows, k, n } of CASES) {
    const x = randomTensor([...rows, k], random);
    const weight = tf.tensor2d(randomHalfWeights(n * k, random).values, [n, k]);
    const pairs = packF16Pairs(weight);
    const bias = randomTensor([n], random);
    const name = `x[${rows},${k}] W[${n},${k}]`;
    results.push(await compare(name, linearF16(x, pairs, bias as tf.Tensor1D), linearF16Reference(x, pairs, bias as tf.Tensor1D)));
    tf.dispose([x, weight, pairs, bias]);
  }
  return results;
});

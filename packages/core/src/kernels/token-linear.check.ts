// The token linear vs its reference on shapes at the kernel's edges: the narrowest K and N (4),
// fewer rows than an invocation's block and a row remainder, no bias, glip-nano's Swin stage-1 qkv
// (8,820 tokens, 24 → 72), GLIP-T Swin widths (96 → 384, 768 → 3072 over fewer tokens); widths
// that are not multiples of 4 (the any-width entry point): K = 1, 3, 11 (prompt tokens), N = 1, 3,
// 11, a K tail after full steps of 4; GELU after glip-nano's stage-1 fc1 and after an odd width.
// Weights held as f16 pairs (the shader's HALF_WEIGHTS; exact f16 values, as weights
// stored f16 on disk are): the narrowest K and N, a row remainder, glip-nano's stage-1 qkv and fc1
// with GELU, a GLIP-T Swin width without bias.
import * as tf from '@tensorflow/tfjs';
import { type CheckResult, compare, fusedCheck, randomTensor, seededRandom } from './check-util.ts';
import { packF16Pairs } from './f16-pairs.ts';
import { randomHalfWeights } from './linear-f16.check.ts';
import { batchedTokenLinear, tokenLinear, tokenLinearF16, tokenLinearF16Reference, tokenLinearReference } from './token-linear.ts';

const CASES: { rows: number[]; k: number; n: number; bias: boolean; gelu?: true }[] = [
  { rows: [1], k: 4, n: 4, bias: true },
  { rows: [3, 5], k: 8, n: 12, bias: false },
  { rows: [37], k: 20, n: 4, bias: true },
  { rows: [8820], k: 24, n: 72, bias: true },
  { rows: [9, 11], k: 96, n: 384, bias: true },
  { rows: [33], k: 768, n: 3072, bias: false },
  { rows: [1], k: 1, n: 1, bias: true },
  { rows: [5], k: 3, n: 7, bias: false },
  { rows: [2080], k: 64, n: 11, bias: false },
  { rows: [2080], k: 11, n: 3, bias: false },
  { rows: [17], k: 10, n: 4, bias: true },
  { rows: [8320], k: 24, n: 96, bias: true, gelu: true },
  { rows: [7], k: 6, n: 5, bias: true, gelu: true },
];

const HALF_CASES: { rows: number[]; k: number; n: number; bias: boolean; gelu?: true }[] = [
  { rows: [1], k: 4, n: 4, bias: true },
  { rows: [37], k: 20, n: 8, bias: true },
  { rows: [8820], k: 24, n: 72, bias: true },
  { rows: [8320], k: 24, n: 96, bias: true, gelu: true },
  { rows: [33], k: 768, n: 3072, bias: false },
];

const BATCHED_CASES: { batch: number; m: number; k: number; n: number }[] = [
  { batch: 8, m: 11, k: 256, n: 72 },
  { batch: 8, m: 11, k: 64, n: 256 },
  { batch: 8, m: 37, k: 256, n: 264 },
  { batch: 3, m: 5, k: 12, n: 8 },
  { batch: 2, m: 7, k: 6, n: 5 },
];

export const tokenLinearCheck = fusedCheck('token-linear', async () => {
  const random = seededRandom(9);
  const results: CheckResult[] = [];
  for (const { rows, k, n, bias, gelu } of CASES) {
    const x = randomTensor([...rows, k], random);
    const weight = randomTensor([k, n], random) as tf.Tensor2D;
    const b = bias ? (randomTensor([n], random) as tf.Tensor1D) : null;
    const act = gelu ? 'gelu' : 'none';
    const name = `x[${rows},${k}] W[${k},${n}]${bias ? '' : ' no bias'}${gelu ? ' GELU' : ''}`;
    results.push(await compare(name, tokenLinear(x, weight, b, act), tokenLinearReference(x, weight, b, act)));
    tf.dispose([x, weight, ...(b ? [b] : [])]);
  }
  for (const { rows, k, n, bias, gelu } of HALF_CASES) {
    const x = randomTensor([...rows, k], random);
    const weight = tf.tensor2d(randomHalfWeights(n * k, random).values, [n, k]); // official [out, in]
    const pairs = packF16Pairs(weight);
    const b = bias ? (randomTensor([n], random) as tf.Tensor1D) : null;
    const act = gelu ? 'gelu' : 'none';
    const name = `x[${rows},${k}] W[${k},${n}] f16 pairs${bias ? '' : ' no bias'}${gelu ? ' GELU' : ''}`;
    results.push(await compare(name, tokenLinearF16(x, pairs, b, act), tokenLinearF16Reference(x, pairs, b, act)));
    tf.dispose([x, weight, pairs, ...(b ? [b] : [])]);
  }
  for (const { batch, m, k, n } of BATCHED_CASES) {
    const x = randomTensor([batch, m, k], random) as tf.Tensor3D;
    const weight = randomTensor([batch, k, n], random) as tf.Tensor3D;
    results.push(await compare(`batched x[${batch},${m},${k}] W[${batch},${k},${n}]`, batchedTokenLinear(x, weight), tf.matMul(x, weight)));
    tf.dispose([x, weight]);
  }
  return results;
});

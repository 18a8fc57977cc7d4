// Fused bi-directional attention vs its reference: single tokens, masked and all-masked text, N over
// several segments and several steps and not a multiple of either, T not a multiple of 4, T at the
// 256 limit, GLIP's head dim 256 (embed 2048 / 8 heads), logits large enough to hit the ±50000 clamps, and
// image tokens shared by all heads (the folded fusion: glip-nano's 64 channels + 8, GLIP-T's 256 + 8).
import * as tf from '@tensorflow/tfjs';
import { biAttention, biAttentionReference } from './bi-attention.ts';
import { type CheckResult, compare, fusedCheck, randomTensor, seededRandom } from './check-util.ts';

const CASES: { heads: number; n: number; mask: number[]; d: number; qScale: number; shared?: boolean }[] = [
  { heads: 1, n: 1, mask: [1], d: 16, qScale: 1 },
  { heads: 2, n: 37, mask: [1, 1, 1, 0, 0], d: 16, qScale: 1 },
  { heads: 2, n: 300, mask: [1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0], d: 16, qScale: 0.5 },
  { heads: 1, n: 20, mask: [0, 0, 0], d: 16, qScale: 1 },
  { heads: 2, n: 70, mask: [...Array(15).fill(1), 0, 0], d: 256, qScale: 0.3 },
  { heads: 1, n: 9, mask: Array(256).fill(1), d: 16, qScale: 1 },
  { heads: 2, n: 41, mask: Array.from({ length: 201 }, (_, i) => (i % 7 === 3 ? 0 : 1)), d: 16, qScale: 1 },
  { heads: 1, n: 23, mask: [1, 1, 0, 1], d: 16, qScale: 40000 },
  { heads: 8, n: 333, mask: [...Array(9).fill(1), 0], d: 72, qScale: 1, shared: true },
  { heads: 3, n: 150, mask: Array(33).fill(1), d: 264, qScale: 0.3, shared: true },
  { heads: 8, n: 500, mask: [...Array(11).fill(1), ...Array(245).fill(0)], d: 72, qScale: 1, shared: true },
  { heads: 8, n: 2777, mask: [...Array(11).fill(1), ...Array(245).fill(0)], d: 72, qScale: 1, shared: true },
  { heads: 2, n: 2777, mask: [...Array(11).fill(1), ...Array(245).fill(0)], d: 16, qScale: 1 },
];

export const biAttentionCheck = fusedCheck('bi-attention', async () => {
  const random = seededRandom(2);
  const results: CheckResult[] = [];
  for (const { heads, n, mask, d, qScale, shared } of CASES) {
    const t = mask.length;
    const imageHeads = shared ? 1 : heads;
    const q = randomTensor([imageHeads, n, d], random, qScale) as tf.Tensor3D;
    const k = randomTensor([heads, t, d], random) as tf.Tensor3D;
    const valueV = randomTensor([imageHeads, n, d], random) as tf.Tensor3D;
    const valueL = randomTensor([heads, t, d], random) as tf.Tensor3D;
    const textMask = tf.tensor1d(mask);
    const fused = biAttention(q, k, valueV, valueL, textMask);
    const reference = biAttentionReference(q, k, valueV, valueL, textMask);
    const name = `H=${heads}${shared ? ' shared image' : ''} N=${n} T=${t} d=${d} masked=${mask.filter((m) => m === 0).length} qScale=${qScale}`;
    results.push(await compare(`${name} outV`, fused.outV, reference.outV));
    results.push(await compare(`${name} outL`, fused.outL, reference.outL));
    tf.dispose([q, k, valueV, valueL, textMask]);
  }
  return results;
});

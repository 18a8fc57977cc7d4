// The f16 embedding lookup vs its reference: a two-column table, repeated ids, the first and last
// rows, glip-nano's word embeddings (30 522 × 64) and BERT-base's width (768) with a full-length
// prompt. Table values are exact f16, as tables stored f16 on disk are.
import * as tf from '@tensorflow/tfjs';
import { type CheckResult, compare, fusedCheck, seededRandom } from './check-util.ts';
import { embeddingF16, embeddingF16Reference } from './embedding-f16.ts';
import { packF16Pairs } from './f16-pairs.ts';
import { randomHalfWeights } from './linear-f16.check.ts';

const CASES: { vocab: number; dim: number; ids: (random: () => number, vocab: number) => number[] }[] = [
  { vocab: 7, dim: 2, ids: () => [0, 6, 3, 3] },
  { vocab: 30522, dim: 64, ids: (random, v) => [101, ...Array.from({ length: 9 }, () => Math.floor(random() * v)), v - 1] },
  { vocab: 2000, dim: 768, ids: (random, v) => Array.from({ length: 256 }, () => Math.floor(random() * v)) },
];

export const embeddingF16Check = fusedCheck('embedding-f16', async () => {
  const random = seededRandom(13);
  const results: CheckResult[] = [];
  for (const { vocab, dim, ids: pick } of CASES) {
    const table = tf.tensor2d(randomHalfWeights(vocab * dim, random).values, [vocab, dim]);
    const pairs = packF16Pairs(table);
    const ids = tf.tensor1d(pick(random, vocab), 'int32');
    results.push(await compare(`E[${vocab},${dim}] ${ids.size} ids`, embeddingF16(pairs, ids), embeddingF16Reference(pairs, ids)));
    tf.dispose([table, pairs, ids]);
  }
  return results;
});

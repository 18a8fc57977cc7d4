// Fused layer norm vs its reference on shapes that hit the edges of the kernel: one column, fewer
// columns than threads, a multiple of the workgroup, a remainder, a large mean, BERT's tiny eps;
// rows of up to 256 columns take the row-per-invocation entry point (also with a row count that
// is not a multiple of the workgroup), wider ones the workgroup-per-row one.
import * as tf from '@tensorflow/tfjs';
import { type CheckResult, compare, fusedCheck, randomTensor, seededRandom } from './check-util.ts';
import { layerNorm, layerNormReference } from './layer-norm.ts';

const CASES: { shape: number[]; offset: number; eps: number }[] = [
  { shape: [1, 1], offset: 0, eps: 1e-5 },
  { shape: [3, 5], offset: 0, eps: 1e-5 },
  { shape: [2, 7, 64], offset: 0, eps: 1e-5 },
  { shape: [1, 11, 65], offset: 0, eps: 1e-5 },
  { shape: [1, 6, 6, 96], offset: 0, eps: 1e-5 },
  { shape: [37, 193], offset: 100, eps: 1e-5 },
  { shape: [1, 9, 256], offset: 0, eps: 1e-12 },
  { shape: [1, 9, 257], offset: 0, eps: 1e-12 },
  { shape: [1, 80, 104, 24], offset: 0, eps: 1e-5 },
  { shape: [7, 13, 768], offset: 50, eps: 1e-5 },
];

export const layerNormCheck = fusedCheck('layer-norm', async () => {
    const random = seededRandom(1);
    const results: CheckResult[] = [];
    for (const { shape, offset, eps } of CASES) {
      const c = shape[shape.length - 1];
      const x = randomTensor(shape, random, 3, offset);
      const gamma = randomTensor([c], random, 0.5, 1);
      const beta = randomTensor([c], random, 0.5);
      const name = `x[${shape}] offset=${offset} eps=${eps}`;
      results.push(await compare(name, layerNorm(x, gamma, beta, eps), layerNormReference(x, gamma, beta, eps)));
      tf.dispose([x, gamma, beta]);
    }
    return results;
});

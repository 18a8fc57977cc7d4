// Fused group norm vs its reference: one pixel, one channel per group, fewer elements per group
// than threads, glip-nano's DyHead levels (64 channels, 16 groups, P3 and P7), a large mean, and
// GLIP-T's width (256 channels) on a small map.
import * as tf from '@tensorflow/tfjs';
import { type CheckResult, compare, fusedCheck, randomTensor, seededRandom } from './check-util.ts';
import { groupNorm, groupNormReference } from './group-norm.ts';

const CASES: { h: number; w: number; c: number; groups: number; offset: number }[] = [
  { h: 1, w: 1, c: 4, groups: 2, offset: 0 },
  { h: 3, w: 5, c: 8, groups: 8, offset: 0 },
  { h: 2, w: 3, c: 12, groups: 3, offset: 0 },
  { h: 40, w: 52, c: 64, groups: 16, offset: 0 },
  { h: 3, w: 4, c: 64, groups: 16, offset: 0 },
  { h: 10, w: 13, c: 64, groups: 16, offset: 100 },
  { h: 9, w: 11, c: 256, groups: 16, offset: 0 },
];

export const groupNormCheck = fusedCheck('group-norm', async () => {
  const random = seededRandom(17);
  const results: CheckResult[] = [];
  for (const { h, w, c, groups, offset } of CASES) {
    const x = randomTensor([1, h, w, c], random, 3, offset) as tf.Tensor4D;
    const gamma = randomTensor([c], random, 0.5, 1) as tf.Tensor1D;
    const beta = randomTensor([c], random, 0.5) as tf.Tensor1D;
    const name = `x[${h},${w},${c}] groups=${groups} offset=${offset}`;
    results.push(await compare(name, groupNorm(x, gamma, beta, groups, 1e-5), groupNormReference(x, gamma, beta, groups, 1e-5)));
    tf.dispose([x, gamma, beta]);
  }
  return results;
});

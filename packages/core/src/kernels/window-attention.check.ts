// Fused Swin window attention vs its reference: 7×7 windows (M = 49) with and without the shifted-
// window mask at glip-nano's (24) and Swin-T's (32) head dimensions, one window, one token, odd
// window sizes, more tokens than a workgroup (M = 72, 144), and head dimensions the kernel does not
// take (5: not a multiple of 4; 40: above its 32), which run the reference.
import * as tf from '@tensorflow/tfjs';
import { type CheckResult, compare, fusedCheck, randomTensor, seededRandom } from './check-util.ts';
import { windowAttention, windowAttentionReference } from './window-attention.ts';

const CASES: { windows: number; heads: number; m: number; d: number; masked: boolean }[] = [
  { windows: 1, heads: 1, m: 1, d: 4, masked: false },
  { windows: 1, heads: 3, m: 49, d: 32, masked: false },
  { windows: 6, heads: 2, m: 49, d: 32, masked: true },
  { windows: 5, heads: 1, m: 9, d: 8, masked: true },
  { windows: 5, heads: 1, m: 9, d: 5, masked: true },
  { windows: 2, heads: 2, m: 72, d: 8, masked: true },
  { windows: 1, heads: 1, m: 144, d: 4, masked: true },
  { windows: 180, heads: 1, m: 49, d: 24, masked: true },
  { windows: 3, heads: 2, m: 49, d: 40, masked: false },
];

/** A shifted-window style mask: 0 within a region, −100 across regions (random regions per window). */
function regionMask(windows: number, m: number, random: () => number): tf.Tensor3D {
  const data = new Float32Array(windows * m * m);
  for (let w = 0; w < windows; w++) {
    const region = Array.from({ length: m }, () => Math.floor(random() * 3));
    for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) data[(w * m + i) * m + j] = region[i] === region[j] ? 0 : -100;
  }
  return tf.tensor3d(data, [windows, m, m]);
}

export const windowAttentionCheck = fusedCheck('window-attention', async () => {
  const random = seededRandom(3);
  const results: CheckResult[] = [];
  for (const { windows, heads, m, d, masked } of CASES) {
    const qkv = randomTensor([windows, m, 3 * heads * d], random, 2) as tf.Tensor3D;
    const bias = randomTensor([heads, m, m], random, 1) as tf.Tensor3D;
    const mask = masked ? regionMask(windows, m, random) : null;
    const scale = d ** -0.5;
    const name = `nW=${windows} heads=${heads} M=${m} d=${d} mask=${masked}`;
    results.push(await compare(name, windowAttention(qkv, bias, mask, heads, scale), windowAttentionReference(qkv, bias, mask, heads, scale)));
    tf.dispose([qkv, bias, ...(mask ? [mask] : [])]);
  }
  return results;
});

import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { useBackend } from '../testing/backends.ts';
import { seededRandom } from './check-util.ts';
import { embeddingF16 } from './embedding-f16.ts';
import { embeddingF16Check } from './embedding-f16.check.ts';
import { packF16Pairs } from './f16-pairs.ts';
import { randomHalfWeights } from './linear-f16.check.ts';

describe('f16 embedding lookup on webgpu', () => {
  it('matches the reference on every check case', async () => {
    await useBackend('webgpu');
    const results = await embeddingF16Check.run();
    console.table(results);
    for (const r of results) expect(r.maxAbs, r.case).toBeLessThanOrEqual(r.tol);
  });

  it('runs the kernel and returns the table rows exactly', async () => {
    await useBackend('webgpu');
    const [vocab, dim] = [11, 6];
    const { values } = randomHalfWeights(vocab * dim, seededRandom(21));
    const table = tf.tensor2d(values, [vocab, dim]);
    const pairs = packF16Pairs(table);
    const picked = [4, 0, 10, 4];
    const ids = tf.tensor1d(picked, 'int32');
    const profile = await tf.profile(() => embeddingF16(pairs, ids));
    const rows = profile.result as tf.Tensor;
    expect(profile.kernelNames).toContain('WebglipEmbeddingF16');
    expect(rows.shape).toEqual([picked.length, dim]);
    expect(Array.from(await rows.data())).toEqual(picked.flatMap((id) => Array.from(values.subarray(id * dim, (id + 1) * dim))));
    tf.dispose([table, pairs, ids, rows]);
  });
});

import { describe, expect, it } from 'vitest';
import { useBackend } from '../testing/backends.ts';
import { deformConvCheck } from './deform-conv.check.ts';

describe('fused modulated deformable conv on webgpu', () => {
  it('matches the reference on every check case', async () => {
    await useBackend('webgpu');
    const results = await deformConvCheck.run();
    console.table(results);
    for (const r of results) expect(r.maxAbs, r.case).toBeLessThanOrEqual(r.tol);
  });
});

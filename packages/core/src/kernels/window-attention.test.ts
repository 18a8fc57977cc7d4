import { describe, expect, it } from 'vitest';
import { useBackend } from '../testing/backends.ts';
import { windowAttentionCheck } from './window-attention.check.ts';

describe('fused window attention on webgpu', () => {
  it('matches the reference on every check case', async () => {
    await useBackend('webgpu');
    const results = await windowAttentionCheck.run();
    console.table(results);
    for (const r of results) expect(r.maxAbs, r.case).toBeLessThanOrEqual(r.tol);
  });
});

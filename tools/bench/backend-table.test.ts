// `pnpm bench --backends` at a tiny size (glip-nano, or case-a, at a 32 px short side; one steady run
// each): every backend named runs through GlipDetector, auto names what it chose and why, the table and
// its ratios are built from the measured runs. Asserts structure, never a timing.
import { describe, expect, it } from 'vitest';
import { backendTableMarkdown, benchBackends, parseBackendChoices } from './backend-table.ts';
import { smallModel } from './models.ts';

describe('pnpm bench --backends', () => {
  it('rejects a backend it does not know, naming the ones it takes', () => {
    expect(() => parseBackendChoices('wasm,webgl')).toThrow(/webgpu-fused, webgpu-plain, wasm, wasm-plain, cpu, auto; got webgl/);
    expect(parseBackendChoices('wasm,,cpu')).toEqual(['wasm', 'cpu']);
  });

  it('runs the model on wasm, cpu and auto in one run, ratios to the fastest', async () => {
    const table = await benchBackends(smallModel(32), '32×32', ['wasm', 'cpu', 'auto'], 1, () => {});
    expect(table.rows.map((r) => r.choice)).toEqual(['wasm', 'cpu', 'auto']);
    expect(table.rows.map((r) => r.runsOn).slice(0, 2)).toEqual(['wasm', 'cpu']);
    expect(table.rows[2].reason).toMatch(/^auto: /);
    for (const r of table.rows) {
      expect(r.result.steady.runs).toBe(1);
      expect(r.result.steady.p50).toBeGreaterThan(0);
      expect(r.ratioToFastest).toBeGreaterThanOrEqual(1);
    }
    expect(Math.min(...table.rows.map((r) => r.ratioToFastest))).toBe(1);
    expect(table.wasmMatmulGflops).toBeGreaterThan(0);
    expect(Object.keys(table.rows[0].result.stagesMs)).toEqual(expect.arrayContaining(['swin', 'fpn', 'heads']));
    const md = backendTableMarkdown(table).join('\n');
    expect(md).toMatch(/^\| auto \| (wasm|webgpu|cpu)/m);
    expect(md).toMatch(/auto: [\d.]+ × the fastest/);
  }, 10 * 60_000);
});

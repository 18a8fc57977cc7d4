// `pnpm bench:gpu` end to end on SwiftShader at a tiny size (64 px short side, one run of each kind), so the
// command works the day a GPU is there. Slow on SwiftShader (GLIP-T's 232 M random parameters, several
// minutes on 2 busy cores); it asserts the report's structure, never a timing.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { GpuBenchReport } from './gpu-bench.ts';
import { main } from './gpu-bench.ts';

describe('pnpm bench:gpu', () => {
  it('benches GLIP-T in headless Chromium and writes the JSON and markdown report', async () => {
    const out = mkdtempSync(join(tmpdir(), 'webglip-gpu-bench-'));
    const code = await main(['--swiftshader', '--short-side', '64', '--steady', '1', '--reruns', '1', '--stage-runs', '1', '--out', out, '--timeout-min', '25']);
    expect(code).toBe(0);
    const report = JSON.parse(readFileSync(join(out, 'gpu-bench.json'), 'utf8')) as GpuBenchReport;
    expect(report.adapter.architecture).toBe('swiftshader');
    expect(report.model).toBe('glip-t (random f16 weights, 64×107)');
    expect(report.input).toBe('64×128');
    expect(report.modes).toHaveLength(1);
    const [fused] = report.modes;
    expect(fused.fused).toBe(true);
    for (const t of [fused.loadMs, fused.compileMs, fused.firstMs, fused.steady.p50, fused.promptOnly?.p50, fused.imageOnly?.p50]) expect(t).toBeGreaterThan(0);
    expect(fused.steady.runs).toBe(1);
    expect(Object.keys(fused.stagesMs)).toEqual(expect.arrayContaining(['preprocess', 'swin', 'fpn', 'bert', 'dyhead.0.fusion', 'heads', 'postprocess']));
    expect(fused.peakTensorBytes).toBeGreaterThan(fused.weightBytes.held);
    expect(fused.weightBytes.held).toBeLessThan(fused.weightBytes.loaded); // f16 storage of the f16-exact weights
    const md = readFileSync(join(out, 'gpu-bench.md'), 'utf8');
    expect(md).toContain('| fused |');
    expect(md).toMatch(/\| swin \| [\d.]+ \| [\d.]+ % \|/);
  }, 30 * 60_000);
});

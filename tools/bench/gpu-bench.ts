// `pnpm bench:gpu [--short-side N] [--steady N] [--reruns N] [--stage-runs N] [--plain] [--out DIR] [--swiftshader]`:
// the benchmark for a machine with a real GPU. Headless Chromium on the machine's WebGPU adapter runs
// GLIP-T with random f16 weights at GLIP-T's input size (800×1333; browser/gpu-page.ts): load, compile
// pass, first and steady inference, prompt-only and image-only re-runs, peak memory and the per-stage
// profile, written as gpu-bench.json and gpu-bench.md. It refuses a software adapter (before loading
// anything) unless --swiftshader asks for one (its own test runs it that way, at a tiny size).
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { FIXTURES_DIR, REPO_ROOT } from '@webglip/core/testing';
import { HARDWARE_GPU_FLAGS, SWIFTSHADER_FLAGS, TOKENIZER_PATH, runBenchPage, servedPath } from './browser/run-browser.ts';
import type { GpuBenchOptions, GpuBenchResult } from './browser/gpu-page.ts';
import type { ModeResult } from './end-to-end.ts';
import { round } from './stats.ts';

const USAGE = `usage: pnpm bench:gpu [options]
  --short-side N   image shorter side (default 800; the longer is 1333/800 of it)
  --steady N       steady-state runs (default 5)
  --reruns N       prompt-only and image-only re-runs (default 3)
  --stage-runs N   per-stage profile runs (default 2)
  --plain          also run the plain-tfjs reference (no fused kernels)
  --out DIR        where gpu-bench.json and gpu-bench.md go (default tools/bench/out)
  --swiftshader    run on SwiftShader instead of refusing a software adapter (tests)
  --timeout-min M  give up after M minutes (default 30)`;

export interface GpuBenchReport extends GpuBenchResult {
  command: string;
  date: string;
}

const mb = (bytes: number): string => (bytes / 1e6).toFixed(1);
const ms = (x: number | null | undefined): string => (x === null || x === undefined ? '–' : x.toFixed(1));

function modeRows(m: ModeResult): string[] {
  return [
    `| ${m.fused ? 'fused' : 'plain'} | ${ms(m.loadMs)} | ${ms(m.compileMs)} | ${ms(m.firstMs)} | ${ms(m.steady.p50)} (${m.steady.runs}) | ${ms(m.promptOnly?.p50)} | ${ms(m.imageOnly?.p50)} | ${mb(m.peakTensorBytes)} | ${mb(m.gpuBytesAllocated)} | ${mb(m.weightBytes.held)} |`,
  ];
}

export function gpuBenchMarkdown(r: GpuBenchReport): string {
  const a = r.adapter;
  const lines = [
    `# webglip GPU benchmark`,
    '',
    `${r.model}, input ${r.input}; adapter ${[a.vendor, a.architecture, a.device, a.description].filter(Boolean).join(' · ')}` +
      ` (fallback adapter: ${a.isFallbackAdapter ?? 'not reported'}), shader-f16 ${r.f16 ? 'yes' : 'no'}; ${r.userAgent}; ${r.date}; \`${r.command}\``,
    '',
    '| mode | load ms | compile ms | first ms | steady p50 ms (runs) | prompt-only p50 ms | image-only p50 ms | peak tensors MB | GPU held MB | weights held MB |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...r.modes.flatMap(modeRows),
  ];
  for (const m of r.modes) {
    const stages = Object.entries(m.stagesMs).sort((x, y) => y[1] - x[1]);
    const total = stages.reduce((s, [, v]) => s + v, 0);
    lines.push('', `## Stages, ${m.fused ? 'fused' : 'plain'} (median ms, each followed by a GPU wait)`, '', '| stage | ms | share |', '|---|---|---|');
    for (const [name, v] of stages) lines.push(`| ${name} | ${ms(v)} | ${total > 0 ? `${round((100 * v) / total)} %` : '–'} |`);
  }
  return `${lines.join('\n')}\n`;
}

export async function main(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        'short-side': { type: 'string', default: '800' },
        steady: { type: 'string', default: '5' },
        reruns: { type: 'string', default: '3' },
        'stage-runs': { type: 'string', default: '2' },
        plain: { type: 'boolean', default: false },
        out: { type: 'string', default: resolve(REPO_ROOT, 'tools/bench/out') },
        swiftshader: { type: 'boolean', default: false },
        'timeout-min': { type: 'string', default: '30' },
        help: { type: 'boolean', default: false },
      },
    }));
  } catch (e) {
    console.error(`${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const count = (v: string, min: number) => (Number.isInteger(Number(v)) && Number(v) >= min ? Number(v) : NaN);
  const shortSide = count(values['short-side'], 32);
  const modes = { steadyRuns: count(values.steady, 1), rerunRuns: count(values.reruns, 0), stageRuns: count(values['stage-runs'], 0), leakRuns: 0 };
  const timeoutMin = Number(values['timeout-min']);
  if ([shortSide, ...Object.values(modes)].some(Number.isNaN) || !(timeoutMin > 0)) {
    console.error(USAGE);
    return 2;
  }
  const options: GpuBenchOptions = {
    keysUrl: servedPath(resolve(FIXTURES_DIR, 'glip-t-keys.json')), tokenizerUrl: servedPath(TOKENIZER_PATH), shortSide, modes, plain: values.plain,
    allowSoftwareAdapter: values.swiftshader,
  };
  const flags = values.swiftshader ? SWIFTSHADER_FLAGS : HARDWARE_GPU_FLAGS;
  let result: GpuBenchResult;
  try {
    result = await runBenchPage<GpuBenchResult>('gpu.html', options, flags, { result: 'gpuBenchResult', error: 'gpuBenchError' }, timeoutMin * 60_000, console.error);
  } catch (e) {
    console.error(`bench:gpu failed: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
  const report: GpuBenchReport = { command: `pnpm bench:gpu ${argv.join(' ')}`.trim(), date: new Date().toISOString(), ...result };
  mkdirSync(values.out, { recursive: true });
  writeFileSync(resolve(values.out, 'gpu-bench.json'), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(resolve(values.out, 'gpu-bench.md'), gpuBenchMarkdown(report));
  console.error(`wrote ${resolve(values.out, 'gpu-bench.json')} and gpu-bench.md`);
  return 0;
}

// The benchmark driver: end-to-end runs of each model with fused kernels on and off, the kernel
// micro-benchmarks, optionally the converter memory benchmark; prints JSON and markdown tables.
import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { BackendKind } from '@webglip/core/engine';
import { activeWebGpuBackend } from '@webglip/core/engine';
import { CASE_A_DIR } from '@webglip/core/testing';
import { paddedSize, resizedSize } from '@webglip/core/engine';
import type { ModeOptions } from './end-to-end.ts';
import { benchMode, modeOptions } from './end-to-end.ts';
import { freshBackend } from './gpu.ts';
import type { MicroOptions } from './kernels-micro.ts';
import { benchKernels } from './kernels-micro.ts';
import { backendTableMarkdown, benchBackends, parseBackendChoices } from './backend-table.ts';
import type { BenchModel } from './models.ts';
import { cnnModel, gliptModel, smallModel } from './models.ts';
import type { BenchReport, ModelReport } from './report.ts';
import { markdown } from './report.ts';

const USAGE = `usage: pnpm bench [options]
  --models small,glipt   models to run (default small = glip-nano; cnn = glip-cnn-nano, the ResNet body;
                         glipt = GLIP-T with random weights; none = kernels only)
  --modes fused,plain    kernel modes to run (default both: fused WGSL kernels on, then off)
  --backend webgpu|cpu   tfjs backend (default webgpu: Dawn, SwiftShader without a GPU)
  --backends LIST        instead of the modes: one table across backends, from webgpu-fused, webgpu-plain,
                         wasm, wasm-plain, cpu, auto; first + --runs steady runs each, ratios to the fastest
  --runs N               steady runs per mode (default 10)
  --reruns N             prompt-only and image-only re-runs (default 3)
  --stage-runs N         per-stage profiled runs per mode (default 1)
  --leak-runs N          extra runs for the tensor / GPU-byte growth check (default 5; fused mode, the product's path)
  --small-side PX        small model's shorter image side (default: its own, 320 for glip-nano)
  --glipt-side PX        GLIP-T shorter image side (default 160; GLIP-T's own is 800)
  --glipt-runs N         steady runs for GLIP-T (default 2; its re-runs and leak runs are 0 unless --glipt-full)
  --glipt-full           GLIP-T gets the same run counts as the small model
  --no-kernels           skip the kernel micro-benchmarks
  --kernel-reps N        timed repetitions per kernel and path (default 1)
  --glipt-tokens N       visual tokens N of the GLIP-T bi-attention cases (default 2048; GLIP-T at 800×1333: 20267)
  --browser              also run the small model and the kernels in headless Chromium (WebGPU, SwiftShader)
  --browser-only         only the Chromium run
  --convert-memory PTH   also run tools/bench/convert-memory.ts on this checkpoint (make-glipt-checkpoint.py makes one)
  --json FILE            write the JSON report here
  --md FILE              write the markdown report here`;

const OPTIONS = {
  models: { type: 'string', default: 'small' },
  modes: { type: 'string', default: 'fused,plain' },
  backend: { type: 'string', default: 'webgpu' },
  backends: { type: 'string' },
  runs: { type: 'string', default: '10' },
  reruns: { type: 'string', default: '3' },
  'stage-runs': { type: 'string', default: '1' },
  'leak-runs': { type: 'string', default: '5' },
  'small-side': { type: 'string' },
  'glipt-side': { type: 'string', default: '160' },
  'glipt-runs': { type: 'string', default: '2' },
  'glipt-full': { type: 'boolean', default: false },
  'no-kernels': { type: 'boolean', default: false },
  'kernel-reps': { type: 'string', default: '1' },
  'glipt-tokens': { type: 'string', default: '2048' },
  browser: { type: 'boolean', default: false },
  'browser-only': { type: 'boolean', default: false },
  'convert-memory': { type: 'string' },
  json: { type: 'string' },
  md: { type: 'string' },
  help: { type: 'boolean', default: false },
} as const;

function log(line: string): void {
  console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}`);
}

function count(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${flag} must be a whole number, got ${value}`);
  return n;
}

function networkInput(model: BenchModel): string {
  const size = resizedSize({ height: model.image.height, width: model.image.width }, model.config.input.minSizeTest,
    model.maxImageSize === null ? null : model.config.input.maxSizeTest);
  const padded = paddedSize(size, model.config.input.sizeDivisibility);
  return `${padded.height}×${padded.width}`;
}

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: OPTIONS });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const backend = values.backend as BackendKind;
  const names = values.models.split(',').filter((n) => n !== '' && n !== 'none');
  const modes = values.modes.split(',');
  if (modes.some((m) => m !== 'fused' && m !== 'plain')) throw new Error(`--modes takes fused and/or plain, got ${values.modes}`);
  const caps = await freshBackend(backend);
  const adapter = backend === 'webgpu' ? JSON.stringify(activeWebGpuBackend()?.adapterInfo ?? caps?.adapterInfo) : backend;
  const report: BenchReport = {
    command: `pnpm bench ${argv.join(' ')}`.trim(),
    machine: `${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, Node ${process.version}, Dawn (webgpu npm 0.6.2)`,
    adapter: caps ? `${caps.adapterInfo.vendor} ${caps.adapterInfo.architecture} ${caps.adapterInfo.description}`.trim() : adapter,
    f16: caps?.f16 ?? false,
    date: new Date().toISOString(),
    models: [],
    kernels: null,
    convertMemory: null,
    browser: null,
    backendTables: [],
  };
  const backendChoices = values.backends === undefined ? null : parseBackendChoices(values.backends);
  const kernelOptions = (): MicroOptions => ({
    reps: count(values['kernel-reps'], 'kernel-reps'), gliptTokens: count(values['glipt-tokens'], 'glipt-tokens'),
    gliptShortSide: count(values['glipt-side'], 'glipt-side'),
  });
  if (values.browser || values['browser-only']) {
    const modes = { steadyRuns: count(values.runs, 'runs'), rerunRuns: count(values.reruns, 'reruns'), stageRuns: count(values['stage-runs'], 'stage-runs'), leakRuns: count(values['leak-runs'], 'leak-runs') };
    const { runInBrowser } = await import('./browser/run-browser.ts');
    report.browser = await runInBrowser({ modes, kernels: values['no-kernels'] ? null : kernelOptions() }, CASE_A_DIR, 6 * 3600_000, log);
  }
  for (const name of values['browser-only'] ? [] : names) {
    const glipt = name === 'glipt';
    if (!['small', 'cnn', 'glipt'].includes(name)) throw new Error(`unknown model ${name}: use small, cnn or glipt`);
    const smallSide = values['small-side'] === undefined ? undefined : count(values['small-side'], 'small-side');
    const model = glipt ? gliptModel(count(values['glipt-side'], 'glipt-side')) : name === 'cnn' ? cnnModel(smallSide) : smallModel(smallSide);
    const light = glipt && !values['glipt-full'];
    const base: Omit<ModeOptions, 'fused' | 'precompile'> = {
      backend,
      steadyRuns: light ? count(values['glipt-runs'], 'glipt-runs') : count(values.runs, 'runs'),
      rerunRuns: light ? 0 : count(values.reruns, 'reruns'),
      stageRuns: light ? 1 : count(values['stage-runs'], 'stage-runs'),
      leakRuns: light ? 0 : count(values['leak-runs'], 'leak-runs'),
    };
    if (backendChoices) {
      report.backendTables.push(await benchBackends(model, networkInput(model), backendChoices, base.steadyRuns, log));
      continue;
    }
    const entry: ModelReport = { model: model.name, source: model.source, input: networkInput(model), modes: [] };
    if (modes.includes('fused')) entry.modes.push(await benchMode(model, modeOptions(base, true), log));
    if (modes.includes('plain')) entry.modes.push(await benchMode(model, modeOptions(base, false), log));
    report.models.push(entry);
  }
  if (!values['no-kernels'] && !values['browser-only'] && backend === 'webgpu') {
    await freshBackend(backend);
    const small = smallModel();
    const [ph, pw] = networkInput(small).split('×').map(Number);
    const p3: [number, number] = [ph / 8, pw / 8];
    const tokens = [8, 16, 32, 64, 128].reduce((a, s) => a + Math.ceil(ph / s) * Math.ceil(pw / s), 0);
    report.kernels = await benchKernels({ tokens, p3, t: 11 }, kernelOptions(), log);
  }
  if (values['convert-memory']) {
    log(`converter memory on ${values['convert-memory']}`);
    const out = execFileSync(process.execPath, ['--import', 'tsx', 'tools/bench/convert-memory.ts', values['convert-memory']], { encoding: 'utf8' });
    report.convertMemory = JSON.parse(out) as Record<string, unknown>;
  }
  const md = [markdown(report), ...report.backendTables.flatMap((t) => ['', ...backendTableMarkdown(t)])].join('\n');
  console.log(JSON.stringify(report, null, 2));
  console.log(md);
  if (values.json) await writeFile(values.json, JSON.stringify(report, null, 2) + '\n');
  if (values.md) await writeFile(values.md, md + '\n');
  return 0;
}

// `pnpm bench:gpu` in the page: GLIP-T (Swin-T + BERT-base) with seeded random f16-exact weights at GLIP-T's
// own input size (800 short side, 1333 long), on the page's WebGPU adapter, through benchMode
// (end-to-end.ts): load, compile pass, first and steady inference, prompt-only / image-only re-runs, peak
// memory, per-stage profile. Options come from `?options=` (JSON); the result lands in
// `window.gpuBenchResult` (or `window.gpuBenchError`) for gpu-bench.ts to collect.
import { glipTConfig } from '@webglip/core/engine';
import { softwareAdapterReason } from '@webglip/core/engine';
import { paddedSize, resizedSize } from '@webglip/core/engine';
// The testing entry is Node-only (fixtures on disk): the page takes its browser-safe noise image file directly.
import { noiseImage } from '../../../packages/core/src/testing/noise-image.ts';
import { BertTokenizer } from '@webglip/core/engine';
import { benchMode, modeOptions } from '../end-to-end.ts';
import type { ModeOptions, ModeResult } from '../end-to-end.ts';
import { freshBackend } from '../gpu.ts';
import type { BenchModel } from '../models.ts';
import { type ParameterList, randomWeightMap } from '../random-weights.ts';

export interface GpuBenchOptions {
  /** URL of fixtures/glip-t-keys.json (the official GLIP-T parameter list). */
  keysUrl: string;
  tokenizerUrl: string;
  /** The image's shorter side; the longer is 1333/800 of it (GLIP-T's MIN_SIZE_TEST / MAX_SIZE_TEST). */
  shortSide: number;
  modes: Omit<ModeOptions, 'fused' | 'precompile' | 'backend'>;
  /** Also run the plain-tfjs reference (no fused WGSL kernels). */
  plain: boolean;
  /** Bench a software adapter (SwiftShader) too; otherwise the page refuses one before loading anything. */
  allowSoftwareAdapter: boolean;
}

export interface GpuBenchResult {
  adapter: { vendor: string; architecture: string; device: string; description: string; isFallbackAdapter: boolean | null };
  f16: boolean;
  userAgent: string;
  model: string;
  /** Input as the network saw it (padded), e.g. "800×1344". */
  input: string;
  modes: ModeResult[];
}

declare global {
  interface Window {
    gpuBenchResult?: GpuBenchResult;
    gpuBenchError?: string;
  }
}

const logEl = document.getElementById('log')!;
const log = (line: string): void => {
  logEl.textContent += `\n${line}`;
  console.log(`[bench] ${line}`);
};

async function fetchText(url: string): Promise<string> {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  return r.text();
}

async function gliptModel(opts: GpuBenchOptions): Promise<BenchModel> {
  const base = glipTConfig();
  const { minSizeTest, maxSizeTest } = base.input;
  const longSide = Math.round((opts.shortSide * maxSizeTest) / minSizeTest);
  const config = { ...base, input: { ...base.input, minSizeTest: opts.shortSide, maxSizeTest: longSide } };
  const tokenizerJson = await fetchText(opts.tokenizerUrl);
  const keys = JSON.parse(await fetchText(opts.keysUrl)) as ParameterList;
  return {
    name: `glip-t (random f16 weights, ${opts.shortSide}×${longSide})`, source: 'random weights, shapes of glip-t-keys.json', config,
    makeTokenizer: () => BertTokenizer.fromJson(tokenizerJson), image: noiseImage(longSide, opts.shortSide, 7), maxImageSize: null,
    loadWeights: async () => randomWeightMap(keys),
  };
}

async function run(): Promise<void> {
  const opts = JSON.parse(new URLSearchParams(location.search).get('options') ?? 'null') as GpuBenchOptions | null;
  if (opts === null) return;
  const adapter = await navigator.gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (adapter === null) throw new Error('this Chromium offers no WebGPU adapter');
  const { vendor, architecture, device, description } = adapter.info;
  const isFallbackAdapter = (adapter.info as Partial<GPUAdapterInfo>).isFallbackAdapter ?? null;
  const software = softwareAdapterReason(adapter.info);
  if (software !== null && !opts.allowSoftwareAdapter) throw new Error(`${software}, not a GPU: nothing benchmarked (--swiftshader benches it anyway)`);
  const caps = await freshBackend('webgpu');
  const model = await gliptModel(opts);
  const padded = paddedSize(resizedSize({ height: model.image.height, width: model.image.width }, model.config.input.minSizeTest, null), model.config.input.sizeDivisibility);
  const base = { ...opts.modes, backend: 'webgpu' as const };
  const modes = [await benchMode(model, modeOptions(base, true), log)];
  if (opts.plain) modes.push(await benchMode(model, modeOptions(base, false), log));
  window.gpuBenchResult = {
    adapter: { vendor, architecture, device, description, isFallbackAdapter }, f16: caps?.f16 ?? false, userAgent: navigator.userAgent,
    model: model.name, input: `${padded.height}×${padded.width}`, modes,
  };
}

run().catch((e: unknown) => {
  window.gpuBenchError = e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : String(e);
  log(`error: ${window.gpuBenchError}`);
});

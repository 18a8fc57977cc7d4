// The benchmark in the browser: the small model (case-a's official checkpoint, read by the converter
// in the page) with fused kernels on and off, and the kernel micro-benchmarks, on the page's WebGPU
// adapter. Options come from the URL query (JSON in `?options=`); the result lands in
// `window.benchResult` (or `window.benchError`) for run-browser.ts to collect.
import { checkpointWeightMap, readCheckpoint } from '@webglip/convert/index.ts';
import { bertConfigFromHf, configFromOfficialYaml } from '@webglip/core/engine';
import type { PixelImage } from '@webglip/core/engine';
import { paddedSize, resizedSize } from '@webglip/core/engine';
import { BertTokenizer } from '@webglip/core/engine';
import { benchMode, modeOptions } from '../end-to-end.ts';
import type { ModeOptions } from '../end-to-end.ts';
import { freshBackend } from '../gpu.ts';
import { benchKernels } from '../kernels-micro.ts';
import type { MicroOptions, MicroResult } from '../kernels-micro.ts';
import type { BenchModel } from '../models.ts';
import type { ModelReport } from '../report.ts';

export interface BrowserBenchOptions {
  /** URL of fixtures/case-a (served by the bench's Vite server). */
  caseDir: string;
  tokenizerUrl: string;
  modes: Omit<ModeOptions, 'fused' | 'precompile' | 'backend'>;
  kernels: MicroOptions | null;
}

declare global {
  interface Window {
    benchResult?: { adapter: string; f16: boolean; userAgent: string; model: ModelReport; kernels: MicroResult | null };
    benchError?: string;
  }
}

const logEl = document.getElementById('log')!;
const log = (line: string): void => {
  logEl.textContent += `\n${line}`;
  console.log(`[bench] ${line}`);
};

async function fetchBytes(url: string): Promise<Uint8Array> {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  return new Uint8Array(await r.arrayBuffer());
}

async function decodePng(url: string): Promise<PixelImage> {
  const bitmap = await createImageBitmap(await (await fetch(url)).blob());
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const ctx = canvas.getContext('2d')!;
  ctx.drawImage(bitmap, 0, 0);
  const { data, width, height } = ctx.getImageData(0, 0, bitmap.width, bitmap.height);
  return { data, width, height };
}

async function caseModel(opts: BrowserBenchOptions): Promise<BenchModel> {
  const text = async (name: string) => new TextDecoder().decode(await fetchBytes(`${opts.caseDir}/${name}`));
  const caseJson = JSON.parse(await text('case.json')) as { config?: { bert_config_shim?: unknown } };
  const shim = caseJson.config?.bert_config_shim;
  const config = configFromOfficialYaml(await text('config.yaml'), shim === undefined ? undefined : bertConfigFromHf(shim));
  const tokenizerJson = new TextDecoder().decode(await fetchBytes(opts.tokenizerUrl));
  const checkpoint = await fetchBytes(`${opts.caseDir}/model.pth`);
  return {
    name: 'case-a', source: 'fixtures/case-a/model.pth (official checkpoint, read by the converter in the page)', config,
    makeTokenizer: () => BertTokenizer.fromJson(tokenizerJson), image: await decodePng(`${opts.caseDir}/image.png`), maxImageSize: null,
    loadWeights: async () => checkpointWeightMap(await readCheckpoint({
      size: checkpoint.byteLength,
      read: async (offset, length) => checkpoint.subarray(offset, offset + length),
    })),
  };
}

async function run(): Promise<void> {
  const opts = JSON.parse(new URLSearchParams(location.search).get('options') ?? 'null') as BrowserBenchOptions | null;
  if (opts === null) return;
  const caps = await freshBackend('webgpu');
  const model = await caseModel(opts);
  const size = resizedSize({ height: model.image.height, width: model.image.width }, model.config.input.minSizeTest, null);
  const padded = paddedSize(size, model.config.input.sizeDivisibility);
  const report: ModelReport = { model: model.name, source: model.source, input: `${padded.height}×${padded.width}`, modes: [] };
  const base = { ...opts.modes, backend: 'webgpu' as const };
  report.modes.push(await benchMode(model, modeOptions(base, true), log));
  report.modes.push(await benchMode(model, modeOptions(base, false), log));
  let kernels: MicroResult | null = null;
  if (opts.kernels) {
    await freshBackend('webgpu');
    const p3: [number, number] = [padded.height / 8, padded.width / 8];
    const tokens = [8, 16, 32, 64, 128].reduce((a, s) => a + Math.ceil(padded.height / s) * Math.ceil(padded.width / s), 0);
    kernels = await benchKernels({ tokens, p3, t: 11 }, opts.kernels, log);
  }
  const info = caps?.adapterInfo;
  window.benchResult = {
    adapter: info ? `${info.vendor} ${info.architecture} ${info.description}`.trim() : 'unknown', f16: caps?.f16 ?? false,
    userAgent: navigator.userAgent, model: report, kernels,
  };
}

run().catch((e: unknown) => {
  window.benchError = e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : String(e);
  log(`error: ${window.benchError}`);
});

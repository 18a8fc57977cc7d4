// Runs a benchmark page of this folder in headless Debian Chromium: serves it with this folder's Vite
// config, opens it with its options as `?options=` JSON and collects the result the page leaves on
// `window`. `pnpm bench --browser` (index.html) runs on SwiftShader; `pnpm bench:gpu` (gpu.html) on the
// machine's real adapter.
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import { createServer } from 'vite';
import type { BrowserBenchOptions } from './page.ts';

const CHROMIUM = '/usr/bin/chromium';
const QUIET = ['--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
/** WebGPU on SwiftShader (Chromium's CPU Vulkan driver), what a machine without a GPU has. */
export const SWIFTSHADER_FLAGS = ['--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader', ...QUIET];
/** WebGPU on the machine's GPU (Vulkan on Linux), also in headless mode and on blocklisted drivers. */
export const HARDWARE_GPU_FLAGS = ['--enable-unsafe-webgpu', '--enable-features=Vulkan', '--ignore-gpu-blocklist', ...QUIET];
const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

/** `/@fs` URL of a file on this machine, as the bench page server serves it. */
export const servedPath = (path: string): string => `/@fs${path}`;
export const TOKENIZER_PATH = here('../../../models/bert-base-uncased/tokenizer.json');

export type BrowserResult = NonNullable<Window['benchResult']>;

/**
 * Opens `page` (a file of this folder) in headless Chromium with `flags` and `options`, and returns
 * `window[result]` once set; throws with `window[error]` when the page reports one.
 */
export async function runBenchPage<T>(
  page: string, options: unknown, flags: string[], globals: { result: string; error: string }, timeoutMs: number, log: (l: string) => void,
): Promise<T> {
  const server = await createServer({ configFile: here('./vite.config.ts'), server: { port: 0 } });
  await server.listen();
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: flags, headless: true });
  try {
    const base = server.resolvedUrls?.local[0];
    if (!base) throw new Error('the bench page server did not start');
    const tab = await browser.newPage();
    tab.on('console', (m) => {
      if (m.text().startsWith('[bench] ')) log(`chromium: ${m.text().slice(8)}`);
    });
    await tab.goto(`${base}${page}?options=${encodeURIComponent(JSON.stringify(options))}`);
    const read = (name: string) => tab.evaluate((n) => (window as unknown as Record<string, unknown>)[n], name);
    await tab.waitForFunction((g) => {
      const w = window as unknown as Record<string, unknown>;
      return w[g.result] !== undefined || w[g.error] !== undefined;
    }, globals, { timeout: timeoutMs, polling: 2000 });
    const error = await read(globals.error);
    if (error !== undefined) throw new Error(`in the page: ${String(error)}`);
    return (await read(globals.result)) as T;
  } finally {
    await browser.close();
    await server.close();
  }
}

/** `pnpm bench --browser`: the small model and the kernel micro-benchmarks on SwiftShader. */
export function runInBrowser(
  options: Omit<BrowserBenchOptions, 'caseDir' | 'tokenizerUrl'>, caseDir: string, timeoutMs: number, log: (l: string) => void,
): Promise<BrowserResult> {
  const full: BrowserBenchOptions = { ...options, caseDir: servedPath(caseDir), tokenizerUrl: servedPath(TOKENIZER_PATH) };
  return runBenchPage<BrowserResult>('', full, SWIFTSHADER_FLAGS, { result: 'benchResult', error: 'benchError' }, timeoutMs, log);
}

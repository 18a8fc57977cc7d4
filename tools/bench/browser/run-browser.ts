// `pnpm bench --browser`: serves page.ts with this folder's Vite config, opens it in headless Debian
// Chromium (WebGPU on SwiftShader without a GPU) and collects the page's result.
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import { createServer } from 'vite';
import type { BrowserBenchOptions } from './page.ts';

const CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader', '--no-sandbox', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

export type BrowserResult = NonNullable<Window['benchResult']>;

export async function runInBrowser(
  options: Omit<BrowserBenchOptions, 'caseDir' | 'tokenizerUrl'>, caseDir: string, timeoutMs: number, log: (l: string) => void,
): Promise<BrowserResult> {
  const server = await createServer({ configFile: here('./vite.config.ts'), server: { port: 0 } });
  await server.listen();
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true });
  try {
    const base = server.resolvedUrls?.local[0];
    if (!base) throw new Error('the bench page server did not start');
    const page = await browser.newPage();
    page.on('console', (m) => {
      if (m.text().startsWith('[bench] ')) log(`chromium: ${m.text().slice(8)}`);
    });
    const full: BrowserBenchOptions = { ...options, caseDir: `/@fs${caseDir}`, tokenizerUrl: `/@fs${here('../../../models/bert-base-uncased/tokenizer.json')}` };
    await page.goto(`${base}?options=${encodeURIComponent(JSON.stringify(full))}`);
    await page.waitForFunction(() => window.benchResult !== undefined || window.benchError !== undefined, undefined, { timeout: timeoutMs, polling: 2000 });
    const error = await page.evaluate(() => window.benchError);
    if (error !== undefined) throw new Error(`in the page: ${error}`);
    return (await page.evaluate(() => window.benchResult))!;
  } finally {
    await browser.close();
    await server.close();
  }
}

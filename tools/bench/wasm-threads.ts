// `pnpm bench:wasm-threads` (after `pnpm build`): the demo's detect time on tfjs's threaded wasm build (the page
// served cross-origin isolated, as `vite preview` serves it; threads: the engine's count, in the backend column)
// against the single-threaded build (the same page with the COOP/COEP headers taken off), in one run: both pages open
// side by side in one headless Chromium, and their detections alternate, one new image each (no cached
// backbone), after one warm-up each. Writes a markdown table; ratios to the faster page.
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { chromium, type Page } from '@playwright/test';
import { preview } from 'vite';
import type { DemoState } from '../../web/src/main.ts';
import { dropIsolationHeaders } from '../../e2e/isolation.ts';
import { encodePng, generateImage } from '../synth/dataset.ts';
import { summarize } from './stats.ts';

const HELP = `pnpm bench:wasm-threads [--models glip-nano,glip-cnn-nano] [--runs N] [--md FILE]
  --models LIST   shipped models to time (default both)
  --runs N        timed detections per page and model (default 5), each on a new validation scene
  --md FILE       also write the table here`;

const CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader', '--no-sandbox', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const TIMEOUT = 600_000;

interface Scene { png: Buffer; prompt: string }

/** Validation scene `index` (tools/synth, seed 2) with its list prompt. */
function scene(index: number): Scene {
  const { scene: s, image } = generateImage('val', 2, index, 1);
  const prompt = image.prompts.find((p) => p.style === 'list');
  if (!prompt) throw new Error('the synthetic scene has no list prompt');
  return { png: encodePng(s.rgba, s.width, s.height), prompt: prompt.caption };
}

const state = (page: Page) =>
  page.evaluate(() => {
    const s = window.__webglip as DemoState;
    return { status: s.status, error: s.error, runs: s.detectRuns, reason: s.info?.backendReason ?? '' };
  });

async function open(page: Page, url: string): Promise<string> {
  await page.goto(url);
  await page.waitForFunction(() => window.__webglip !== undefined && window.__webglip.status !== 'loading', null, { timeout: TIMEOUT });
  const s = await state(page);
  if (s.status !== 'ready') throw new Error(`the demo did not load: ${s.error}`);
  return s.reason;
}

/** One detection through the demo's UI: wall milliseconds from handing it the image to the drawn result. */
async function detect(page: Page, { png, prompt }: Scene): Promise<number> {
  const before = (await state(page)).runs;
  await page.getByLabel('What to find').fill(prompt);
  const start = performance.now();
  await page.locator('#image-file').setInputFiles({ name: 'scene.png', mimeType: 'image/png', buffer: png });
  await page.waitForFunction((n) => (window.__webglip?.detectRuns ?? 0) > n || window.__webglip?.error != null, before, { timeout: TIMEOUT, polling: 20 });
  const ms = performance.now() - start;
  const s = await state(page);
  if (s.error !== null) throw new Error(`the demo failed to detect: ${s.error}`);
  return ms;
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { models: { type: 'string' }, runs: { type: 'string' }, md: { type: 'string' }, help: { type: 'boolean' } } });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const models = (values.models ?? 'glip-nano,glip-cnn-nano').split(',');
  const runs = Number(values.runs ?? 5);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive whole number, got ${values.runs}`);

  const server = await preview({ preview: { port: 0 } });
  const base = server.resolvedUrls?.local[0];
  if (!base) throw new Error('vite preview did not start (run `pnpm build` first)');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true });
  const rows: string[] = [];
  try {
    // No service worker: it would serve the plain page isolated from its second load on (web/sw.ts).
    const isolated = await (await browser.newContext({ serviceWorkers: 'block' })).newPage();
    const plainContext = await browser.newContext({ serviceWorkers: 'block' });
    await dropIsolationHeaders(plainContext);
    const plain = await plainContext.newPage();
    const pages = [{ name: 'isolated', page: isolated }, { name: 'not isolated', page: plain }];
    for (const model of models) {
      const url = `${base}?backend=wasm&model=${model}`;
      const reasons = [await open(isolated, url), await open(plain, url)];
      for (const { page } of pages) await detect(page, scene(100));
      const times: number[][] = [[], []];
      for (let i = 0; i < runs; i++) for (const [p, { page }] of pages.entries()) times[p].push(await detect(page, scene(101 + i)));
      const medians = times.map((t) => summarize(t).p50);
      const fastest = Math.min(...medians);
      for (const [p, { name }] of pages.entries()) {
        const row = `| ${model} | ${name} | ${reasons[p].replace(/^wasm was requested; /, '')} | ${medians[p].toFixed(0)} | ${times[p].map((t) => t.toFixed(0)).join(', ')} | ${(medians[p] / fastest).toFixed(2)} |`;
        console.log(row);
        rows.push(row);
      }
    }
  } finally {
    for (const context of browser.contexts()) await context.unrouteAll({ behavior: 'ignoreErrors' });
    await browser.close();
    await new Promise<void>((resolve) => server.httpServer.close(() => resolve()));
  }
  const table = [
    `wasm threads, demo page detect (new image each run, ${runs} runs after one warm-up), ${new Date().toISOString().slice(0, 10)}, ${cpus().length} logical cores:`,
    '',
    '| model | page | backend | median ms | runs ms | ratio |',
    '|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
  console.log(`\n${table}`);
  if (values.md) writeFileSync(values.md, `${table}\n`);
  return 0;
}

process.exitCode = await main(process.argv.slice(2));

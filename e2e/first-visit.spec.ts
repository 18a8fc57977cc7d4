// A new visitor's first minutes on the demo (issue 24), in one page: the first weights download
// fails half-way and is retried (the status says so, the bar never goes back), one click on an
// example detects its prompt, the timings say "cached" only for what a cache served, and the result
// comes out as JSON, COCO results, an annotated PNG and on the clipboard. Two inferences in all.
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { PNG } from 'pngjs';
import type { Detection } from '../packages/core/src/worker/protocol.ts';
import type { Example } from '../web/src/gallery.ts';
import type { CocoResult } from '../web/src/export.ts';
import { INFERENCE_TIMEOUT } from './chromium.ts';
import { demoState, openDemo } from './demo-page.ts';

interface StatusRecord {
  text: string;
  value: number;
}

declare global {
  interface Window {
    __statusLog?: StatusRecord[];
  }
}

const examples = JSON.parse(readFileSync('web/public/examples/examples.json', 'utf8')) as Example[];
let page: Page;
let truncatedShards = 0;

/** Opens the demo once (its first shard download cut in half) and clicks the first example. */
let firstExample: Promise<Detection[]> | null = null;
function exampleDetected(): Promise<Detection[]> {
  firstExample ??= (async () => {
    await openDemo(page);
    await page.getByRole('button', { name: /Try example 1/ }).click();
    await page.waitForFunction(() => (window.__webglip?.detectRuns ?? 0) > 0 || window.__webglip?.error != null, null, { timeout: INFERENCE_TIMEOUT });
    const state = await demoState(page);
    expect(state.error, 'the demo reported an error').toBeNull();
    return state.detections;
  })();
  return firstExample;
}

test.beforeAll(async ({ browser }) => {
  // No service worker: it would fetch the weights itself (precache), past the route below.
  const context = await browser.newContext({ serviceWorkers: 'block', acceptDownloads: true });
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await context.route('**/*.safetensors', async (route) => {
    if (truncatedShards > 0) return route.continue();
    truncatedShards++;
    const response = await route.fetch();
    const body = await response.body();
    await route.fulfill({ status: 200, contentType: 'application/octet-stream', body: body.subarray(0, Math.floor(body.length / 2)) });
  });
  page = await context.newPage();
  await page.addInitScript(() => {
    const log: StatusRecord[] = (window.__statusLog = []);
    document.addEventListener('DOMContentLoaded', () => {
      const status = document.getElementById('model-status')!;
      const bar = document.getElementById('load-progress') as HTMLProgressElement;
      const record = (): void => {
        const last = log.at(-1);
        if (last?.text !== status.textContent || last?.value !== bar.value) log.push({ text: status.textContent ?? '', value: bar.value });
      };
      new MutationObserver(record).observe(status, { childList: true, characterData: true, subtree: true });
      new MutationObserver(record).observe(bar, { attributes: true });
    });
  });
});

test.afterAll(async () => {
  await page.context().close();
});

test('a failed weights download says "retrying" and the bar never goes back', async () => {
  await openDemo(page);
  expect(truncatedShards).toBe(1);
  const log = (await page.evaluate(() => window.__statusLog)) ?? [];
  const downloads = log.filter((r) => /^(Downloading weights|Download failed)/.test(r.text));
  expect(downloads.some((r) => r.text.startsWith('Download failed, retrying (attempt 2)')), JSON.stringify(downloads)).toBe(true);
  for (let i = 1; i < downloads.length; i++) expect(downloads[i].value, `${downloads[i - 1].text} → ${downloads[i].text}`).toBeGreaterThanOrEqual(downloads[i - 1].value);
});

test('the page says what glip-nano knows; the default prompt and threshold fit it; one click on an example detects it', async () => {
  await openDemo(page);
  await expect(page.locator('#model-scope')).toContainText('coloured shapes');
  await expect(page.locator('#model-scope')).toContainText('GLIP checkpoint');
  expect((await demoState(page)).examples.map((e) => e.prompt)).toEqual(examples.map((e) => e.prompt));
  await expect(page.getByLabel('What to find')).toHaveValue(examples[0].prompt);
  await expect(page.locator('#threshold-value')).toHaveText('0.40');
  await expect(page.locator('#threshold-help')).toContainText('Default 0.40');
  // Detect with nothing to detect on says what is missing.
  await page.getByRole('button', { name: 'Detect' }).click();
  await expect(page.locator('#input-hint')).toHaveText('Choose an image first, or try an example.');
  await page.getByLabel('What to find').fill('  ');
  await page.getByRole('button', { name: 'Detect' }).click();
  await expect(page.locator('#input-hint')).toContainText('Type what to find first');
  await page.getByLabel('What to find').fill(examples[0].prompt);

  const detections = await exampleDetected();
  await expect(page.locator('#input-hint')).toBeHidden();
  await expect(page.getByLabel('What to find')).toHaveValue(examples[0].prompt);
  const phrases = examples[0].prompt.split('.').map((p) => p.trim()).filter(Boolean);
  expect(new Set(detections.map((d) => d.phrase))).toEqual(new Set(phrases));
  await page.screenshot({ path: test.info().outputPath('demo.png'), fullPage: true });
  mkdirSync('docs', { recursive: true });
  copyFileSync(test.info().outputPath('demo.png'), 'docs/demo.png'); // the README's screenshot, only from a passing run
});

test('the timings say "cached" only for a stage a cache served', async () => {
  await exampleDetected();
  const timings = page.locator('#timings');
  // First detection: BERT ran for the prompt, the backbone ran when the example was set.
  await expect(timings).not.toContainText('cached');
  await expect(timings).toContainText('(when the image was set)');
  const runs = (await demoState(page)).detectRuns;
  await page.getByRole('button', { name: 'Detect' }).click(); // same image, same prompt: both cached
  await page.waitForFunction((n) => (window.__webglip?.detectRuns ?? 0) > n, runs, { timeout: INFERENCE_TIMEOUT });
  const rows = await timings.evaluate((dl) => Object.fromEntries([...dl.querySelectorAll('dt')].map((dt) => [dt.textContent, dt.nextElementSibling?.textContent])));
  expect(rows['· text']).toBe('cached');
  expect(rows['· backbone']).toBe('cached');
  expect(rows['· head']).toMatch(/\d+(\.\d+)? m?s$/);
});

test('results come out as engine JSON, COCO results, an annotated PNG and on the clipboard', async () => {
  await exampleDetected();
  const { detections } = await demoState(page);
  expect(detections.length).toBeGreaterThan(0);
  const save = async (button: string): Promise<Buffer> => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: button }).click()]);
    return readFileSync((await download.path())!);
  };
  expect(JSON.parse((await save('Download JSON')).toString())).toEqual(detections);

  const phrases = examples[0].prompt.split('.').map((p) => p.trim()).filter(Boolean);
  const coco = JSON.parse((await save('Download COCO results')).toString()) as CocoResult[];
  expect(coco).toEqual(
    detections.map((d) => ({
      image_id: 1,
      category_id: phrases.indexOf(d.phrase) + 1,
      bbox: [d.box[0], d.box[1], d.box[2] - d.box[0] + 1, d.box[3] - d.box[1] + 1],
      score: d.score,
      phrase: d.phrase,
    })),
  );

  const annotated = PNG.sync.read(await save('Download annotated PNG'));
  const original = PNG.sync.read(readFileSync(`web/public/examples/${examples[0].file}`));
  expect([annotated.width, annotated.height]).toEqual([original.width, original.height]);
  // The boxes are drawn in: the first detection's top-left corner is no longer the scene's pixel.
  const [x0, y0] = detections[0].box.map(Math.round);
  const at = (png: PNG): number[] => [...png.data.subarray(4 * (y0 * png.width + x0), 4 * (y0 * png.width + x0) + 3)];
  expect(at(annotated)).not.toEqual(at(original));

  await page.getByRole('button', { name: 'Copy JSON' }).click();
  await expect(page.locator('#export-status')).toHaveText(`Copied ${detections.length} detections as JSON.`);
  expect(JSON.parse(await page.evaluate(() => navigator.clipboard.readText()))).toEqual(detections);
});

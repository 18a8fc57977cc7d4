// Long vocabularies in the demo on the shipped model (glip-nano, the engine's automatic backend): a
// preset and a pasted list of 160 names run in chunks through the worker, the page shows chunk i of k
// until k of k, the image is encoded once for all chunks, and the detections are drawn; a name longer
// than the model's window is the engine's typed error, shown on the page. One page for the whole file;
// each test gives it the scene again (the engine's image cache knows its pixels), so a test also runs
// on the fresh page Playwright opens after a failure.
import { expect, test, type Page } from '@playwright/test';
import type { DemoState } from '../web/src/main.ts';
import { COCO_CATEGORY_NAMES, VOCABULARY_PRESETS } from '../web/src/vocabulary-presets.ts';
import { INFERENCE_TIMEOUT } from './chromium.ts';
import { counters, demoState, openDemo } from './demo-page.ts';
import { validationScene } from './scene.ts';

const scene = validationScene(0);
const nanoNames = VOCABULARY_PRESETS.find((p) => p.id === 'glip-nano')?.names ?? [];
let page: Page;

/** Gives the page the scene: detects with the prompt as it reads now (the backbone runs once per page). */
async function setScene(): Promise<void> {
  await page.locator('#image-file').setInputFiles({ name: 'scene.png', mimeType: 'image/png', buffer: scene.png });
}

/** Waits for the next finished detection (or an error) after `runsBefore` runs. */
async function nextRun(runsBefore: number): Promise<void> {
  await page.waitForFunction((n) => (window.__webglip?.detectRuns ?? 0) > n || window.__webglip?.error != null, runsBefore, { timeout: INFERENCE_TIMEOUT });
}

/** The detections' phrases must be names of the vocabulary, their spans pointing at them in the prompt box. */
async function expectNamedInPrompt(names: readonly string[]): Promise<void> {
  const { detections } = await demoState(page);
  const prompt = await page.getByLabel('What to find').inputValue();
  expect(detections.length).toBeGreaterThan(0);
  for (const d of detections) {
    expect(names).toContain(d.phrase);
    expect(prompt.slice(...d.charSpan)).toBe(d.phrase);
  }
  await expect(page.locator('#detections li')).toHaveCount(detections.length); // listed
  const labels = await page.evaluate(() => (window.__webglip as DemoState).labels().length);
  expect(labels).toBeGreaterThan(0); // drawn on the canvas (labels that cannot be placed apart are left out)
}

test.beforeAll(async ({ browser }) => {
  page = await browser.newPage();
  await openDemo(page);
});

test.afterAll(async () => {
  await page.close();
});

test("the glip-nano preset (80 names, past the window) runs in chunks: k of k shown, the image encoded once, boxes drawn", async () => {
  await page.getByLabel('Vocabulary preset').selectOption('glip-nano');
  await expect(page.locator('#phrases li')).toHaveCount(80); // the engine's parser, on the page
  const runs = (await demoState(page)).detectRuns;
  await setScene();
  await nextRun(runs);
  const state = await demoState(page);
  expect(state.error).toBeNull();
  const k = state.chunkProgress.at(-1)?.total ?? 0;
  expect(k).toBeGreaterThan(1);
  expect(state.chunkProgress.at(-1)).toEqual({ done: k, total: k });
  expect(state.chunkProgress.map((p) => p.done)).toEqual(Array.from({ length: state.chunkProgress.length }, (_, i) => i + 1));
  await expect(page.locator('#chunk-status')).toContainText(`chunk ${k} of ${k}`);
  expect((await counters(page)).backboneRuns).toBe(1);
  await expectNamedInPrompt(nanoNames);
});

test('a pasted newline-separated list of 160 names: 4 chunks of 40, the image not encoded again', async () => {
  const names = [...nanoNames, ...COCO_CATEGORY_NAMES]; // newlines are no tokens: 100 short names would still fit one window
  const runs = (await demoState(page)).detectRuns;
  await page.getByLabel('What to find').fill(names.join('\n'));
  await expect(page.locator('#phrases li')).toHaveCount(160);
  await setScene();
  await nextRun(runs);
  const state = await demoState(page);
  expect(state.error).toBeNull();
  expect(state.chunkProgress.at(-1)).toEqual({ done: 4, total: 4 });
  await expect(page.locator('#chunk-status')).toContainText('chunk 4 of 4');
  expect((await counters(page)).backboneRuns).toBe(1);
  await expectNamedInPrompt(names);
});

test("a name longer than the model's window is the engine's typed error, shown on the page", async () => {
  const long = Array.from({ length: 300 }, (_, i) => `w${i}`).join(' ');
  await page.getByLabel('What to find').fill(`red circle\n${long}`);
  await setScene();
  await expect(page.locator('#model-error')).toContainText('PromptError', { timeout: INFERENCE_TIMEOUT });
  await expect(page.locator('#model-error')).toContainText('alone is longer than the 256 tokens');
});

test('the widget: a `prompt` property of 100 names (a category list: " . " after each) runs in chunks, firing `chunk` up to k of k, then `detections`', async ({ browser }) => {
  const widgetPage = await browser.newPage();
  // A page of the site with one widget and no prompt yet (the built widget script, as widget-example.html loads it).
  await widgetPage.route('**/long-vocabulary-widget.html', (route) =>
    route.fulfill({
      contentType: 'text/html',
      body: '<!doctype html><script type="module" src="./widget/glip-detector.js"></script><glip-detector id="w" src="examples/scene.png"></glip-detector>',
    }),
  );
  await widgetPage.goto('long-vocabulary-widget.html');
  const names = [...nanoNames, ...COCO_CATEGORY_NAMES.slice(0, 20)];
  const result = await widgetPage.evaluate(
    (vocabulary) =>
      new Promise<{ chunks: { done: number; total: number }[]; detections: { phrase: string }[] }>((resolve, reject) => {
        const widget = document.getElementById('w') as HTMLElement & { prompt: string | string[] };
        const chunks: { done: number; total: number }[] = [];
        widget.addEventListener('chunk', (e) => chunks.push((e as CustomEvent<{ done: number; total: number }>).detail));
        widget.addEventListener('error', (e) => reject(new Error(String((e as unknown as CustomEvent).detail))));
        widget.addEventListener('detections', (e) => resolve({ chunks, detections: (e as CustomEvent<{ phrase: string }[]>).detail }));
        customElements.whenDefined('glip-detector').then(() => (widget.prompt = vocabulary), reject);
      }),
    names,
  );
  expect(result.chunks.at(-1)).toEqual({ done: 3, total: 3 });
  expect(result.detections.length).toBeGreaterThan(0);
  for (const d of result.detections) expect(names).toContain(d.phrase);
  await widgetPage.close();
});

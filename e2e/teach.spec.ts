// Teach mode (web/teach.html) on the shipped model, in Chromium on SwiftShader: a generated scene is
// added, one of its objects boxed by dragging the mouse and named, a second scene's boxes come from
// a COCO file; a long run is cancelled after its first step, then a short run tunes the prompt and
// the loss it shows falls; the held-out scene is detected before and after; the tuned prompt
// downloads and, loaded back, gives the same detections. Every request stays on the page's origin.
import { expect, test, type Page } from '@playwright/test';
import { copyFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { TeachState } from '../web/src/teach/main.ts';
import { INFERENCE_TIMEOUT } from './chromium.ts';
import { validationScene } from './scene.ts';

const drawn = validationScene(1);
const fromCoco = validationScene(2);
const heldOut = validationScene(0);
/** The object boxed with the mouse, and the name the prompt gets: its phrase. */
const target = drawn.truth[0];
const STEPS = 4;

const teachState = (page: Page): Promise<TeachState> => page.evaluate(() => structuredClone(window.__webglipTeach as TeachState));

/** The losses the page lists, step by step, as it shows them. */
async function shownLosses(page: Page): Promise<number[]> {
  // textContent: the table sits in a closed <details>, where innerText is empty
  return page.locator('#teach-loss-table tr').evaluateAll((rows) => rows.map((row) => Number((row as HTMLTableRowElement).cells[1]?.textContent)));
}

/** Drags the mouse over `box` (image pixels) on the annotation canvas. */
async function drawBox(page: Page, box: readonly number[]): Promise<void> {
  const canvas = page.locator('#teach-canvas');
  const rect = await canvas.boundingBox();
  if (!rect) throw new Error('the annotation canvas is not shown');
  const size = await canvas.evaluate((c: HTMLCanvasElement) => [c.width, c.height]);
  const at = (x: number, y: number): [number, number] => [rect.x + ((x + 0.5) * rect.width) / size[0], rect.y + ((y + 0.5) * rect.height) / size[1]];
  await page.mouse.move(...at(box[0], box[1]));
  await page.mouse.down();
  await page.mouse.move(...at((box[0] + box[2]) / 2, (box[1] + box[3]) / 2), { steps: 4 });
  await page.mouse.move(...at(box[2], box[3]), { steps: 4 });
  await page.mouse.up();
}

/** Collects every request that leaves the page's origin. */
function watchOrigin(page: Page, baseURL: string | undefined): string[] {
  const origin = new URL(baseURL ?? '').origin;
  const foreign: string[] = [];
  page.on('request', (r) => {
    const url = new URL(r.url());
    if (!['data:', 'blob:'].includes(url.protocol) && url.origin !== origin) foreign.push(r.url());
  });
  return foreign;
}

/** Opens teach mode; adds one scene boxed with the mouse and one whose box comes from a COCO file. */
async function annotate(page: Page): Promise<void> {
  await page.goto('./teach.html');
  await page.waitForFunction(() => window.__webglipTeach !== undefined && window.__webglipTeach.status !== 'loading', null, { timeout: INFERENCE_TIMEOUT });
  expect((await teachState(page)).status, (await teachState(page)).error ?? '').toBe('ready');

  // One image boxed by hand.
  await page.locator('#teach-files').setInputFiles({ name: 'drawn.png', mimeType: 'image/png', buffer: drawn.png });
  await expect(page.getByRole('button', { name: /drawn\.png/ })).toHaveAttribute('aria-pressed', 'true');
  await page.getByLabel('Name for the next box you draw').fill(target.phrase);
  await drawBox(page, target.box);
  const name = page.getByLabel('Name of box 1');
  await expect(name).toHaveValue(target.phrase);
  const row = await page.locator('#teach-boxes li').first().innerText();
  const corners = (row.match(/\d+/g) ?? []).map(Number);
  corners.forEach((v, i) => expect(Math.abs(v - target.box[i]), `drawn box ${row} vs [${target.box}]`).toBeLessThanOrEqual(2));

  // A second image whose boxes come from a COCO file (its objects named as the drawn one is, so the prompt has one phrase).
  await page.locator('#teach-files').setInputFiles({ name: 'coco.png', mimeType: 'image/png', buffer: fromCoco.png });
  const coco = {
    images: [{ id: 1, file_name: 'coco.png', width: 320, height: 320 }],
    categories: [{ id: 1, name: target.phrase }],
    annotations: fromCoco.truth.slice(0, 1).map((t, i) => ({ id: i + 1, image_id: 1, category_id: 1, bbox: [t.box[0], t.box[1], t.box[2] - t.box[0], t.box[3] - t.box[1]] })),
  };
  await page.locator('#teach-coco').setInputFiles({ name: 'coco.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(coco)) });
  await expect(page.locator('#teach-coco-status')).toContainText('boxes for 1 of the added images');
  await expect(page.locator('#teach-prompt')).toHaveText(target.phrase);
}

test('teach mode: boxes drawn with the mouse, typed as corners, removed, and read from a COCO file', async ({ page, baseURL }) => {
  const foreign = watchOrigin(page, baseURL);
  await annotate(page);
  await page.getByRole('button', { name: /drawn\.png/ }).click();
  await page.getByLabel('Name for the next box you draw').fill('second name');
  for (const [field, value] of Object.entries({ x0: 10, y0: 20, x1: 40, y1: 60 })) await page.getByRole('spinbutton', { name: field, exact: true }).fill(String(value));
  await page.getByRole('button', { name: 'Add box', exact: true }).click();
  await expect(page.getByLabel('Name of box 2')).toHaveValue('second name');
  await expect(page.locator('#teach-boxes li').nth(1)).toContainText('(10, 20)–(40, 60)');
  await expect(page.locator('#teach-prompt')).toHaveText(`${target.phrase}. second name`);
  await page.getByRole('button', { name: 'Remove box 2' }).click();
  await expect(page.locator('#teach-boxes li')).toHaveCount(1);
  await expect(page.locator('#teach-prompt')).toHaveText(target.phrase);
  expect((await teachState(page)).error).toBeNull();
  expect(foreign, 'requests that left the page').toEqual([]);
});

test('teach mode: tune (the loss falls), cancel, compare before / after', async ({ page, baseURL }) => {
  const foreign = watchOrigin(page, baseURL);
  await annotate(page);
  await page.locator('#teach-heldout').setInputFiles({ name: 'heldout.png', mimeType: 'image/png', buffer: heldOut.png });

  // Cancel: a long run stops after a step and keeps that step's offset.
  await page.getByRole('spinbutton', { name: 'Steps' }).fill('200');
  await page.getByRole('button', { name: 'Tune', exact: true }).click();
  await page.waitForFunction(() => (window.__webglipTeach?.progress.length ?? 0) > 0 || window.__webglipTeach?.error != null, null, { timeout: INFERENCE_TIMEOUT });
  expect((await teachState(page)).error).toBeNull();
  await page.getByRole('button', { name: 'Cancel', exact: true }).click();
  await page.waitForFunction(() => window.__webglipTeach?.tuning === false, null, { timeout: INFERENCE_TIMEOUT });
  const cancelled = await teachState(page);
  expect(cancelled.error).toBeNull();
  expect(cancelled.tuned?.cancelled).toBe(true);
  expect(cancelled.tuned?.steps).toBeLessThan(200);

  // A short run: the loss the page shows falls.
  await page.getByRole('spinbutton', { name: 'Steps' }).fill(String(STEPS));
  await page.getByRole('button', { name: 'Tune', exact: true }).click();
  await page.waitForFunction(() => window.__webglipTeach?.tuning === false && window.__webglipTeach.tuned?.cancelled === false, null, { timeout: INFERENCE_TIMEOUT });
  const done = await teachState(page);
  expect(done.error).toBeNull();
  const losses = await shownLosses(page);
  expect(losses).toHaveLength(STEPS);
  expect(losses.every(Number.isFinite)).toBe(true);
  expect(losses.at(-1), `losses shown: ${losses.join(', ')}`).toBeLessThan(losses[0]);
  await expect(page.locator('#teach-progress')).toContainText(`Done after ${STEPS} steps`);
  expect(done.progress.map((p) => p.step)).toEqual([1, 2, 3, 4]);

  // Before and after, on the held-out image.
  await page.waitForFunction((n) => (window.__webglipTeach?.compareRuns ?? 0) > n, cancelled.compareRuns, { timeout: INFERENCE_TIMEOUT });
  const compared = await teachState(page);
  expect(compared.error).toBeNull();
  await page.screenshot({ path: test.info().outputPath('teach.png'), fullPage: true });
  expect(foreign, 'requests that left the page').toEqual([]);
  copyFileSync(test.info().outputPath('teach.png'), 'docs/teach.png'); // the README's screenshot, only from a passing run
});

test('teach mode: download the tuned prompt and load it back after a reload: the same detections', async ({ page, baseURL }) => {
  const foreign = watchOrigin(page, baseURL);
  await annotate(page);
  await page.locator('#teach-heldout').setInputFiles({ name: 'heldout.png', mimeType: 'image/png', buffer: heldOut.png });
  await page.getByRole('spinbutton', { name: 'Steps' }).fill(String(STEPS));
  await page.getByRole('button', { name: 'Tune', exact: true }).click();
  await page.waitForFunction(() => (window.__webglipTeach?.compareRuns ?? 0) > 0 || window.__webglipTeach?.error != null, null, { timeout: INFERENCE_TIMEOUT });
  const done = await teachState(page);
  expect(done.error).toBeNull();
  const compared = done;
  // Download, then load the file back: the same prompt, the same detections after tuning.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download tuned prompt' }).click()]);
  const file = await download.path();
  const bytes = await readFile(file);
  expect(bytes.length).toBeGreaterThan(0);
  await page.reload();
  await page.waitForFunction(() => window.__webglipTeach?.status === 'ready', null, { timeout: INFERENCE_TIMEOUT });
  await page.locator('#teach-heldout').setInputFiles({ name: 'heldout.png', mimeType: 'image/png', buffer: heldOut.png });
  await page.locator('#teach-load').setInputFiles({ name: download.suggestedFilename(), mimeType: 'application/json', buffer: bytes });
  await page.waitForFunction(() => (window.__webglipTeach?.compareRuns ?? 0) > 0 || window.__webglipTeach?.error != null, null, { timeout: INFERENCE_TIMEOUT });
  const reloaded = await teachState(page);
  expect(reloaded.error).toBeNull();
  expect(reloaded.tuned?.caption).toBe(done.tuned?.caption);
  expect(reloaded.after).toEqual(compared.after);
  expect(reloaded.before).toEqual(compared.before);

  expect(foreign, 'requests that left the page').toEqual([]);
});

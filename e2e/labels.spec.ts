// Box labels stay readable in the demo at a low threshold (many boxes): every label inside the canvas,
// none over another, each "phrase score"; the chips are the engine's phrases, and hovering a chip
// highlights its boxes, clicking it hides them, hovering a row of the list highlights that box. One
// inference; the threshold change only re-filters.
import { expect, test, type Page } from '@playwright/test';
import type { DemoState } from '../web/src/main.ts';
import { detectScene, openDemo } from './demo-page.ts';
import { validationScene } from './scene.ts';

interface Drawn {
  labels: { index: number; text: string; rect: { x: number; y: number; width: number; height: number } }[];
  canvas: { width: number; height: number };
  phrases: string[];
}

function drawn(page: Page): Promise<Drawn> {
  return page.evaluate(() => {
    const state = window.__webglip as DemoState;
    const canvas = document.getElementById('canvas') as HTMLCanvasElement;
    return structuredClone({ labels: state.labels(), canvas: { width: canvas.width, height: canvas.height }, phrases: state.detections.map((d) => d.phrase) });
  });
}

function expectReadable({ labels, canvas }: Drawn): void {
  for (const [i, { rect: a, text }] of labels.entries()) {
    expect(a.x >= 0 && a.y >= 0 && a.x + a.width <= canvas.width && a.y + a.height <= canvas.height, `label ${text} inside the canvas`).toBe(true);
    expect(text).toMatch(/ \d\.\d\d$/);
    for (const { rect: b, text: other } of labels.slice(i + 1)) {
      expect(a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height, `${text} over ${other}`).toBe(false);
    }
  }
}

test('demo labels are inside the canvas, never overlap, and chips and rows highlight or hide boxes', async ({ page }, testInfo) => {
  await openDemo(page);
  const scene = validationScene(0);
  await detectScene(page, scene);
  await page.locator('#threshold').fill('0.05');
  await page.waitForFunction(() => (window.__webglip?.detections.length ?? 0) > 0);
  const all = await drawn(page);
  expect(all.labels.length).toBeGreaterThan(3);
  expectReadable(all);
  await page.locator('#result').screenshot({ path: testInfo.outputPath('labels.png') });

  // Chips: the engine's phrases of the list prompt, in order.
  const chips = page.locator('#phrases button');
  const phrases = scene.prompt.split('.').map((p) => p.trim()).filter(Boolean);
  await expect(chips).toHaveText(phrases);

  const first = phrases.find((p) => all.phrases.includes(p))!;
  const chip = chips.filter({ hasText: first });
  await chip.hover();
  const highlighted = await drawn(page);
  expect(highlighted.labels.length).toBeGreaterThan(0);
  expect(highlighted.labels.every((l) => highlighted.phrases[l.index] === first)).toBe(true);
  expectReadable(highlighted);

  await chip.click();
  await page.mouse.move(0, 0);
  await expect(chip).toHaveAttribute('aria-pressed', 'false');
  const hidden = await drawn(page);
  expect(hidden.labels.some((l) => hidden.phrases[l.index] === first)).toBe(false);
  expect(hidden.labels.length).toBeGreaterThan(0);

  await page.locator('#detections li').nth(1).hover();
  const row = await drawn(page);
  expect(row.labels.map((l) => l.index)).toEqual([1]);
});

// The widget offline: after one online visit the service worker has precached the widget (its module,
// worker and wasm under widget/), its example page and the weights, so widget-example.html detects with
// the network off. While the model loads, the widget shows the engine's typed progress (not just
// "Loading…"); its legend is the engine's phrases, its labels stay inside the canvas without overlaps.
import { expect, test } from '@playwright/test';
import type { Detection, LoadProgress } from '../packages/core/src/worker/protocol.ts';
import { INFERENCE_TIMEOUT } from './chromium.ts';
import { openDemo } from './demo-page.ts';
import { unmatched, validationScene } from './scene.ts';

declare global {
  interface Window {
    __detections?: Record<string, Detection[]>;
    __progress?: { phase: LoadProgress['phase']; status: string }[];
    __widgetErrors?: string[];
  }
}

test('after one online visit the widget page detects offline, showing load progress', async ({ page, context }) => {
  await openDemo(page);
  const worker = await page.evaluate(async () => {
    const late = new Promise<string>((resolve) => setTimeout(() => resolve('late'), 180_000));
    return Promise.race([navigator.serviceWorker.ready.then(() => 'active'), late]);
  });
  expect(worker, 'service worker after 180 s').toBe('active');

  await page.addInitScript(() => {
    const record = (name: string, handle: (target: HTMLElement, e: Event) => void) =>
      document.addEventListener(name, (e) => {
        const target = e.target as HTMLElement;
        if (target.localName === 'glip-detector') handle(target, e);
      }, true);
    record('detections', (target, e) => ((window.__detections ??= {})[target.id] = (e as CustomEvent<Detection[]>).detail));
    record('progress', (target, e) => {
      const status = target.shadowRoot?.querySelector("[part='status']")?.textContent ?? '';
      (window.__progress ??= []).push({ phase: (e as CustomEvent<LoadProgress>).detail.phase, status });
    });
    record('error', (target, e) => (window.__widgetErrors ??= []).push(`${target.id}: ${String(e instanceof CustomEvent ? e.detail : e)}`));
  });
  await context.setOffline(true);
  await page.goto('widget-example.html');
  expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
  await page.waitForFunction(
    () => (window.__detections?.a !== undefined && window.__detections?.b !== undefined) || window.__widgetErrors !== undefined,
    null,
    { timeout: INFERENCE_TIMEOUT },
  );
  expect(await page.evaluate(() => window.__widgetErrors ?? [])).toEqual([]);
  const emitted = await page.evaluate(() => window.__detections as Record<string, Detection[]>);
  const truth = validationScene(0).truth;
  expect(unmatched(truth.filter((t) => ['brown square', 'green hexagon', 'brown cross'].includes(t.phrase)), emitted.a)).toEqual([]);

  // Typed progress, in words, ending in 'done'.
  const progress = await page.evaluate(() => window.__progress ?? []);
  expect(progress.length).toBeGreaterThan(1);
  expect(progress.at(-1)!.phase).toBe('done');
  expect(progress.map((p) => p.status)).toContainEqual(expect.stringMatching(/weights.*MB|Compiling GPU pipelines: compile \d+\/\d+/));

  // The legend is the engine's phrases; the labels of the lower-threshold widget are readable.
  const b = await page.evaluate(() => {
    const widget = document.getElementById('b') as HTMLElementTagNameMap['glip-detector'];
    const canvas = widget.shadowRoot!.querySelector('canvas')!;
    return structuredClone({ phrases: widget.phrases.map((p) => p.text), labels: widget.labels, width: canvas.width, height: canvas.height });
  });
  expect(b.phrases).toEqual(['brown square', 'green hexagon', 'brown cross']);
  expect(b.labels.length).toBeGreaterThan(0);
  for (const [i, { rect: r }] of b.labels.entries()) {
    expect(r.x >= 0 && r.y >= 0 && r.x + r.width <= b.width && r.y + r.height <= b.height).toBe(true);
    for (const { rect: o } of b.labels.slice(i + 1)) expect(r.x < o.x + o.width && o.x < r.x + r.width && r.y < o.y + o.height && o.y < r.y + r.height).toBe(false);
  }

  // A legend chip hides its phrase's boxes.
  const chip = page.locator('#b').locator("[part~='chip']", { hasText: 'brown square' });
  await chip.click();
  await expect(chip).toHaveAttribute('aria-pressed', 'false');
  await page.mouse.move(0, 0);
  const after = await page.evaluate(() => {
    const widget = document.getElementById('b') as HTMLElementTagNameMap['glip-detector'];
    return widget.labels.map((l) => widget.detections[l.index].phrase);
  });
  expect(after).not.toContain('brown square');
});

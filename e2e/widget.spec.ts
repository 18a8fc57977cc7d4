// <glip-detector> on a plain HTML page (web/public/widget-example.html, strict CSP, one module
// script): both widgets emit `detections` in the engine API's JSON, and they share one engine.
import { copyFileSync, mkdirSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import type { Detection } from '../packages/core/src/worker/protocol.ts';
import { INFERENCE_TIMEOUT } from './chromium.ts';
import { unmatched, validationScene } from './scene.ts';

declare global {
  interface Window {
    __detections?: Record<string, Detection[]>;
    __widgetErrors?: string[];
  }
}

test('two widgets emit detections and share one engine', async ({ page }, testInfo) => {
  const weightRequests: string[] = [];
  page.context().on('request', (r) => {
    if (r.url().endsWith('.safetensors')) weightRequests.push(r.url());
  });
  const cspViolations: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
  });
  await page.addInitScript(() => {
    document.addEventListener(
      'detections',
      (e) => {
        const target = e.target as HTMLElement;
        (window.__detections ??= {})[target.id] = (e as CustomEvent<Detection[]>).detail;
      },
      true,
    );
    document.addEventListener(
      'error',
      (e) => {
        const target = e.target as HTMLElement;
        if (target.localName === 'glip-detector') (window.__widgetErrors ??= []).push(`${target.id}: ${String(e instanceof CustomEvent ? e.detail : e)}`);
      },
      true,
    );
  });
  await page.goto('widget-example.html');
  await page.waitForFunction(
    () => (window.__detections?.a !== undefined && window.__detections?.b !== undefined) || window.__widgetErrors !== undefined,
    null,
    { timeout: INFERENCE_TIMEOUT },
  );
  expect(await page.evaluate(() => window.__widgetErrors ?? [])).toEqual([]);
  const emitted = await page.evaluate(() => window.__detections as Record<string, Detection[]>);

  for (const detections of Object.values(emitted)) {
    for (const d of detections) {
      expect(d.box).toHaveLength(4);
      expect(typeof d.score).toBe('number');
      expect(typeof d.phrase).toBe('string');
      expect(d.charSpan).toHaveLength(2);
      expect(Array.isArray(d.tokenIndices)).toBe(true);
    }
  }

  expect(
    await page.evaluate(() => {
      const [a, b] = document.querySelectorAll('glip-detector');
      return a.engine === b.engine;
    }),
  ).toBe(true);
  // One engine worker (the others are its wasm pthreads, started from blob: URLs: the page is cross-origin isolated).
  expect(page.workers().filter((w) => !w.url().startsWith('blob:'))).toHaveLength(1);
  expect(weightRequests.length).toBe(new Set(weightRequests).size);
  expect(cspViolations).toEqual([]);

  expect(emitted.b.length).toBeGreaterThanOrEqual(emitted.a.length); // b's threshold is lower
  const shot = testInfo.outputPath('widget.png');
  await page.screenshot({ path: shot, fullPage: true });

  const truth = validationScene(0).truth;
  expect(unmatched(truth.filter((t) => ['brown square', 'green hexagon', 'brown cross'].includes(t.phrase)), emitted.a)).toEqual([]);
  mkdirSync('docs', { recursive: true });
  copyFileSync(shot, 'docs/widget.png'); // the README's screenshot, only from a passing run
});

// On a static host that sends no COOP/COEP headers, the first visit runs wasm on one thread and says why;
// once the service worker (web/sw.ts) controls the site, it serves the pages cross-origin isolated, so the
// next visit runs tfjs's threaded wasm (half the logical cores, tfjs's choice) and detects the same.
import { expect, test } from '@playwright/test';
import { detectScene, openDemo } from './demo-page.ts';
import { tfjsWasmThreads } from './isolation.ts';
import { validationScene } from './scene.ts';
import { serveDistStatically, type StaticHost } from './static-host.ts';

let host: StaticHost;
test.beforeAll(async () => {
  host = await serveDistStatically();
});
test.afterAll(() => host.close());

test('the service worker makes a static host cross-origin isolated from the second visit on', async ({ page }) => {
  const first = await openDemo(page, '', host.url);
  expect(await page.evaluate(() => self.crossOriginIsolated)).toBe(false);
  expect(first.info?.backendReason).toMatch(/wasm SIMD, 1 thread \(the page is not cross-origin isolated: COOP\/COEP headers missing\)$/);
  const scene = validationScene(5);
  const oneThread = await detectScene(page, scene);
  expect(oneThread.length).toBeGreaterThan(0);

  // Installed (the site precached) and activated: it has claimed this page.
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 180_000 });
  const second = await openDemo(page, '', host.url);
  expect(await page.evaluate(() => navigator.serviceWorker.controller !== null && self.crossOriginIsolated)).toBe(true);
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  expect(second.info?.backendReason).toMatch(new RegExp(`wasm SIMD, ${tfjsWasmThreads(cores)} threads? \\(tfjs takes half of the ${cores} logical cores\\)$`));
  const threaded = await detectScene(page, scene);
  expect(threaded.map((d) => d.phrase)).toEqual(oneThread.map((d) => d.phrase));
  for (const [i, d] of threaded.entries()) expect(Math.abs(d.score - oneThread[i].score)).toBeLessThan(1e-4);
});

// The PWA: after one online visit the service worker has precached the app, the wasm and the
// glip-nano weights, so the demo reloads and detects with the network off.
import { expect, test } from '@playwright/test';
import { detectScene, openDemo } from './demo-page.ts';
import { validationScene } from './scene.ts';

test('after one online visit the demo works offline', async ({ page, context }) => {
  await openDemo(page);
  // Wait until the service worker has installed (precache complete) and activated.
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  await context.setOffline(true);
  await page.reload();
  expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
  await openDemo(page);
  expect((await detectScene(page, validationScene(3))).length).toBeGreaterThan(0);
});

// The PWA: after one online visit the service worker has precached the app, the wasm and the
// glip-nano weights, so the demo reloads and detects with the network off.
import { expect, test } from '@playwright/test';
import { detectScene, openDemo } from './demo-page.ts';
import { validationScene } from './scene.ts';

test('after one online visit the demo works offline', async ({ page, context }) => {
  await openDemo(page);
  // Wait until the service worker has installed (precache complete) and activated; if it has not within
  // 180 s, fail saying where its registration stands (one CI run on 2026-11-30 waited here for 5 min).
  const worker = await page.evaluate(async () => {
    const late = new Promise<string>((resolve) => setTimeout(() => resolve('late'), 180_000));
    if ((await Promise.race([navigator.serviceWorker.ready.then(() => 'active'), late])) === 'active') return 'active';
    const r = await navigator.serviceWorker.getRegistration();
    return r === undefined ? 'no registration' : `installing ${r.installing?.state}, waiting ${r.waiting?.state}, active ${r.active?.state}`;
  });
  expect(worker, 'service worker after 180 s').toBe('active');
  await context.setOffline(true);
  await page.reload();
  expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
  await openDemo(page);
  expect((await detectScene(page, validationScene(3))).length).toBeGreaterThan(0);
});

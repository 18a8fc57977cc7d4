// The demo's model picker: the site ships glip-nano (Swin-T body) and glip-cnn-nano (ResNet-50 body).
// Picking one loads it in the same worker (another model identity), puts `?model=` in the address so a
// reload and the teach page's link keep it (the teach page loads it too), and the ResNet model detects the
// generated scene.
import { expect, test } from '@playwright/test';
import { demoState, detectScene, openDemo } from './demo-page.ts';
import { INFERENCE_TIMEOUT } from './chromium.ts';
import { unmatched, validationScene } from './scene.ts';

test('the picker loads glip-cnn-nano, keeps it across a reload, and it detects the scene', async ({ page }) => {
  const nano = await openDemo(page);
  expect(await page.locator('#shipped-model').inputValue()).toBe('glip-nano');
  await page.locator('#shipped-model').selectOption('glip-cnn-nano');
  await expect(page).toHaveURL(/[?&]model=glip-cnn-nano/);
  await expect(page.locator('#teach-link')).toHaveAttribute('href', /teach\.html\?model=glip-cnn-nano$/);
  await page.waitForFunction((sha) => window.__webglip?.status === 'ready' && window.__webglip.info?.modelSha256 !== sha, nano.info?.modelSha256, { timeout: INFERENCE_TIMEOUT });
  const cnn = await demoState(page);
  expect(cnn.info?.modelSha256).toMatch(/^[0-9a-f]{64}$/);
  expect(cnn.info?.modelSha256).not.toBe(nano.info?.modelSha256);

  await page.reload();
  await page.waitForFunction(() => window.__webglip?.status === 'ready', null, { timeout: INFERENCE_TIMEOUT });
  expect(await page.locator('#shipped-model').inputValue()).toBe('glip-cnn-nano');
  expect((await demoState(page)).info?.modelSha256).toBe(cnn.info?.modelSha256);

  const scene = validationScene(0);
  await detectScene(page, scene);
  await page.getByLabel(/Score threshold/).fill('0.3');
  const shown = () => page.evaluate(() => window.__webglip?.detections ?? []);
  await expect.poll(async () => unmatched(scene.truth, await shown(), 0.5), { message: `prompt "${scene.prompt}"` }).toEqual([]);

  // The teach page, from the link, tunes for the same model.
  await page.locator('#teach-link').click();
  await expect(page.locator('#model-status')).toContainText('glip-cnn-nano is ready', { timeout: INFERENCE_TIMEOUT });
});

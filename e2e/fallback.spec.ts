// Chromium started WITHOUT the WebGPU flags (no adapter): the demo says so and still detects, on
// tfjs's WebAssembly backend.
import { expect, test } from '@playwright/test';
import { CHROMIUM, QUIET_FLAGS } from './chromium.ts';
import { detectScene, openDemo } from './demo-page.ts';
import { validationScene } from './scene.ts';

test.use({
  launchOptions: {
    executablePath: CHROMIUM,
    args: QUIET_FLAGS,
  },
});

test('without WebGPU the demo warns and falls back to wasm', async ({ page }) => {
  const state = await openDemo(page);
  expect(state.info?.backend).toBe('wasm');
  await expect(page.locator('#backend-warning')).toBeVisible();
  await expect(page.locator('#backend-warning')).toContainText('WebGPU is not available');
  expect((await detectScene(page, validationScene(4))).length).toBeGreaterThan(0);
});

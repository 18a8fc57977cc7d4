// Chromium started WITHOUT the WebGPU flags (no adapter): the demo says what runs instead (tfjs's
// WebAssembly backend, on the CPU) and why, without a speed claim, and still detects.
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
  // It says what runs and why, and claims no speed: without a GPU, wasm measured faster than WebGPU here (README).
  await expect(page.locator('#backend-warning')).toContainText('on the CPU, through tfjs\'s WebAssembly backend');
  await expect(page.locator('#backend-warning')).not.toContainText(/slower/);
  expect((await detectScene(page, validationScene(4))).length).toBeGreaterThan(0);
});

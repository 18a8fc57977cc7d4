// The engine's 'auto' backend in Chromium on SwiftShader: the adapter is a software one, so the demo runs
// on tfjs's wasm backend (faster there) and says why, threads included (one: the demo is not served
// cross-origin isolated, see worker/backend.ts). An explicit ?backend=webgpu still gets WebGPU.
import { expect, test } from '@playwright/test';
import { detectScene, openDemo } from './demo-page.ts';
import { validationScene } from './scene.ts';

test("'auto' picks wasm on SwiftShader, says why, and detects", async ({ page }) => {
  const state = await openDemo(page);
  expect(await page.evaluate(() => self.crossOriginIsolated)).toBe(false);
  expect(state.info?.backend).toBe('wasm');
  expect(state.info?.backendReason).toMatch(
    /^auto: the WebGPU adapter is a fallback \(software\) adapter \(google · swiftshader.*WebAssembly is faster there; wasm SIMD, 1 thread \(the page is not cross-origin isolated: COOP\/COEP headers missing\)$/,
  );
  await expect(page.locator('#model-status')).toContainText('wasm: auto: the WebGPU adapter is a fallback');
  await expect(page.locator('#backend-warning')).toContainText('software renderer');
  expect((await detectScene(page, validationScene(4))).length).toBeGreaterThan(0);
});

test("an explicit ?backend=webgpu still runs on WebGPU", async ({ page }) => {
  const state = await openDemo(page, '?backend=webgpu');
  expect(state.info?.backend).toBe('webgpu');
  expect(state.info?.backendReason).toBe('webgpu was requested');
  await expect(page.locator('#backend-warning')).toBeHidden();
});

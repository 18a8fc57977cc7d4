// The engine's 'auto' backend in Chromium on SwiftShader: the adapter is a software one, so the demo runs
// on tfjs's wasm backend (faster there) and says why, threads included. `vite preview` serves the demo
// cross-origin isolated (COOP/COEP, vite.config.ts), so wasm runs one thread per core; the same page served
// without those headers runs one thread, says why, and detects the same. An explicit ?backend=webgpu still
// gets WebGPU.
import { expect, test, type Page } from '@playwright/test';
import type { Detection } from '../packages/core/src/worker/protocol.ts';
import { detectScene, openDemo } from './demo-page.ts';
import { validationScene } from './scene.ts';

const AUTO_ON_SWIFTSHADER =
  /^auto: the WebGPU adapter is a fallback \(software\) adapter \(google · swiftshader.*WebAssembly is faster there; wasm SIMD, /;

/** Serves this page's responses without the cross-origin isolation headers. */
async function dropIsolationHeaders(page: Page): Promise<void> {
  await page.route('**/*', async (route) => {
    const response = await route.fetch();
    const headers = { ...response.headers() };
    delete headers['cross-origin-opener-policy'];
    delete headers['cross-origin-embedder-policy'];
    await route.fulfill({ response, headers });
  });
}

function expectSameDetections(a: Detection[], b: Detection[]): void {
  expect(a.map((d) => d.phrase)).toEqual(b.map((d) => d.phrase));
  for (const [i, d] of a.entries()) {
    expect(Math.abs(d.score - b[i].score)).toBeLessThan(1e-4);
    for (const k of [0, 1, 2, 3]) expect(Math.abs(d.box[k] - b[i].box[k])).toBeLessThan(1e-2);
  }
}

test("'auto' picks wasm on SwiftShader, one thread per core on the isolated page, says why, and detects as one thread does", async ({ page, browser }) => {
  const state = await openDemo(page);
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  expect(await page.evaluate(() => self.crossOriginIsolated)).toBe(true);
  expect(state.info?.backend).toBe('wasm');
  expect(state.info?.backendReason).toMatch(AUTO_ON_SWIFTSHADER);
  expect(state.info?.backendReason).toMatch(new RegExp(`wasm SIMD, ${cores} thread${cores === 1 ? '' : 's'}$`));
  await expect(page.locator('#model-status')).toContainText('wasm: auto: the WebGPU adapter is a fallback');
  await expect(page.locator('#backend-warning')).toContainText('software renderer');
  const scene = validationScene(4);
  const threaded = await detectScene(page, scene);
  expect(threaded.length).toBeGreaterThan(0);

  const plainPage = await (await browser.newContext()).newPage();
  await dropIsolationHeaders(plainPage);
  const plain = await openDemo(plainPage);
  expect(await plainPage.evaluate(() => self.crossOriginIsolated)).toBe(false);
  expect(plain.info?.backendReason).toMatch(AUTO_ON_SWIFTSHADER);
  expect(plain.info?.backendReason).toMatch(/wasm SIMD, 1 thread \(the page is not cross-origin isolated: COOP\/COEP headers missing\)$/);
  expectSameDetections(await detectScene(plainPage, scene), threaded);
});

test("an explicit ?backend=webgpu still runs on WebGPU", async ({ page }) => {
  const state = await openDemo(page, '?backend=webgpu');
  expect(state.info?.backend).toBe('webgpu');
  expect(state.info?.backendReason).toBe('webgpu was requested');
  await expect(page.locator('#backend-warning')).toBeHidden();
});

// The engine's 'auto' backend in Chromium on SwiftShader: the adapter is a software one, so the demo runs
// on tfjs's wasm backend (faster there) and says why, threads included. `vite preview` serves the demo
// cross-origin isolated (COOP/COEP, vite.config.ts), so wasm runs tfjs's threaded build (threads: half the
// logical cores, tfjs's choice); the same page served without those headers runs the single-threaded build,
// says why, and detects the same. An explicit ?backend=webgpu still gets WebGPU.
import { expect, test, type Page } from '@playwright/test';
import type { Detection } from '../packages/core/src/worker/protocol.ts';
import { detectScene, openDemo } from './demo-page.ts';
import { dropIsolationHeaders, tfjsWasmThreads } from './isolation.ts';
import { validationScene } from './scene.ts';

const AUTO_ON_SWIFTSHADER =
  /^auto: the WebGPU adapter is a fallback \(software\) adapter \(google · swiftshader.*WebAssembly is faster there; wasm SIMD, /;

/** tfjs's three wasm builds, as their (hashed) asset names begin. */
const WASM_BUILDS = ['tfjs-backend-wasm-threaded-simd', 'tfjs-backend-wasm-simd', 'tfjs-backend-wasm'];

/** The tfjs wasm builds `page` fetches. */
function wasmBinaries(page: Page): string[] {
  const names: string[] = [];
  page.on('request', (r) => {
    const file = r.url().slice(r.url().lastIndexOf('/') + 1);
    const name = file.endsWith('.wasm') ? WASM_BUILDS.find((b) => file.startsWith(`${b}-`)) : undefined;
    if (name) names.push(name);
  });
  return names;
}

function expectSameDetections(a: Detection[], b: Detection[]): void {
  expect(a.map((d) => d.phrase)).toEqual(b.map((d) => d.phrase));
  for (const [i, d] of a.entries()) {
    expect(Math.abs(d.score - b[i].score)).toBeLessThan(1e-4);
    for (const k of [0, 1, 2, 3]) expect(Math.abs(d.box[k] - b[i].box[k])).toBeLessThan(1e-2);
  }
}

test("'auto' picks wasm on SwiftShader, threaded on the isolated page, says why, and detects as the single-threaded build does", async ({ page, browser }) => {
  const binaries = wasmBinaries(page);
  const state = await openDemo(page);
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  const threads = tfjsWasmThreads(cores);
  expect(await page.evaluate(() => self.crossOriginIsolated)).toBe(true);
  expect(binaries).toEqual(['tfjs-backend-wasm-threaded-simd']);
  expect(state.info?.backend).toBe('wasm');
  expect(state.info?.backendReason).toMatch(AUTO_ON_SWIFTSHADER);
  expect(state.info?.backendReason).toMatch(new RegExp(`wasm SIMD, ${threads} threads? \\(tfjs takes half of the ${cores} logical cores\\)$`));
  await expect(page.locator('#model-status')).toContainText('wasm: auto: the WebGPU adapter is a fallback');
  await expect(page.locator('#backend-warning')).toContainText('software renderer');
  const scene = validationScene(4);
  const threaded = await detectScene(page, scene);
  expect(threaded.length).toBeGreaterThan(0);

  const plainPage = await (await browser.newContext()).newPage();
  await dropIsolationHeaders(plainPage);
  const plainBinaries = wasmBinaries(plainPage);
  const plain = await openDemo(plainPage);
  expect(await plainPage.evaluate(() => self.crossOriginIsolated)).toBe(false);
  expect(plainBinaries).toEqual(['tfjs-backend-wasm-simd']);
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

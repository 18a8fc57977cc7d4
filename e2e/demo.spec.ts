// The demo on the shipped model (models/glip-nano/), in Chromium on SwiftShader WebGPU.
import { copyFileSync, mkdirSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { counters, detectPrompt, detectScene, openDemo } from './demo-page.ts';
import { unmatched, validationScene } from './scene.ts';

test('detects every object of a generated scene with the right phrase', async ({ page }, testInfo) => {
  const scene = validationScene(0);
  const info = await openDemo(page);
  expect(info.info?.backend).toBe('webgpu');
  const detections = await detectScene(page, scene);
  const shot = testInfo.outputPath('demo.png');
  await page.screenshot({ path: shot, fullPage: true });
  mkdirSync('docs', { recursive: true });
  copyFileSync(shot, 'docs/demo.png');
  expect(unmatched(scene.truth, detections), `prompt "${scene.prompt}"`).toEqual([]);
});

test('editing only the prompt re-runs the text encoder, not the backbone; the threshold only re-filters', async ({ page }) => {
  const scene = validationScene(1);
  await openDemo(page);
  await detectScene(page, scene);
  const first = await counters(page);
  expect(first.backboneRuns).toBe(1);

  await detectPrompt(page, `${scene.prompt} purple ring.`);
  const second = await counters(page);
  expect(second.backboneRuns).toBe(first.backboneRuns);
  expect(second.textRuns).toBe(first.textRuns + 1);

  await page.getByLabel(/Score threshold/).fill('0.2');
  await expect(page.locator('#threshold-value')).toHaveText('0.20');
  expect(await counters(page)).toEqual(second);
});

test('no request leaves for anything but the page’s own origin', async ({ page, baseURL }) => {
  const origin = new URL(baseURL ?? '').origin;
  const foreign: string[] = [];
  page.context().on('request', (r) => {
    const url = new URL(r.url());
    if (!['data:', 'blob:'].includes(url.protocol) && url.origin !== origin) foreign.push(r.url());
  });
  await openDemo(page);
  await detectScene(page, validationScene(2));
  expect(foreign).toEqual([]);
});

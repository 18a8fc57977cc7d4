// Driving the demo page (web/index.html) from a spec, through its UI and its `window.__webglip` state.
import { expect, type Page } from '@playwright/test';
import type { Detection, DetectorCounters } from '../packages/core/src/worker/protocol.ts';
import type { DemoState } from '../web/src/main.ts';
import { INFERENCE_TIMEOUT } from './chromium.ts';
import type { TestScene } from './scene.ts';

type PlainState = Omit<DemoState, 'counters' | 'labels'>;

export async function demoState(page: Page): Promise<PlainState> {
  return page.evaluate(() => {
    const { status, info, detections, detectRuns, chunkProgress, error, examples, live } = window.__webglip as DemoState;
    return structuredClone({ status, info, detections, detectRuns, chunkProgress, error, examples, live });
  });
}

/**
 * Opens the demo (`query`: e.g. '?backend=webgpu'; `site`: where it is served, default the spec's preview
 * server) and waits until the shipped model is loaded (fails with the page's own message otherwise).
 */
export async function openDemo(page: Page, query = '', site = './'): Promise<PlainState> {
  await page.goto(`${site}${query}`);
  await page.waitForFunction(() => window.__webglip !== undefined && window.__webglip.status !== 'loading', null, { timeout: INFERENCE_TIMEOUT });
  const state = await demoState(page);
  expect(state.status, `the demo did not load its model: ${state.error}`).toBe('ready');
  return state;
}

/** Gives the demo an image (through the file picker) and a prompt, runs detection, returns what it drew. */
export async function detectScene(page: Page, scene: Pick<TestScene, 'png' | 'prompt'>): Promise<Detection[]> {
  const runs = (await demoState(page)).detectRuns;
  await page.getByLabel('What to find').fill(scene.prompt);
  await page.locator('#image-file').setInputFiles({ name: 'scene.png', mimeType: 'image/png', buffer: scene.png });
  return waitForRun(page, runs);
}

/** Changes only the prompt and detects again. */
export async function detectPrompt(page: Page, prompt: string): Promise<Detection[]> {
  const runs = (await demoState(page)).detectRuns;
  await page.getByLabel('What to find').fill(prompt);
  await page.getByRole('button', { name: 'Detect' }).click();
  return waitForRun(page, runs);
}

async function waitForRun(page: Page, runsBefore: number): Promise<Detection[]> {
  await page.waitForFunction((n) => (window.__webglip?.detectRuns ?? 0) > n || window.__webglip?.error != null, runsBefore, { timeout: INFERENCE_TIMEOUT });
  const state = await demoState(page);
  expect(state.error, 'the demo reported an error').toBeNull();
  return state.detections;
}

export function counters(page: Page): Promise<DetectorCounters> {
  return page.evaluate(() => (window.__webglip as DemoState).counters());
}

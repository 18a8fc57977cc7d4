// Live camera mode on Chromium's fake camera (an animated test pattern, no permission prompt):
// detection runs frame after frame, never more than one at a time (frames skipped, not queued), a
// prompt edit reaches the next frame, frames/s is shown, and the loop stops and releases the camera
// when the camera goes away or the tab is hidden. A few inferences in all.
import { expect, test, type Page } from '@playwright/test';
import { CHROMIUM, INFERENCE_TIMEOUT, QUIET_FLAGS, WEBGPU_FLAGS } from './chromium.ts';
import { counters, demoState, openDemo } from './demo-page.ts';

const FAKE_CAMERA = ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'];

test.use({ launchOptions: { executablePath: CHROMIUM, args: [...WEBGPU_FLAGS, ...QUIET_FLAGS, ...FAKE_CAMERA] } });

declare global {
  interface Window {
    __cameraTracks?: MediaStreamTrack[];
  }
}

async function liveFrames(page: Page): Promise<number> {
  return (await demoState(page)).live.frames;
}

/** Starts the camera, waits for `frames` detected frames; keeps the stream's tracks on `window` for the checks. */
async function startLive(page: Page, frames: number): Promise<void> {
  await page.getByRole('button', { name: 'Live camera' }).click();
  await page.waitForFunction(() => (document.getElementById('webcam-video') as HTMLVideoElement).srcObject !== null);
  await page.evaluate(() => (window.__cameraTracks = ((document.getElementById('webcam-video') as HTMLVideoElement).srcObject as MediaStream).getTracks()));
  await page.waitForFunction((n) => (window.__webglip?.live.frames ?? 0) >= n || window.__webglip?.error != null, frames, { timeout: INFERENCE_TIMEOUT });
  expect((await demoState(page)).error).toBeNull();
}

/** After a stop: the round in flight (if any) ends and then nothing runs any more. */
async function expectStopped(page: Page, because: string): Promise<void> {
  await expect(page.locator('#camera-status')).toHaveText(`Camera stopped: ${because}.`);
  await expect(page.getByRole('button', { name: 'Live camera' })).toBeVisible();
  expect(await page.evaluate(() => window.__cameraTracks?.map((t) => t.readyState))).toEqual(['ended']);
  await expect(page.locator('#webcam-video')).toBeHidden();
  expect((await demoState(page)).live.live).toBe(false);
  await page.waitForFunction(() => window.__webglip?.live.inFlight === 0, null, { timeout: INFERENCE_TIMEOUT });
  const runs = (await counters(page)).detectRuns;
  await page.waitForTimeout(3000);
  expect((await counters(page)).detectRuns, 'detections after the stop').toBe(runs);
  expect(runs, 'every detection the engine ran was a round shown, none queued').toBe((await demoState(page)).detectRuns);
}

test('live detection on the camera: one frame at a time, prompt edits on the next frame, frames/s, clean stops', async ({ page }) => {
  await openDemo(page);
  await page.getByLabel('What to find').fill('green circle. red square.');
  await startLive(page, 2);
  await expect(page.locator('#camera-status')).toContainText(/frames\/s/);
  const video = await page.evaluate(() => (document.getElementById('webcam-video') as HTMLVideoElement).getVideoPlaybackQuality().totalVideoFrames);
  const state = await demoState(page);
  expect(state.live.maxInFlight).toBe(1);
  expect(video, 'frames the camera delivered vs frames detected').toBeGreaterThan(state.live.frames);

  const before = await counters(page);
  const framesBefore = await liveFrames(page);
  await page.getByLabel('What to find').fill('blue star. yellow ring.');
  // The round in flight may still use the old prompt; the one after it must have encoded the new one.
  await page.waitForFunction((n) => (window.__webglip?.live.frames ?? 0) >= n + 2, framesBefore, { timeout: INFERENCE_TIMEOUT });
  expect((await counters(page)).textRuns).toBe(before.textRuns + 1);

  // The camera goes away (unplugged: the track ends).
  await page.evaluate(() => {
    const track = window.__cameraTracks![0];
    track.stop();
    track.dispatchEvent(new Event('ended'));
  });
  await expectStopped(page, 'the camera went away');

  // Again, and this time the tab is hidden.
  await startLive(page, 1);
  await page.evaluate(() => {
    Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
  });
  await expectStopped(page, 'the tab was hidden');

  // Hidden while the camera is still starting (its video not yet playing): the stop wins, no loop runs.
  await page.evaluate(async () => {
    Object.defineProperty(document, 'visibilityState', { value: 'visible', configurable: true });
    const video = document.getElementById('webcam-video') as HTMLVideoElement;
    (document.getElementById('webcam') as HTMLButtonElement).click();
    while (video.srcObject === null) await new Promise((resolve) => setTimeout(resolve, 0));
    window.__cameraTracks = (video.srcObject as MediaStream).getTracks();
    Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
  });
  await expectStopped(page, 'the tab was hidden');
  expect((await demoState(page)).live.frames, 'no round ran for the camera stopped while starting').toBe(0);
});

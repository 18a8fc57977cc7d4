// The engine worker loses its GPUDevice in the middle of a detect, in Chromium (WebGPU on SwiftShader):
// dev/robustness.html's worker is the real engine worker plus a fault injector that calls
// `device.destroy()` inside the worker after a few GPU submissions of the running call
// (web/dev/device-loss-worker.ts). The pending call must reject with DeviceLostError on the page, and
// the next call must get a new device, the weights from the Cache API (the shard is downloaded once,
// the small JSON files twice) and the same detections as before the loss. The model is the
// random-weight GLIP at toy width (packages/core/src/testing/random-model.ts), served by the test.
import { expect, test } from '@playwright/test';
import { RANDOM_MODEL_SHARD, randomModelFolder } from '../packages/core/src/testing/random-model.ts';
import type { WeightsManifest } from '../packages/core/src/weights/manifest.ts';
import type { DeviceLossReport } from '../web/dev/device-loss.ts';
import { INFERENCE_TIMEOUT } from './chromium.ts';

test('device.destroy() in the worker mid-detect → DeviceLostError; the next detect recovers with the cached weights', async ({ page }) => {
  test.setTimeout(2 * INFERENCE_TIMEOUT);
  const files = await randomModelFolder();
  const manifest = JSON.parse(new TextDecoder().decode(files.get('manifest.json'))) as WeightsManifest;
  const requests = new Map<string, number>();
  await page.context().route('**/test-models/random/*', async (route) => {
    const name = new URL(route.request().url()).pathname.split('/').pop()!;
    requests.set(name, (requests.get(name) ?? 0) + 1);
    const body = files.get(name);
    await (body ? route.fulfill({ body: Buffer.from(body), contentType: 'application/octet-stream' }) : route.fulfill({ status: 404 }));
  });
  await page.goto('dev/robustness.html');
  await page.waitForFunction(() => window.__faultChecks !== undefined);
  const model = new URL('test-models/random/', page.url()).href;
  const r: DeviceLossReport = await page.evaluate((m) => window.__faultChecks!.deviceLoss(m), model);

  expect(r.info.backend).toBe('webgpu');
  expect(r.cachedShards).toEqual([expect.stringContaining(manifest.shards[0].sha256)]);
  expect(r.lost).toMatchObject({ name: 'DeviceLostError', code: 'device-lost', isDeviceLostError: true, isGlipError: true });
  expect(r.devicesAtLoss).toBe(1);
  expect(r.devicesAfter).toBe(2);
  expect(requests.get(RANDOM_MODEL_SHARD)).toBe(1); // the reload read the shard from the Cache API
  expect(requests.get('manifest.json')).toBe(2);

  expect(r.before.length).toBeGreaterThan(0);
  expect(r.after.map((d) => [d.phrase, d.charSpan])).toEqual(r.before.map((d) => [d.phrase, d.charSpan]));
  r.after.forEach((d, i) => {
    expect(Math.abs(d.score - r.before[i].score)).toBeLessThan(1e-5);
    d.box.forEach((v, j) => expect(Math.abs(v - r.before[i].box[j])).toBeLessThan(1e-3));
  });
});

// Image input in the browser (dev/robustness.html): decodeImage through createImageBitmap (EXIF
// orientation honoured, 10000×10000 downscaled while decoding, grey/alpha/16-bit PNG, non-images
// refused with ImageInputError), pixelsFromSource on canvases and video frames, and typed errors
// from the engine worker keeping their class in the minified build.
import { expect, test } from '@playwright/test';
import type { Page } from '@playwright/test';
import { halfRedJpeg, makePng } from '../packages/core/src/testing/image-files.ts';
import type { InputReport } from '../web/dev/robustness.ts';

type Point = [number, number];

async function open(page: Page): Promise<void> {
  await page.goto('dev/robustness.html');
  await page.waitForFunction(() => window.__inputChecks !== undefined);
}

function decode(page: Page, bytes: Uint8Array, points: Point[], maxSide?: number): Promise<InputReport> {
  return page.evaluate(([b, p, m]) => window.__inputChecks!.decodeBytes(b, p, m), [Array.from(bytes), points, maxSide] as const);
}

const red = (p: number[]): boolean => p[0] > 200 && p[2] < 60;
const blue = (p: number[]): boolean => p[2] > 200 && p[0] < 60;

test.beforeEach(async ({ page }) => open(page));

test('EXIF-rotated JPEGs decode in displayed orientation', async ({ page }) => {
  for (const [orientation, size, first] of [[1, [32, 16], 'left'], [3, [32, 16], 'right'], [6, [16, 32], 'top'], [8, [16, 32], 'bottom']] as const) {
    const wide = size[0] > size[1];
    const points: Point[] = wide ? [[0.1, 0.5], [0.9, 0.5]] : [[0.5, 0.1], [0.5, 0.9]];
    const r = await decode(page, halfRedJpeg(orientation), points);
    expect(r.error, `orientation ${orientation}`).toBeUndefined();
    expect([r.width, r.height], `orientation ${orientation}`).toEqual(size);
    const redFirst = first === 'left' || first === 'top';
    expect(red(r.pixels![redFirst ? 0 : 1]) && blue(r.pixels![redFirst ? 1 : 0]), `orientation ${orientation}: ${JSON.stringify(r.pixels)}`).toBe(true);
  }
});

test('a 10000×10000 PNG is downscaled while decoding', async ({ page }) => {
  const side = 10000;
  const row = new Uint8Array(side).fill(255, 0, side / 2);
  const r = await decode(page, makePng(side, side, 0, 8, () => row), [[0.1, 0.5], [0.9, 0.5]]);
  expect(r.error).toBeUndefined();
  expect([r.width, r.height]).toEqual([2048, 2048]);
  expect(r.pixels![0].slice(0, 3)).toEqual([255, 255, 255]);
  expect(r.pixels![1].slice(0, 3)).toEqual([0, 0, 0]);
});

test('grey, grey+alpha and 16-bit PNGs become 8-bit RGBA; 1×1 works', async ({ page }) => {
  const grey = await decode(page, makePng(2, 1, 0, 8, () => new Uint8Array([0, 200])), [[0.9, 0]]);
  expect(grey.pixels).toEqual([[200, 200, 200, 255]]);
  const greyAlpha = await decode(page, makePng(1, 1, 4, 8, () => new Uint8Array([90, 255])), [[0, 0]]);
  expect(greyAlpha.pixels).toEqual([[90, 90, 90, 255]]);
  const deep = await decode(page, makePng(1, 1, 2, 16, () => new Uint8Array([0xff, 0xff, 0x80, 0x00, 0x00, 0x00])), [[0, 0]]);
  expect(deep.pixels![0][0]).toBe(255);
  expect(Math.abs(deep.pixels![0][1] - 128)).toBeLessThanOrEqual(1);
});

test('bytes that are not an image, and a 0×0 PNG, are ImageInputErrors', async ({ page }) => {
  for (const bytes of [new TextEncoder().encode('<html>404</html>'), new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 16]), makePng(0, 0, 2, 8, () => new Uint8Array())]) {
    const r = await decode(page, bytes, []);
    expect(r.error?.code).toBe('image-input');
  }
});

test('canvases and video frames as input; a video without a frame yet is an ImageInputError', async ({ page }) => {
  const canvas = await page.evaluate(() => window.__inputChecks!.canvas(300, 100, [[0.1, 0.5], [0.9, 0.5]]));
  expect([canvas.width, canvas.height]).toEqual([300, 100]);
  expect(red(canvas.pixels![0]) && blue(canvas.pixels![1])).toBe(true);
  const big = await page.evaluate(() => window.__inputChecks!.canvas(4096, 1024, [[0.1, 0.5]]));
  expect([big.width, big.height]).toEqual([2048, 512]);
  const empty = await page.evaluate(() => window.__inputChecks!.canvas(0, 0, []));
  expect(empty.error?.code).toBe('image-input');

  const video = await page.evaluate(() => window.__inputChecks!.videoFrame([[0.1, 0.5], [0.9, 0.5]]));
  expect(video.early.error?.code).toBe('image-input');
  expect(video.early.error?.message).toMatch(/loadeddata/);
  expect([video.frame.width, video.frame.height]).toEqual([64, 48]);
  expect(red(video.frame.pixels![0]) && blue(video.frame.pixels![1])).toBe(true);
});

test('a typed error thrown in the worker reaches the page as the same class, by name', async ({ page }) => {
  const error = await page.evaluate(() => window.__inputChecks!.workerError());
  expect(error).toEqual({ name: 'TokenizerError', code: 'tokenizer', isTokenizerError: true, isGlipError: true });
});

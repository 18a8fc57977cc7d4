import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { glipTConfig } from '../config.ts';
import { ImageInputError } from '../errors.ts';
import { TEST_BACKENDS, maxAbsDiff, useBackend } from '../testing/backends.ts';
import { CASE_A_DIR, caseTensors } from '../testing/fixtures.ts';
import { preprocessImage } from './preprocess.ts';
import { resizedSize } from './target-size.ts';

describe('resized size (official get_size)', () => {
  it('scales the shorter side, floors the longer one and keeps an image whose short side already fits', () => {
    expect(resizedSize({ height: 480, width: 640 }, 800, 1333)).toEqual({ height: 800, width: 1066 });
    expect(resizedSize({ height: 427, width: 640 }, 800, 1333)).toEqual({ height: 800, width: 1199 });
    expect(resizedSize({ height: 1080, width: 1920 }, 800, 1333)).toEqual({ height: 750, width: 1333 });
    expect(resizedSize({ height: 1080, width: 1920 }, 800, null)).toEqual({ height: 800, width: 1422 });
    expect(resizedSize({ height: 640, width: 480 }, 800, 1333)).toEqual({ height: 1066, width: 800 });
    expect(resizedSize({ height: 316, width: 410 }, 316, 512)).toEqual({ height: 316, width: 410 });
  });
});

describe.each(TEST_BACKENDS)('preprocessImage on %s', (backend) => {
  it('reproduces case-a image.input from image.png (BGR×255, mean/std, zero pad to /32)', async () => {
    await useBackend(backend);
    const png = PNG.sync.read(readFileSync(resolve(CASE_A_DIR, 'image.png')));
    const cfg = { ...glipTConfig().input, minSizeTest: 316, maxSizeTest: 512 };
    const { input, originalSize, imageSize } = preprocessImage({ data: png.data, width: png.width, height: png.height }, cfg);
    expect(originalSize).toEqual({ height: 316, width: 410 });
    expect(imageSize).toEqual({ height: 316, width: 410 });
    expect(input.shape).toEqual([1, 320, 416, 3]);
    const want = caseTensors().get('image.input'); // [1, 3, 320, 416]
    const got = await tf.transpose(input, [0, 3, 1, 2]).data();
    const { maxAbs } = maxAbsDiff(got, want.data);
    console.log(backend, 'image.input maxAbs', maxAbs);
    expect(maxAbs).toBeLessThanOrEqual(1e-5);
    input.dispose();
  });

  it('rejects a pixel buffer that does not fit the size', () => {
    expect(() => preprocessImage({ data: new Uint8Array(10), width: 2, height: 2 }, glipTConfig().input)).toThrow(ImageInputError);
  });
});

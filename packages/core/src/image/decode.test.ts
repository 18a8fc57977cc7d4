import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { ImageInputError } from '../errors.ts';
import { halfRedJpeg, makePng } from '../testing/image-files.ts';
import { decodeImage, fitWithin } from './decode.ts';
import { readImageHeader } from './image-header.ts';

function pixel(image: { data: Uint8ClampedArray; width: number }, x: number, y: number): number[] {
  return Array.from(image.data.subarray((y * image.width + x) * 4, (y * image.width + x) * 4 + 4));
}

const isRed = (p: number[]): boolean => p[0] > 200 && p[2] < 60;
const isBlue = (p: number[]): boolean => p[2] > 200 && p[0] < 60;

describe('decodeImage: bytes that are not an image', () => {
  it.each([
    ['empty', new Uint8Array()],
    ['text', new TextEncoder().encode('<html>not found</html>')],
    ['random bytes', Uint8Array.from({ length: 300 }, (_, i) => (i * 97 + 13) & 0xff)],
    ['a PNG signature alone', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])],
    ['a JPEG start alone', new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 16])],
  ])('%s → ImageInputError', async (_, bytes) => {
    await expect(decodeImage(bytes)).rejects.toThrow(ImageInputError);
  });

  it('a truncated PNG or JPEG → ImageInputError naming the format', async () => {
    const png = makePng(64, 64, 2, 8, () => new Uint8Array(64 * 3).fill(7));
    await expect(decodeImage(png.subarray(0, png.length - 40))).rejects.toThrow(/PNG could not be decoded/);
    const jpg = halfRedJpeg(1);
    await expect(decodeImage(jpg.subarray(0, 200))).rejects.toThrow(ImageInputError);
  });

  it('a 0×0 PNG → ImageInputError before decoding', async () => {
    await expect(decodeImage(makePng(0, 0, 2, 8, () => new Uint8Array()))).rejects.toThrow(/0×0 pixels/);
  });

  it('a declared size beyond the pixel budget is refused without allocating it', async () => {
    const bomb = makePng(60000, 60000, 0, 8, () => new Uint8Array(1)); // header claims 3.6 GP; the data is tiny
    await expect(decodeImage(bomb)).rejects.toThrow(/downscale it first/);
  });
});

describe('decodeImage: sizes and pixel formats', () => {
  it('1×1 RGB', async () => {
    const image = await decodeImage(makePng(1, 1, 2, 8, () => new Uint8Array([10, 20, 30])));
    expect(image).toMatchObject({ width: 1, height: 1 });
    expect(pixel(image, 0, 0)).toEqual([10, 20, 30, 255]);
  });

  it('grayscale, grey+alpha, RGBA and 16-bit PNGs → 8-bit RGBA', async () => {
    const grey = await decodeImage(makePng(2, 1, 0, 8, () => new Uint8Array([0, 200])));
    expect(pixel(grey, 1, 0)).toEqual([200, 200, 200, 255]);
    const greyAlpha = await decodeImage(makePng(1, 1, 4, 8, () => new Uint8Array([90, 128])));
    expect(pixel(greyAlpha, 0, 0)).toEqual([90, 90, 90, 128]);
    const rgba = await decodeImage(makePng(1, 1, 6, 8, () => new Uint8Array([1, 2, 3, 0])));
    expect(pixel(rgba, 0, 0)).toEqual([1, 2, 3, 0]); // alpha kept; the engine uses RGB (as PIL's convert('RGB'))
    const deep = await decodeImage(makePng(1, 1, 2, 16, () => new Uint8Array([0xff, 0xff, 0x80, 0x00, 0x00, 0x00])));
    expect(pixel(deep, 0, 0)).toEqual([255, 128, 0, 255]);
  });

  it('a 10000×10000 PNG is downscaled on decode to the 2048 cap, content preserved', async () => {
    const side = 10000;
    const row = new Uint8Array(side).fill(255, 0, side / 2); // left half white
    const image = await decodeImage(makePng(side, side, 0, 8, () => row));
    expect(image).toMatchObject({ width: 2048, height: 2048 });
    expect(pixel(image, 10, 2000)).toEqual([255, 255, 255, 255]);
    expect(pixel(image, 2040, 7)).toEqual([0, 0, 0, 255]);
  }, 60_000);

  it('maxSide downscales keeping the aspect ratio; Blob input works', async () => {
    const png = PNG.sync.write(Object.assign(new PNG({ width: 100, height: 50 }), { data: Buffer.alloc(100 * 50 * 4, 255) }));
    const image = await decodeImage(new Blob([new Uint8Array(png)]), { maxSide: 10 });
    expect(image).toMatchObject({ width: 10, height: 5 });
    expect(fitWithin({ width: 10000, height: 1 }, 2048)).toEqual({ width: 2048, height: 1 });
  });
});

describe('decodeImage: EXIF-rotated JPEG in displayed orientation', () => {
  it('reads the orientation tag', () => {
    expect(readImageHeader(halfRedJpeg(6))).toEqual({ format: 'jpeg', width: 32, height: 16, orientation: 6 });
  });

  it.each([
    // orientation, displayed size, where the stored left (red) half ends up
    [1, [32, 16], 'left'],
    [3, [32, 16], 'right'],
    [6, [16, 32], 'top'],
    [8, [16, 32], 'bottom'],
    [2, [32, 16], 'right'],
    [5, [16, 32], 'top'],
  ] as const)('orientation %i → %j, red on the %s', async (orientation, [width, height], red) => {
    const image = await decodeImage(halfRedJpeg(orientation));
    expect(image).toMatchObject({ width, height });
    const first = red === 'left' || red === 'top';
    const at = (f: number): [number, number] => (width > height ? [Math.floor(f * width), height / 2] : [width / 2, Math.floor(f * height)]);
    expect(isRed(pixel(image, ...at(first ? 0.1 : 0.9)))).toBe(true);
    expect(isBlue(pixel(image, ...at(first ? 0.9 : 0.1)))).toBe(true);
  });
});

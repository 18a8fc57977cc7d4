// Node's image decoder for `decodeImage` (image/decode.ts loads it only where there is no
// createImageBitmap): PNG through pngjs (any bit depth, grayscale, palette, alpha → 8-bit RGBA),
// JPEG through jpeg-js, then an area-average downscale to the planned size and the EXIF orientation.
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { ImageInputError } from '../errors.ts';
import type { DecodedImage } from './decoded-image.ts';
import type { ImageHeader, Orientation } from './image-header.ts';

/** Decodes `bytes` (described by `header`) to RGBA of `target` size, stored orientation, then orients it for display. */
export function decodeInNode(bytes: Uint8Array, header: ImageHeader, target: { width: number; height: number }, maxPixels: number): DecodedImage {
  const raw = header.format === 'png' ? decodePng(bytes) : decodeJpeg(bytes, maxPixels);
  const small = downscale(raw, target.width, target.height);
  return orient(small, header.orientation);
}

function decodePng(bytes: Uint8Array): DecodedImage {
  try {
    const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    return { data: new Uint8ClampedArray(png.data.buffer, png.data.byteOffset, png.data.byteLength), width: png.width, height: png.height };
  } catch (cause) {
    throw new ImageInputError(`the PNG could not be decoded (${cause instanceof Error ? cause.message : String(cause)}): the file is corrupt or truncated; re-export it`);
  }
}

function decodeJpeg(bytes: Uint8Array, maxPixels: number): DecodedImage {
  try {
    const image = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: maxPixels / 1e6, maxMemoryUsageInMB: 2048 });
    return { data: new Uint8ClampedArray(image.data.buffer, image.data.byteOffset, image.data.byteLength), width: image.width, height: image.height };
  } catch (cause) {
    throw new ImageInputError(`the JPEG could not be decoded (${cause instanceof Error ? cause.message : String(cause)}): the file is corrupt, truncated or uses an unsupported JPEG variant; re-export it as a baseline JPEG or PNG`);
  }
}

/** Area average over the source pixels each target pixel covers (integer block bounds); a copy-free no-op at the same size. */
export function downscale(image: DecodedImage, width: number, height: number): DecodedImage {
  if (width === image.width && height === image.height) return image;
  const { data, width: w, height: h } = image;
  const out = new Uint8ClampedArray(width * height * 4);
  const sums = new Float64Array(width * 4);
  const counts = new Uint32Array(width);
  const colStart = Int32Array.from({ length: width + 1 }, (_, x) => Math.floor((x * w) / width));
  for (let y = 0; y < height; y++) {
    sums.fill(0);
    counts.fill(0);
    const y1 = Math.max(Math.floor(((y + 1) * h) / height), Math.floor((y * h) / height) + 1);
    for (let sy = Math.floor((y * h) / height); sy < y1; sy++) {
      const row = sy * w * 4;
      for (let x = 0; x < width; x++) {
        const x1 = Math.max(colStart[x + 1], colStart[x] + 1);
        for (let sx = colStart[x]; sx < x1; sx++) {
          const p = row + sx * 4;
          sums[x * 4] += data[p];
          sums[x * 4 + 1] += data[p + 1];
          sums[x * 4 + 2] += data[p + 2];
          sums[x * 4 + 3] += data[p + 3];
        }
        counts[x] += x1 - colStart[x];
      }
    }
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 4; c++) out[(y * width + x) * 4 + c] = Math.round(sums[x * 4 + c] / counts[x]);
    }
  }
  return { data: out, width, height };
}

/** Turns a stored raster into its displayed orientation (EXIF 1..8). */
export function orient(image: DecodedImage, orientation: Orientation): DecodedImage {
  if (orientation === 1) return image;
  const { data, width: w, height: h } = image;
  const swap = orientation >= 5;
  const width = swap ? h : w;
  const height = swap ? w : h;
  const out = new Uint8ClampedArray(data.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [sx, sy] = storedPixel(orientation, x, y, w, h);
      const from = (sy * w + sx) * 4;
      const to = (y * width + x) * 4;
      out[to] = data[from];
      out[to + 1] = data[from + 1];
      out[to + 2] = data[from + 2];
      out[to + 3] = data[from + 3];
    }
  }
  return { data: out, width, height };
}

/** The stored pixel shown at displayed (x, y), for a stored raster of w × h. */
function storedPixel(orientation: Orientation, x: number, y: number, w: number, h: number): [number, number] {
  switch (orientation) {
    case 1: return [x, y];
    case 2: return [w - 1 - x, y]; // mirrored
    case 3: return [w - 1 - x, h - 1 - y]; // rotated 180°
    case 4: return [x, h - 1 - y]; // flipped
    case 5: return [y, x]; // transposed
    case 6: return [y, h - 1 - x]; // shown rotated 90° clockwise
    case 7: return [w - 1 - y, h - 1 - x]; // transversed
    case 8: return [w - 1 - y, x]; // shown rotated 90° counter-clockwise
  }
}

// One entry point from encoded image bytes (a file, a download, a Blob) to the RGBA pixels the engine
// takes: `decodeImage`. It honours EXIF orientation (pixels — and so boxes — are in the orientation
// people see), and downscales on decode so that the longer side is at most `maxSide` (default 2048,
// above every GLIP test size): a 10000×10000 photo never reaches the GPU at full size.
// Browsers decode with `createImageBitmap(blob, { imageOrientation: 'from-image', resize… })`
// (any format the browser knows); Node decodes PNG and JPEG (image/decode-node.ts, loaded only there).
// Anything else is an ImageInputError saying what was wrong.
import { ImageInputError } from '../errors.ts';
import type { DecodedImage } from './decoded-image.ts';
import { displayedSize, readImageHeader, type ImageHeader } from './image-header.ts';

export type { DecodedImage };

export interface DecodeOptions {
  /** Longer side of the result; larger images are downscaled while decoding. Default 2048. */
  maxSide?: number;
}

export const DEFAULT_MAX_SIDE = 2048;
/** Images declaring more pixels than this are refused before anything is allocated (a decompression bomb, or a scan too large for a tab). */
export const MAX_SOURCE_PIXELS = 120_000_000;

/** Decodes PNG or JPEG bytes (in browsers: any image format the browser decodes) to RGBA. */
export async function decodeImage(input: Uint8Array | ArrayBuffer | Blob, options: DecodeOptions = {}): Promise<DecodedImage> {
  const maxSide = options.maxSide ?? DEFAULT_MAX_SIDE;
  if (!(Number.isInteger(maxSide) && maxSide > 0)) throw new ImageInputError(`maxSide must be a positive integer, got ${maxSide}`);
  const bytes = input instanceof Uint8Array ? input : new Uint8Array(input instanceof Blob ? await input.arrayBuffer() : input);
  if (bytes.length === 0) throw new ImageInputError('the image file is empty (0 bytes): choose another file');
  const header = readImageHeader(bytes);
  if (header) checkSize(header);
  if (typeof createImageBitmap === 'function' && typeof OffscreenCanvas === 'function') {
    return decodeInBrowser(input instanceof Blob ? input : new Blob([bytes as Uint8Array<ArrayBuffer>]), header, maxSide);
  }
  if (!header) throw new ImageInputError(`these ${bytes.length} bytes are not a PNG or JPEG image (they start with ${hex(bytes.subarray(0, 8))}): give a .png or .jpg file`);
  const nodeDecoder = './decode-node.ts'; // a variable: bundlers leave this Node-only module (pngjs, jpeg-js) out of browser builds
  const { decodeInNode } = (await import(/* @vite-ignore */ nodeDecoder)) as typeof import('./decode-node.ts');
  const shown = displayedSize(header);
  const target = fitWithin(shown, maxSide);
  const stored = header.orientation >= 5 ? { width: target.height, height: target.width } : target;
  return decodeInNode(bytes, header, stored, MAX_SOURCE_PIXELS);
}

/**
 * Pixels of something already on the page — a video frame, a canvas, an <img>, an ImageBitmap —
 * downscaled to `maxSide` (browsers only). A video without a frame yet, an empty canvas, or a
 * cross-origin source the page may not read is an ImageInputError saying what to do.
 */
export async function pixelsFromSource(source: ImageBitmapSource, options: DecodeOptions = {}): Promise<DecodedImage> {
  const maxSide = options.maxSide ?? DEFAULT_MAX_SIDE;
  if (typeof HTMLVideoElement !== 'undefined' && source instanceof HTMLVideoElement && source.readyState < HTMLMediaElement.HAVE_CURRENT_DATA) {
    throw new ImageInputError("the video has no frame to read yet: wait for its 'loadeddata' event (or seek it) before detecting");
  }
  if (source instanceof Blob) return decodeImage(source, options);
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(source);
  } catch (cause) {
    throw new ImageInputError(`this ${sourceKind(source)} gives no pixels (${cause instanceof Error ? cause.message : String(cause)}): it may be empty (0×0) or not loaded yet`);
  }
  try {
    if (bitmap.width === 0 || bitmap.height === 0) throw new ImageInputError(`this ${sourceKind(source)} is ${bitmap.width}×${bitmap.height} pixels: an image needs at least one pixel each way`);
    const { width, height } = fitWithin(bitmap, maxSide);
    const canvas = new OffscreenCanvas(width, height);
    const context = canvas.getContext('2d', { willReadFrequently: true })!;
    context.imageSmoothingQuality = 'high';
    context.drawImage(bitmap, 0, 0, width, height);
    return { data: context.getImageData(0, 0, width, height).data, width, height };
  } catch (cause) {
    if (cause instanceof ImageInputError) throw cause;
    throw new ImageInputError(`the pixels of this ${sourceKind(source)} cannot be read (${cause instanceof Error ? cause.message : String(cause)}): a cross-origin image or video must be served with CORS headers and loaded with crossorigin="anonymous"`);
  } finally {
    bitmap.close();
  }
}

function sourceKind(source: ImageBitmapSource): string {
  return (source as object).constructor?.name ?? 'image source';
}

/** The size `size` scales to so that its longer side is at most `maxSide` (each side at least 1). */
export function fitWithin(size: { width: number; height: number }, maxSide: number): { width: number; height: number } {
  const scale = Math.min(1, maxSide / Math.max(size.width, size.height));
  if (scale === 1) return { width: size.width, height: size.height };
  return { width: Math.max(1, Math.round(size.width * scale)), height: Math.max(1, Math.round(size.height * scale)) };
}

function checkSize(header: ImageHeader): void {
  const { width, height } = header;
  if (width === 0 || height === 0) throw new ImageInputError(`the ${header.format.toUpperCase()} is ${width}×${height} pixels: an image needs at least one pixel each way`);
  if (width * height > MAX_SOURCE_PIXELS) {
    throw new ImageInputError(`the ${header.format.toUpperCase()} is ${width}×${height} pixels (${Math.round((width * height) / 1e6)} MP), more than the ${MAX_SOURCE_PIXELS / 1e6} MP this decoder accepts: downscale it first`);
  }
}

async function decodeInBrowser(blob: Blob, header: ImageHeader | null, maxSide: number): Promise<DecodedImage> {
  let bitmap: ImageBitmap;
  try {
    // The resize is in displayed orientation: the browser applies EXIF orientation while decoding.
    const target = header ? fitWithin(displayedSize(header), maxSide) : null;
    bitmap = await createImageBitmap(blob, { imageOrientation: 'from-image', ...(target && { resizeWidth: target.width, resizeHeight: target.height, resizeQuality: 'high' }) });
  } catch (cause) {
    throw new ImageInputError(`the browser could not decode this ${blob.type || 'file'} as an image (${cause instanceof Error ? cause.message : String(cause)}): give a PNG, JPEG or WebP file`);
  }
  try {
    // Formats whose size we could not read ahead (WebP, GIF, …) are downscaled after decoding.
    const { width, height } = fitWithin(bitmap, maxSide);
    const canvas = new OffscreenCanvas(width, height);
    const context = canvas.getContext('2d', { willReadFrequently: true });
    if (!context) throw new ImageInputError('this browser gives no 2d canvas context to read pixels with: update the browser');
    context.imageSmoothingQuality = 'high';
    context.drawImage(bitmap, 0, 0, width, height);
    return { data: context.getImageData(0, 0, width, height).data, width, height };
  } finally {
    bitmap.close();
  }
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ') || '(nothing)';
}

// What an encoded image is, read from its first bytes without decoding it: format, stored size and
// EXIF orientation (JPEG APP1). Lets the decoder refuse absurd sizes and plan a downscale before it
// allocates pixels. Every read is bounds-checked and every loop advances, so any bytes terminate.

export type ImageFormat = 'png' | 'jpeg';

/** EXIF orientation 1..8 (1 = as stored; 5..8 swap width and height when displayed). */
export type Orientation = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8;

export interface ImageHeader {
  format: ImageFormat;
  /** Size as stored in the file (before orientation). */
  width: number;
  height: number;
  orientation: Orientation;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const EXIF_ORIENTATION_TAG = 0x0112;

/** The header of a PNG or JPEG, or null when the bytes are neither (or too short to tell). */
export function readImageHeader(bytes: Uint8Array): ImageHeader | null {
  if (PNG_SIGNATURE.every((b, i) => bytes[i] === b)) return readPngHeader(bytes);
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return readJpegHeader(bytes);
  return null;
}

/** Size as displayed: width and height swap for orientations 5..8. */
export function displayedSize(header: ImageHeader): { width: number; height: number } {
  return header.orientation >= 5 ? { width: header.height, height: header.width } : { width: header.width, height: header.height };
}

function readPngHeader(bytes: Uint8Array): ImageHeader | null {
  // Signature, then the IHDR chunk: length (4), "IHDR", width (4), height (4).
  if (bytes.length < 24 || String.fromCharCode(...bytes.subarray(12, 16)) !== 'IHDR') return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { format: 'png', width: view.getUint32(16), height: view.getUint32(20), orientation: 1 };
}

function readJpegHeader(bytes: Uint8Array): ImageHeader | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let orientation: Orientation = 1;
  let at = 2;
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) return null;
    const marker = bytes[at + 1];
    if (marker === 0xff) {
      at++; // fill byte
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) return null; // end of image / start of scan before any frame header
    const length = view.getUint16(at + 2);
    if (length < 2 || at + 2 + length > bytes.length) return null;
    const segment = bytes.subarray(at + 4, at + 2 + length);
    if (marker === 0xe1) orientation = exifOrientation(segment) ?? orientation;
    if (isStartOfFrame(marker)) {
      if (segment.length < 5) return null;
      const frame = new DataView(segment.buffer, segment.byteOffset, segment.byteLength);
      return { format: 'jpeg', height: frame.getUint16(1), width: frame.getUint16(3), orientation };
    }
    at += 2 + length;
  }
  return null;
}

/** SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC). */
function isStartOfFrame(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

/** Orientation tag of an APP1 "Exif\0\0" segment's IFD0, or undefined. */
function exifOrientation(segment: Uint8Array): Orientation | undefined {
  if (segment.length < 14 || String.fromCharCode(...segment.subarray(0, 6)) !== 'Exif\0\0') return undefined;
  const tiff = new DataView(segment.buffer, segment.byteOffset + 6, segment.byteLength - 6);
  const order = tiff.getUint16(0);
  if (order !== 0x4949 && order !== 0x4d4d) return undefined;
  const little = order === 0x4949;
  const ifd = tiff.getUint32(4, little);
  if (ifd + 2 > tiff.byteLength) return undefined;
  const count = tiff.getUint16(ifd, little);
  for (let i = 0; i < count; i++) {
    const entry = ifd + 2 + 12 * i;
    if (entry + 12 > tiff.byteLength) return undefined;
    if (tiff.getUint16(entry, little) !== EXIF_ORIENTATION_TAG) continue;
    const value = tiff.getUint16(entry + 8, little); // type SHORT, count 1: the value sits in the entry
    return value >= 1 && value <= 8 ? (value as Orientation) : undefined;
  }
  return undefined;
}

// Tests only: image files made byte by byte, so that any header can be produced (0×0, 16-bit,
// grey+alpha, 10000×10000 from a few kB, EXIF orientation) — used by the Node decoder tests and the
// browser spec e2e/robustness.spec.ts.
import { crc32, deflateSync } from 'node:zlib';
import jpeg from 'jpeg-js';

/** A PNG written chunk by chunk, so any header (0×0, 16-bit, grey+alpha, huge) can be made. */
export function makePng(width: number, height: number, colorType: number, bitDepth: number, row: (y: number) => Uint8Array): Uint8Array {
  const chunk = (type: string, data: Uint8Array): Buffer => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(data.length, 0);
    head.write(type, 4, 'latin1');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
    return Buffer.concat([head, data, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([bitDepth, colorType, 0, 0, 0], 8);
  const rowBytes = 1 + row(0).length;
  const raw = Buffer.alloc(rowBytes * height);
  for (let y = 0; y < height; y++) raw.set(row(y), y * rowBytes + 1); // filter byte 0 (None)
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 1 })), chunk('IEND', new Uint8Array())]);
}

/** An APP1 Exif segment (big-endian TIFF) holding only the orientation tag. */
function exifSegment(orientation: number): Uint8Array {
  const tiff = Buffer.alloc(8 + 2 + 12 + 4);
  tiff.write('MM', 0, 'latin1');
  tiff.writeUInt16BE(42, 2);
  tiff.writeUInt32BE(8, 4);
  tiff.writeUInt16BE(1, 8); // one entry
  tiff.writeUInt16BE(0x0112, 10);
  tiff.writeUInt16BE(3, 12); // SHORT
  tiff.writeUInt32BE(1, 14);
  tiff.writeUInt16BE(orientation, 18);
  const body = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
  const head = Buffer.from([0xff, 0xe1, 0, 0]);
  head.writeUInt16BE(body.length + 2, 2);
  return Buffer.concat([head, body]);
}

/** A 32×16 JPEG, left half red, right half blue, tagged with an EXIF orientation. */
export function halfRedJpeg(orientation: number): Uint8Array {
  const width = 32;
  const height = 16;
  const data = Buffer.alloc(width * height * 4);
  for (let i = 0; i < width * height; i++) data.set(i % width < width / 2 ? [255, 0, 0, 255] : [0, 0, 255, 255], i * 4);
  const encoded = jpeg.encode({ data, width, height }, 100).data;
  return Buffer.concat([encoded.subarray(0, 2), exifSegment(orientation), encoded.subarray(2)]); // after SOI
}

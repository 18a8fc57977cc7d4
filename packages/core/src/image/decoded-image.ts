// What the decoders (decode.ts in the browser, decode-node.ts in Node) return.

/** 8-bit RGBA pixels, row-major, in displayed orientation (a `PixelImage` for the detector). */
export interface DecodedImage {
  data: Uint8ClampedArray;
  width: number;
  height: number;
}

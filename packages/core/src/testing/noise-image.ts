// Deterministic RGBA noise images for tests that need an input whose content does not matter.
import type { PixelImage } from '../image/preprocess.ts';

/** `width × height` RGBA noise; the same seed always gives the same pixels. */
export function noiseImage(width: number, height: number, seed: number): PixelImage {
  const data = new Uint8Array(width * height * 4);
  let s = seed * 2654435761;
  for (let i = 0; i < data.length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    data[i] = s >>> 24;
  }
  return { data, width, height };
}

// Supersampled scanline rasteriser. Objects are painted, in order, into an "owner" buffer at
// SS×SS samples per pixel (later objects cover earlier ones); `resolve` then averages the
// samples into RGBA pixels and measures each object's visible coverage per pixel.

import type { Contour } from './geometry.ts';

/** Samples per pixel along each axis (4 → 16 samples per pixel). */
export const SS = 4;

/** A run of covered samples: sample row, first and one-past-last sample column. */
export type Span = [row: number, x0: number, x1: number];

/**
 * Even–odd spans of the contours over a sample grid of `width·SS × height·SS`; a sample is
 * inside when its centre ((sx + ½)/SS, (sy + ½)/SS) lies inside.
 */
export function contourSpans(contours: Contour[], width: number, height: number): Span[] {
  let minY = Infinity;
  let maxY = -Infinity;
  for (const c of contours) {
    for (const [, y] of c) {
      minY = Math.min(minY, y);
      maxY = Math.max(maxY, y);
    }
  }
  const rowLo = Math.max(0, Math.floor(minY * SS - 0.5));
  const rowHi = Math.min(height * SS - 1, Math.ceil(maxY * SS - 0.5));
  const cols = width * SS;
  const spans: Span[] = [];
  const xs: number[] = [];
  for (let row = rowLo; row <= rowHi; row++) {
    const y = (row + 0.5) / SS;
    xs.length = 0;
    for (const c of contours) {
      for (let i = 0; i < c.length; i++) {
        const [x0, y0] = c[i];
        const [x1, y1] = c[(i + 1) % c.length];
        if ((y0 <= y && y < y1) || (y1 <= y && y < y0)) xs.push(x0 + ((y - y0) * (x1 - x0)) / (y1 - y0));
      }
    }
    xs.sort((a, b) => a - b);
    for (let i = 0; i + 1 < xs.length; i += 2) {
      const a = Math.max(0, Math.ceil(xs[i] * SS - 0.5));
      const b = Math.min(cols, Math.ceil(xs[i + 1] * SS - 0.5));
      if (b > a) spans.push([row, a, b]);
    }
  }
  return spans;
}

export class OwnerBuffer {
  readonly cols: number;
  readonly owners: Uint8Array;

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.cols = width * SS;
    this.owners = new Uint8Array(this.cols * height * SS);
  }

  /** How many samples of each current owner (index = owner, 0 = background) the spans would cover. */
  coveredOwners(spans: Span[], ownerCount: number): Int32Array {
    const counts = new Int32Array(ownerCount + 1);
    for (const [row, a, b] of spans) {
      const base = row * this.cols;
      for (let i = base + a; i < base + b; i++) counts[this.owners[i]]++;
    }
    return counts;
  }

  paint(spans: Span[], owner: number): void {
    for (const [row, a, b] of spans) this.owners.fill(owner, row * this.cols + a, row * this.cols + b);
  }
}

export interface Resolved {
  /** RGBA pixels, opaque. */
  rgba: Uint8Array;
  /** Per object (index owner−1): visible extent [x0, y0, x1, y1) of pixels with ≥ 50 % visible coverage, or null. */
  boxes: Array<[number, number, number, number] | null>;
}

/**
 * Averages samples into pixels: background RGB (`bg`, 3 bytes/pixel) where no object owns a
 * sample, else the owner's colour (`colors[owner−1]`).
 */
export function resolve(buf: OwnerBuffer, bg: Uint8Array, colors: ReadonlyArray<readonly [number, number, number]>): Resolved {
  const { width, height, cols, owners } = buf;
  const n = colors.length;
  const rgba = new Uint8Array(width * height * 4);
  const boxes: Array<[number, number, number, number] | null> = colors.map(() => null);
  const counts = new Int32Array(n + 1);
  const total = SS * SS;
  const half = total / 2;
  for (let py = 0; py < height; py++) {
    for (let px = 0; px < width; px++) {
      counts.fill(0);
      for (let sy = 0; sy < SS; sy++) {
        const base = (py * SS + sy) * cols + px * SS;
        for (let sx = 0; sx < SS; sx++) counts[owners[base + sx]]++;
      }
      const p = py * width + px;
      let r = bg[p * 3] * counts[0];
      let g = bg[p * 3 + 1] * counts[0];
      let b = bg[p * 3 + 2] * counts[0];
      for (let k = 1; k <= n; k++) {
        const c = counts[k];
        if (c === 0) continue;
        const col = colors[k - 1];
        r += col[0] * c;
        g += col[1] * c;
        b += col[2] * c;
        if (c >= half) {
          const box = boxes[k - 1];
          if (box === null) boxes[k - 1] = [px, py, px + 1, py + 1];
          else {
            if (px < box[0]) box[0] = px;
            if (px + 1 > box[2]) box[2] = px + 1;
            box[3] = py + 1;
          }
        }
      }
      rgba[p * 4] = Math.round(r / total);
      rgba[p * 4 + 1] = Math.round(g / total);
      rgba[p * 4 + 2] = Math.round(b / total);
      rgba[p * 4 + 3] = 255;
    }
  }
  return { rgba, boxes };
}

// Low-saturation mid-grey backgrounds (noise, gradients, stripes, checks, blotches, plus thin
// grey clutter lines), so every object colour — white and black included — stays distinct.

import type { Rng } from './prng.ts';

export const BACKGROUND_KINDS = ['noise', 'gradient', 'stripes', 'checker', 'blotches'] as const;

const clampByte = (v: number): number => (v < 0 ? 0 : v > 255 ? 255 : Math.round(v));

/** RGB bytes, 3 per pixel, values kept roughly within [50, 205]. */
export function drawBackground(width: number, height: number, rng: Rng): Uint8Array {
  const kind = rng.pick(BACKGROUND_KINDS);
  const base = rng.uniform(95, 155);
  const tint = [rng.uniform(-12, 12), rng.uniform(-12, 12), rng.uniform(-12, 12)];
  const noise = rng.uniform(3, kind === 'noise' ? 22 : 10);
  const pattern = patternFunction(kind, width, height, rng);
  const out = new Uint8Array(width * height * 3);
  const scale = (2 * noise) / 255;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = base + pattern(x, y) - noise;
      const p = (y * width + x) * 3;
      // One 32-bit draw gives the three channels' noise (a byte each, mapped to ±noise).
      const u = rng.nextU32();
      out[p] = clampByte(v + tint[0] + (u & 255) * scale);
      out[p + 1] = clampByte(v + tint[1] + ((u >>> 8) & 255) * scale);
      out[p + 2] = clampByte(v + tint[2] + ((u >>> 16) & 255) * scale);
    }
  }
  drawClutter(out, width, height, base, rng);
  return out;
}

/** Luminance offset of the chosen pattern at a pixel, within about ±30. */
function patternFunction(kind: (typeof BACKGROUND_KINDS)[number], width: number, height: number, rng: Rng): (x: number, y: number) => number {
  switch (kind) {
    case 'noise':
      return () => 0;
    case 'gradient': {
      const a = rng.uniform(0, 2 * Math.PI);
      const amp = rng.uniform(15, 30);
      const [dx, dy] = [Math.cos(a), Math.sin(a)];
      const span = Math.abs(dx) * width + Math.abs(dy) * height;
      const x0 = dx < 0 ? width : 0;
      const y0 = dy < 0 ? height : 0;
      return (x, y) => amp * (2 * (((x - x0) * dx + (y - y0) * dy) / span) - 1);
    }
    case 'stripes': {
      const a = rng.uniform(0, Math.PI);
      const period = rng.uniform(6, 30);
      const amp = rng.uniform(8, 18);
      const [dx, dy] = [Math.cos(a), Math.sin(a)];
      return (x, y) => amp * Math.sin(((x * dx + y * dy) * 2 * Math.PI) / period);
    }
    case 'checker': {
      const cell = rng.int(8, 40);
      const amp = rng.uniform(6, 15);
      return (x, y) => ((Math.floor(x / cell) + Math.floor(y / cell)) % 2 === 0 ? amp : -amp);
    }
    case 'blotches': {
      const g = 8;
      const grid = Array.from({ length: (g + 1) * (g + 1) }, () => rng.uniform(-30, 30));
      return (x, y) => {
        const gx = (x / width) * g;
        const gy = (y / height) * g;
        const ix = Math.min(g - 1, Math.floor(gx));
        const iy = Math.min(g - 1, Math.floor(gy));
        const fx = gx - ix;
        const fy = gy - iy;
        const v = (i: number, j: number): number => grid[(iy + j) * (g + 1) + ix + i];
        return (v(0, 0) * (1 - fx) + v(1, 0) * fx) * (1 - fy) + (v(0, 1) * (1 - fx) + v(1, 1) * fx) * fy;
      };
    }
  }
}

/** 0–8 thin grey line segments (distractor texture, never annotated). */
function drawClutter(out: Uint8Array, width: number, height: number, base: number, rng: Rng): void {
  const lines = rng.int(0, 8);
  for (let i = 0; i < lines; i++) {
    const grey = clampByte(base + rng.uniform(-45, 45));
    const x0 = rng.uniform(0, width);
    const y0 = rng.uniform(0, height);
    const len = rng.uniform(10, 80);
    const a = rng.uniform(0, 2 * Math.PI);
    const steps = Math.ceil(len);
    for (let s = 0; s <= steps; s++) {
      const x = Math.floor(x0 + (Math.cos(a) * len * s) / steps);
      const y = Math.floor(y0 + (Math.sin(a) * len * s) / steps);
      if (x < 0 || y < 0 || x >= width || y >= height) continue;
      const p = (y * width + x) * 3;
      out[p] = out[p + 1] = out[p + 2] = grey;
    }
  }
}

// Shape outlines as closed polygons in pixel coordinates (even–odd fill), so one scanline
// rasteriser draws every shape. A ring is two contours; curves are fine regular polygons.

import type { Rng } from './prng.ts';
import type { Shape } from './vocabulary.ts';

export type Contour = Array<[number, number]>;

const CURVE_SEGMENTS = 72;

function regular(cx: number, cy: number, r: number, n: number, phase: number): Contour {
  const out: Contour = [];
  for (let i = 0; i < n; i++) {
    const a = phase + (2 * Math.PI * i) / n;
    out.push([cx + r * Math.cos(a), cy + r * Math.sin(a)]);
  }
  return out;
}

function transformed(cx: number, cy: number, rotation: number, local: Array<[number, number]>): Contour {
  const c = Math.cos(rotation);
  const s = Math.sin(rotation);
  return local.map(([x, y]) => [cx + c * x - s * y, cy + s * x + c * y]);
}

const deg = (d: number): number => (d * Math.PI) / 180;

/**
 * Outline of `shape` centred at (cx, cy) with circumradius `r`; small random rotations keep
 * squares from looking like diamonds and vice versa.
 */
export function shapeContours(shape: Shape, cx: number, cy: number, r: number, rng: Rng): Contour[] {
  switch (shape) {
    case 'circle':
      return [regular(cx, cy, r, CURVE_SEGMENTS, 0)];
    case 'ring':
      return [regular(cx, cy, r, CURVE_SEGMENTS, 0), regular(cx, cy, r * 0.55, CURVE_SEGMENTS, 0)];
    case 'square': {
      const h = r * 0.78;
      return [transformed(cx, cy, deg(rng.uniform(-15, 15)), [[-h, -h], [h, -h], [h, h], [-h, h]])];
    }
    case 'triangle':
      // Circumradius r around the centroid, apex up (−90°).
      return [regular(cx, cy + r * 0.15, r, 3, deg(-90 + rng.uniform(-20, 20)))];
    case 'star': {
      const phase = deg(-90 + rng.uniform(-20, 20));
      const out: Contour = [];
      for (let i = 0; i < 10; i++) {
        const rr = i % 2 === 0 ? r : r * 0.45;
        const a = phase + (Math.PI * i) / 5;
        out.push([cx + rr * Math.cos(a), cy + rr * Math.sin(a)]);
      }
      return [out];
    }
    case 'cross': {
      const a = r * 0.3;
      const b = r * 0.92;
      const local: Array<[number, number]> = [
        [-a, -b], [a, -b], [a, -a], [b, -a], [b, a], [a, a],
        [a, b], [-a, b], [-a, a], [-b, a], [-b, -a], [-a, -a],
      ];
      return [transformed(cx, cy, deg(rng.uniform(-15, 15)), local)];
    }
    case 'diamond': {
      const w = r * 0.62;
      return [transformed(cx, cy, deg(rng.uniform(-10, 10)), [[0, -r], [w, 0], [0, r], [-w, 0]])];
    }
    case 'hexagon':
      return [regular(cx, cy, r, 6, deg(rng.uniform(0, 60)))];
  }
}

// Shape outlines as closed polygons in pixel coordinates (even–odd fill), so one scanline
// rasteriser draws every shape. A ring is two contours; curves are fine regular polygons.

import type { Rng } from './prng.ts';
import type { SceneShape } from './vocabulary.ts';

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

/** The classic heart curve x = 16 sin³t, y = 13 cos t − 5 cos 2t − 2 cos 3t − cos 4t, scaled to radius r, point down. */
function heartOutline(r: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let i = 0; i < CURVE_SEGMENTS; i++) {
    const t = (2 * Math.PI * i) / CURVE_SEGMENTS;
    const x = 16 * Math.sin(t) ** 3;
    const y = 13 * Math.cos(t) - 5 * Math.cos(2 * t) - 2 * Math.cos(3 * t) - Math.cos(4 * t);
    out.push([(r * x) / 17, (-r * (y + 2)) / 17]);
  }
  return out;
}

/** A crescent of outer radius r opening to +x: the outer circle's arc outside an inner circle of radius 0.8r offset by 0.45r. */
function crescentOutline(r: number): Array<[number, number]> {
  const ri = 0.8 * r;
  const d = 0.45 * r;
  // Where the circles meet: x = (r² − ri² + d²) / 2d.
  const xm = (r * r - ri * ri + d * d) / (2 * d);
  const ym = Math.sqrt(r * r - xm * xm);
  const outerFrom = Math.atan2(ym, xm);
  const innerFrom = Math.atan2(ym, xm - d);
  const n = CURVE_SEGMENTS / 2;
  const out: Array<[number, number]> = [];
  for (let i = 0; i <= n; i++) {
    const a = outerFrom + ((2 * Math.PI - 2 * outerFrom) * i) / n;
    out.push([r * Math.cos(a), r * Math.sin(a)]);
  }
  for (let i = 1; i < n; i++) {
    const a = -innerFrom - ((2 * Math.PI - 2 * innerFrom) * i) / n;
    out.push([d + ri * Math.cos(a), ri * Math.sin(a)]);
  }
  return out;
}

const deg = (d: number): number => (d * Math.PI) / 180;

/**
 * Outline of `shape` centred at (cx, cy) with circumradius `r`; small random rotations keep
 * squares from looking like diamonds and vice versa.
 */
export function shapeContours(shape: SceneShape, cx: number, cy: number, r: number, rng: Rng): Contour[] {
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
    case 'pentagon':
      return [regular(cx, cy + r * 0.1, r, 5, deg(-90 + rng.uniform(-15, 15)))];
    case 'heart':
      return [transformed(cx, cy, deg(rng.uniform(-15, 15)), heartOutline(r))];
    case 'crescent':
      // Outer disc minus an offset inner disc, as one outline: outer arc, then the inner arc back.
      return [transformed(cx, cy, deg(rng.uniform(0, 360)), crescentOutline(r))];
    case 'arrow': {
      const shaft = r * 0.22;
      const head = r * 0.62;
      const neck = r * 0.1;
      const local: Array<[number, number]> = [
        [-r, -shaft], [neck, -shaft], [neck, -head], [r, 0], [neck, head], [neck, shaft], [-r, shaft],
      ];
      return [transformed(cx, cy, deg(rng.uniform(0, 360)), local)];
    }
  }
}

// One generated scene: 2–6 coloured shapes placed with limited occlusion on a grey background.
// Box convention: the VISIBLE extent — pixels where the object's own samples cover ≥ 50 % of the
// pixel after later objects are painted over it — as [x0, y0, x1, y1) in pixel-edge coordinates
// (pixel i spans [i, i+1)). Every object keeps ≥ 60 % of its samples visible.

import { drawBackground } from './background.ts';
import { shapeContours } from './geometry.ts';
import type { Rng } from './prng.ts';
import { OwnerBuffer, contourSpans, resolve } from './raster.ts';
import { COLORS, COLOR_RGB, HELD_OUT, SHAPES, SIZES, SIZE_RADIUS, isHeldOut, isTrainedShape } from './vocabulary.ts';
import type { Color, SceneShape, Size } from './vocabulary.ts';

export interface SceneObject {
  color: Color;
  shape: SceneShape;
  size: Size;
  /** Fill colour actually used (the named colour with a small jitter). */
  rgb: [number, number, number];
  /** Visible extent [x0, y0, x1, y1), see the file header. */
  box: [number, number, number, number];
}

export interface Scene {
  width: number;
  height: number;
  /** Composited RGBA pixels. */
  rgba: Uint8Array;
  /** The background alone, RGB. */
  background: Uint8Array;
  /** In paint order (later ones on top). */
  objects: SceneObject[];
}

export interface SceneOptions {
  width: number;
  height: number;
  /** Whether held-out colour×shape pairs may appear at all. */
  allowHeldOut: boolean;
  /** Whether the first object must be a held-out pair (compositional split). */
  requireHeldOut: boolean;
  /**
   * Colour×shape pairs to draw from (the held-out rule aside); default every colour with SHAPES, the
   * shipped model's vocabulary. NOVEL_SHAPES are drawn only when named here.
   */
  pairs?: ReadonlyArray<readonly [Color, SceneShape]>;
}

const MIN_VISIBLE = 0.6;
const PLACEMENT_TRIES = 40;

function drawPair(rng: Rng, allowHeldOut: boolean, pairs: SceneOptions['pairs']): [Color, SceneShape] {
  for (;;) {
    const [color, shape] = pairs === undefined ? [rng.pick(COLORS), rng.pick(SHAPES)] : rng.pick(pairs);
    if (allowHeldOut || !isTrainedShape(shape) || !isHeldOut(color, shape)) return [color, shape];
  }
}

export function renderScene(rng: Rng, opts: SceneOptions): Scene {
  const { width, height } = opts;
  const background = drawBackground(width, height, rng);
  const buf = new OwnerBuffer(width, height);
  const wanted = rng.int(2, 6);
  const placed: Array<Omit<SceneObject, 'box'>> = [];
  const full: number[] = [];
  const visible: number[] = [];

  for (let k = 0; k < wanted; k++) {
    let pair: [Color, SceneShape];
    if (k === 0 && opts.requireHeldOut) pair = [...rng.pick(HELD_OUT)];
    else if (placed.length > 0 && rng.chance(0.15)) {
      const twin = rng.pick(placed);
      pair = [twin.color, twin.shape];
    } else pair = drawPair(rng, opts.allowHeldOut, opts.pairs);
    const [color, shape] = pair;
    const size = rng.pick(SIZES);
    const rgb = COLOR_RGB[color].map((v) => Math.max(0, Math.min(255, v + rng.int(-10, 10)))) as [number, number, number];

    for (let attempt = 0; attempt < PLACEMENT_TRIES; attempt++) {
      const r = rng.uniform(...SIZE_RADIUS[size]);
      const cx = rng.uniform(r + 2, width - r - 2);
      const cy = rng.uniform(r + 2, height - r - 2);
      const spans = contourSpans(shapeContours(shape, cx, cy, r, rng), width, height);
      const covered = buf.coveredOwners(spans, placed.length);
      let area = 0;
      for (const c of covered) area += c;
      const keepsOthersVisible = placed.every((_, j) => visible[j] - covered[j + 1] >= MIN_VISIBLE * full[j]);
      if (area === 0 || !keepsOthersVisible) continue;
      placed.forEach((_, j) => (visible[j] -= covered[j + 1]));
      buf.paint(spans, placed.length + 1);
      placed.push({ color, shape, size, rgb });
      full.push(area);
      visible.push(area);
      break;
    }
  }

  const { rgba, boxes } = resolve(buf, background, placed.map((o) => o.rgb));
  const objects = placed.map((o, j) => {
    const box = boxes[j];
    if (box === null) throw new Error(`synth: object ${j} (${o.color} ${o.shape}) has no visible pixel`);
    return { ...o, box };
  });
  return { width, height, rgba, background, objects };
}

// The few-shot prompt-tuning benchmark's data (tools/bench/few-shot.ts): COCO detection files whose
// categories are 8 colour×shape pairs the shipped model was trained on ("red circle", …, one per
// shape, none held out) followed by the 4 novel shapes it never saw ("heart", "crescent", "arrow",
// "pentagon", any colour). One shared prompt holds all 12, as a user adds new names to a list they
// already use.
//
// Three sets, each from its own seed stream, so no test image is a training image:
//   train       the pool the K shots are taken from: scenes of novel shapes only (every colour), so
//               every object in a training image is annotated (nothing of an old category is left
//               unlabelled and learned as background);
//   test-novel  held-out scenes of novel shapes only: AP there is AP over the 4 novel categories;
//   test-old    held-out scenes of the 8 old pairs only: AP over the old categories, before and after
//               tuning for the novel ones with the same prompt.
// Boxes as tools/synth's splits: COCO [x, y, w, h] of the visible extent.

import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodePng, IMAGE_SIZE } from './dataset.ts';
import { mixSeed, Rng } from './prng.ts';
import { renderScene } from './scene.ts';
import type { Color, NovelShape, SceneShape } from './vocabulary.ts';
import { COLORS, NOVEL_SHAPES } from './vocabulary.ts';

export const FEW_SHOT_SETS = ['train', 'test-novel', 'test-old'] as const;
export type FewShotSet = (typeof FEW_SHOT_SETS)[number];

/** The old categories: one trained pair per shape, none of them held out. */
export const OLD_PAIRS: ReadonlyArray<readonly [Color, SceneShape]> = [
  ['red', 'circle'],
  ['green', 'square'],
  ['blue', 'triangle'],
  ['yellow', 'star'],
  ['purple', 'ring'],
  ['orange', 'cross'],
  ['pink', 'diamond'],
  ['white', 'hexagon'],
];

export interface FewShotCategory {
  id: number;
  name: string;
  novel: boolean;
}

/** Ids 1–8 the old pairs, 9–12 the novel shapes: the prompt lists them in this order. */
export const FEW_SHOT_CATEGORIES: readonly FewShotCategory[] = [
  ...OLD_PAIRS.map(([color, shape], i) => ({ id: i + 1, name: `${color} ${shape}`, novel: false })),
  ...NOVEL_SHAPES.map((shape, i) => ({ id: OLD_PAIRS.length + i + 1, name: shape, novel: true })),
];

const NOVEL_PAIRS: ReadonlyArray<readonly [Color, NovelShape]> = COLORS.flatMap((c) => NOVEL_SHAPES.map((s) => [c, s] as const));

function categoryOf(color: Color, shape: SceneShape): number {
  const novel = FEW_SHOT_CATEGORIES.find((c) => c.novel && c.name === shape);
  if (novel) return novel.id;
  const old = OLD_PAIRS.findIndex(([c, s]) => c === color && s === shape);
  if (old < 0) throw new Error(`few-shot: ${color} ${shape} is not a benchmark category`);
  return old + 1;
}

export interface CocoFile {
  images: { id: number; file_name: string; width: number; height: number }[];
  annotations: { id: number; image_id: number; category_id: number; bbox: [number, number, number, number]; area: number; iscrowd: 0 }[];
  categories: { id: number; name: string }[];
}

/** `count` scenes of one set: the COCO records and each image's RGBA pixels (by file_name). */
export function fewShotSet(set: FewShotSet, count: number, seed: number): { coco: CocoFile; pixels: Map<string, Uint8Array> } {
  const coco: CocoFile = { images: [], annotations: [], categories: FEW_SHOT_CATEGORIES.map(({ id, name }) => ({ id, name })) };
  const pixels = new Map<string, Uint8Array>();
  const pairs = set === 'test-old' ? OLD_PAIRS : NOVEL_PAIRS;
  for (let index = 0; index < count; index++) {
    const rng = new Rng(mixSeed(seed, FEW_SHOT_SETS.indexOf(set), index));
    const scene = renderScene(rng, { width: IMAGE_SIZE, height: IMAGE_SIZE, allowHeldOut: false, requireHeldOut: false, pairs });
    const id = index + 1;
    const file_name = `images/${String(id).padStart(6, '0')}.png`;
    coco.images.push({ id, file_name, width: scene.width, height: scene.height });
    pixels.set(file_name, scene.rgba);
    for (const o of scene.objects) {
      const [x0, y0, x1, y1] = o.box;
      coco.annotations.push({ id: coco.annotations.length + 1, image_id: id, category_id: categoryOf(o.color, o.shape), bbox: [x0, y0, x1 - x0, y1 - y0], area: (x1 - x0) * (y1 - y0), iscrowd: 0 });
    }
  }
  return { coco, pixels };
}

/** Writes `<out>/<set>/annotations.json` and its PNGs (the folder is replaced); returns the JSON's path. */
export function writeFewShotSet(out: string, set: FewShotSet, count: number, seed: number): string {
  const dir = join(out, set);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'images'), { recursive: true });
  const { coco, pixels } = fewShotSet(set, count, seed);
  for (const [file, rgba] of pixels) writeFileSync(join(dir, file), encodePng(rgba, IMAGE_SIZE, IMAGE_SIZE));
  const path = join(dir, 'annotations.json');
  writeFileSync(path, JSON.stringify(coco));
  return path;
}

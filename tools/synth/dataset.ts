// Builds the COCO-style grounding records (see "Synthetic data format" in the team brief) of one
// generated image: the scene, its annotations and its two prompts (list + sentence).

import { PNG } from 'pngjs';
import { Rng, mixSeed } from './prng.ts';
import { listPrompt, sentencePrompt } from './prompts.ts';
import type { Prompt } from './prompts.ts';
import { renderScene } from './scene.ts';
import type { Scene } from './scene.ts';
import { CATEGORIES, categoryId, isTrainedShape } from './vocabulary.ts';
import type { Category, Color, Shape, Size } from './vocabulary.ts';

export const SPLITS = ['train', 'val', 'compositional'] as const;
export type Split = (typeof SPLITS)[number];

export const IMAGE_SIZE = 320;

export interface ImageRecord {
  id: number;
  file_name: string;
  width: number;
  height: number;
  prompts: Prompt[];
}

export interface AnnotationRecord {
  id: number;
  image_id: number;
  /** COCO [x, y, w, h] of the visible extent, integer pixels. */
  bbox: [number, number, number, number];
  area: number;
  iscrowd: 0;
  category_id: number;
  color: Color;
  shape: Shape;
  size: Size;
}

export interface GroundingDataset {
  images: ImageRecord[];
  annotations: AnnotationRecord[];
  categories: Category[];
}

export interface GeneratedImage {
  scene: Scene;
  image: ImageRecord;
  annotations: AnnotationRecord[];
}

/** Image `index` (0-based) of a split; its pixels depend only on (split, seed, index). */
export function generateImage(split: Split, seed: number, index: number, firstAnnotationId: number): GeneratedImage {
  const rng = new Rng(mixSeed(seed, SPLITS.indexOf(split), index));
  const compositional = split === 'compositional';
  const scene = renderScene(rng, { width: IMAGE_SIZE, height: IMAGE_SIZE, allowHeldOut: compositional, requireHeldOut: compositional });
  const imageId = index + 1;
  const objects = scene.objects.map(({ shape, ...rest }) => {
    if (!isTrainedShape(shape)) throw new Error(`synth: the default splits never draw the novel shape ${shape}`);
    return { ...rest, shape };
  });
  const annotations: AnnotationRecord[] = objects.map((o, j) => {
    const [x0, y0, x1, y1] = o.box;
    return {
      id: firstAnnotationId + j,
      image_id: imageId,
      bbox: [x0, y0, x1 - x0, y1 - y0],
      area: (x1 - x0) * (y1 - y0),
      iscrowd: 0,
      category_id: categoryId(o.color, o.shape),
      color: o.color,
      shape: o.shape,
      size: o.size,
    };
  });
  const promptObjects = objects.map((o, j) => ({ ...o, annotationId: annotations[j].id }));
  const image: ImageRecord = {
    id: imageId,
    file_name: `images/${String(imageId).padStart(6, '0')}.png`,
    width: IMAGE_SIZE,
    height: IMAGE_SIZE,
    prompts: [listPrompt(promptObjects, rng, compositional), sentencePrompt(promptObjects, rng)],
  };
  return { scene, image, annotations };
}

/** RGB PNG bytes of an RGBA buffer. */
export function encodePng(rgba: Uint8Array, width: number, height: number): Buffer {
  const png = new PNG({ width, height, colorType: 2, inputColorType: 6, inputHasAlpha: true });
  png.data = Buffer.from(rgba.buffer, rgba.byteOffset, rgba.byteLength);
  return PNG.sync.write(png, { colorType: 2, inputColorType: 6, inputHasAlpha: true, deflateLevel: 6, filterType: 4 });
}

/** The images of a split in order, with annotation ids running across the split from 1. */
export function* generateSplit(split: Split, count: number, seed: number): Generator<GeneratedImage> {
  let nextAnnotationId = 1;
  for (let i = 0; i < count; i++) {
    const g = generateImage(split, seed, i, nextAnnotationId);
    nextAnnotationId += g.annotations.length;
    yield g;
  }
}

export function emptyDataset(): GroundingDataset {
  return { images: [], annotations: [], categories: CATEGORIES.map((c) => ({ ...c })) };
}

// `webglip detect --format coco`: detections as a COCO results file `[{image_id, category_id, bbox, score}]`.
// Ids come from a COCO annotation file (images by file_name, categories by name = phrase), or without
// one from the file names (COCO's own `000000397133.jpg` → 397133) and the phrases' 1-based order in the prompt.
import { basename, extname } from 'node:path';
import type { Detection } from '@webglip/core/engine';
import { GlipError } from '@webglip/core/engine';
import type { DetectionResult } from './eval/coco-eval.ts';

/** An image or a phrase that has no COCO id (not in the annotation file, or a file name without a number). */
export class CocoIdError extends GlipError {
  override name = 'CocoIdError';

  constructor(message: string) {
    super('coco-id', message);
  }
}

export interface CocoIds {
  imageId(file: string): number;
  /** The category of the prompt phrase `text`, the `index`-th (0-based) of the prompt. */
  categoryId(text: string, index: number): number;
}

/** Ids from the file names (digits only, before the extension) and the phrase order. */
export const FILE_NAME_IDS: CocoIds = {
  imageId(file) {
    const stem = basename(file, extname(file));
    if (!/^\d+$/.test(stem)) throw new CocoIdError(`${file}: --format coco needs an image id: name the files by number (000123.png → 123) or pass --annotations with a COCO annotation file listing them`);
    return Number(stem);
  },
  categoryId: (_text, index) => index + 1,
};

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Ids from a COCO annotation file's `images` (`id`, `file_name`) and `categories` (`id`, `name`). */
export function annotationIds(json: unknown, source: string): CocoIds {
  const images = isObject(json) && Array.isArray(json.images) ? json.images : undefined;
  const categories = isObject(json) && Array.isArray(json.categories) ? json.categories : undefined;
  const valid = (list: unknown[] | undefined, key: string) => list?.every((e) => isObject(e) && typeof e.id === 'number' && typeof e[key] === 'string');
  if (!valid(images, 'file_name') || !valid(categories, 'name')) throw new CocoIdError(`${source} is not a COCO annotation file: expected "images" [{id, file_name}] and "categories" [{id, name}]`);
  const byPath = new Map((images as { id: number; file_name: string }[]).map((i) => [i.file_name, i.id]));
  const byName = new Map((categories as { id: number; name: string }[]).map((c) => [c.name.trim().toLowerCase(), c.id]));
  return {
    imageId(file) {
      const normalized = file.replace(/\\/g, '/');
      for (const [path, id] of byPath) if (normalized === path || normalized.endsWith(`/${path}`)) return id;
      const sameName = [...byPath].filter(([path]) => basename(path) === basename(file));
      if (sameName.length === 1) return sameName[0][1];
      throw new CocoIdError(`${file}: ${sameName.length ? 'several' : 'no'} image(s) of ${source} have this file_name`);
    },
    categoryId(text) {
      const id = byName.get(text.trim().toLowerCase());
      if (id === undefined) throw new CocoIdError(`the phrase "${text}" is no category name of ${source} (its categories: ${[...byName.keys()].slice(0, 12).join(', ')}${byName.size > 12 ? ', …' : ''})`);
      return id;
    },
  };
}

/** One image's detections as COCO results; bbox is xywh with GLIP's inclusive-pixel width (x1 − x0 + 1). */
export function cocoResults(imageId: number, categoryIds: Map<string, number>, detections: Detection[]): DetectionResult[] {
  return detections.map((d) => {
    const categoryId = categoryIds.get(d.phrase);
    if (categoryId === undefined) throw new CocoIdError(`a detection grounds "${d.phrase}", which has no category id`);
    const [x0, y0, x1, y1] = d.box;
    return { image_id: imageId, category_id: categoryId, bbox: [x0, y0, x1 - x0 + 1, y1 - y0 + 1], score: d.score };
  });
}

// Teach mode's COCO import: the boxes of a COCO instances file (images, annotations, categories) as
// named boxes per image file name, for the examples the user added. Only what tuning needs is read;
// a file of the wrong shape is an EvalDataError naming the record.
import { EvalDataError, type LabelledBox } from '@webglip/core/client';

/** The boxes of one COCO image, by its file name (its last path segment). */
export type BoxesByFile = Map<string, LabelledBox[]>;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function array(json: Record<string, unknown>, field: string, source: string): unknown[] {
  const v = json[field];
  if (!Array.isArray(v)) throw new EvalDataError(`${source}: "${field}" must be an array (a COCO instances file has images, annotations and categories)`);
  return v;
}

export function baseName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

/**
 * COCO `[x, y, w, h]` boxes → GLIP's inclusive-pixel xyxy (x1 = x + w − 1, as GLIP's loader converts
 * them), named by their category, grouped by image file name.
 */
export function cocoBoxes(json: unknown, source: string): BoxesByFile {
  if (!isObject(json)) throw new EvalDataError(`${source}: expected a COCO object with images, annotations and categories`);
  const names = new Map<number, string>();
  array(json, 'categories', source).forEach((c, i) => {
    if (!isObject(c) || !Number.isInteger(c.id) || typeof c.name !== 'string' || c.name.trim() === '') {
      throw new EvalDataError(`${source}: categories[${i}] needs an integer id and a name`);
    }
    names.set(c.id as number, c.name.trim());
  });
  const files = new Map<number, string>();
  array(json, 'images', source).forEach((img, i) => {
    if (!isObject(img) || !Number.isInteger(img.id) || typeof img.file_name !== 'string') throw new EvalDataError(`${source}: images[${i}] needs an integer id and a file_name`);
    files.set(img.id as number, baseName(img.file_name));
  });
  const boxes: BoxesByFile = new Map([...files.values()].map((file) => [file, []]));
  array(json, 'annotations', source).forEach((a, i) => {
    const where = `${source}: annotations[${i}]`;
    if (!isObject(a) || !Number.isInteger(a.image_id) || !Number.isInteger(a.category_id)) throw new EvalDataError(`${where} needs an integer image_id and category_id`);
    const file = files.get(a.image_id as number);
    if (file === undefined) throw new EvalDataError(`${where}: image_id ${String(a.image_id)} is not in "images"`);
    const phrase = names.get(a.category_id as number);
    if (phrase === undefined) throw new EvalDataError(`${where}: category_id ${String(a.category_id)} is not in "categories"`);
    const bbox = a.bbox;
    if (!Array.isArray(bbox) || bbox.length !== 4 || !bbox.every((v) => typeof v === 'number' && Number.isFinite(v))) throw new EvalDataError(`${where} needs a bbox [x, y, w, h] of numbers`);
    const [x, y, w, h] = bbox as number[];
    if (!(w > 0 && h > 0)) throw new EvalDataError(`${where}: its bbox has no area (w ${w}, h ${h})`);
    boxes.get(file)!.push({ box: [x, y, x + w - 1, y + h - 1], phrase });
  });
  return boxes;
}

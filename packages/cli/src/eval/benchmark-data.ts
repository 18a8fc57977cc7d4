// The annotation files people have, read for `webglip eval`: plain COCO detection
// (`instances_*.json`), LVIS v1 (`lvis_v1_val.json`) and MDETR / GLIP phrase grounding
// (`final_flickr_separateGT_*.json`: one `images` record per caption, annotations with
// `tokens_positive`), besides the synthetic format of tools/synth (grounding-data.ts). Only the
// fields evaluation uses are read; a file of the wrong shape is an EvalDataError naming the record.
import { EvalDataError } from '@webglip/core/engine';
import type { EvalCategory, GroundTruthBox, XywhBox } from './coco-eval.ts';
import type { GroundedPhraseTruth, GroundingSentence } from './flickr-eval.ts';
import type { LvisCategory, LvisImage } from './lvis-eval.ts';

export type DataFormat = 'synth' | 'coco' | 'lvis' | 'flickr';
export const DATA_FORMATS: readonly DataFormat[] = ['synth', 'coco', 'lvis', 'flickr'];

export interface EvalImage {
  id: number;
  /** Relative to --images. */
  file_name: string;
}

export interface CocoData {
  images: EvalImage[];
  annotations: GroundTruthBox[];
  categories: EvalCategory[];
}

export interface LvisData {
  images: Array<EvalImage & LvisImage>;
  annotations: GroundTruthBox[];
  categories: LvisCategory[];
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isBox = (v: unknown): v is XywhBox => Array.isArray(v) && v.length === 4 && v.every((x) => typeof x === 'number' && Number.isFinite(x));
const isSpan = (v: unknown): v is [number, number] => Array.isArray(v) && v.length === 2 && v.every(Number.isInteger) && (v[0] as number) < (v[1] as number);
const isIds = (v: unknown): v is number[] => Array.isArray(v) && v.every(Number.isInteger);

function arrayField(o: Json, field: string, where: string): unknown[] {
  const v = o[field];
  if (!Array.isArray(v)) throw new EvalDataError(`${where}: "${field}" must be an array`);
  return v;
}

/** The format of an annotation file, from the fields of its first records. */
export function detectFormat(json: unknown, source: string): DataFormat {
  if (!isObject(json) || !Array.isArray(json.images) || !Array.isArray(json.annotations)) {
    throw new EvalDataError(`${source}: not an annotation file: expected an object with "images" and "annotations" arrays (COCO, LVIS v1, MDETR/GLIP flickr, or tools/synth)`);
  }
  const image: unknown = json.images[0];
  const annotation: unknown = json.annotations[0];
  if (isObject(image) && 'prompts' in image) return 'synth';
  if (isObject(image) && 'caption' in image && (!isObject(annotation) || 'tokens_positive' in annotation)) return 'flickr';
  if (isObject(image) && ('neg_category_ids' in image || 'not_exhaustive_category_ids' in image)) return 'lvis';
  return 'coco';
}

function parseCategories(json: Json, source: string): EvalCategory[] {
  const seen = new Set<number>();
  return arrayField(json, 'categories', source).map((c, i): EvalCategory => {
    if (!isObject(c) || !Number.isInteger(c.id) || typeof c.name !== 'string') throw new EvalDataError(`${source}: categories[${i}] needs an integer id and a name`);
    if (seen.has(c.id as number)) throw new EvalDataError(`${source}: categories[${i}] repeats category id ${String(c.id)}`);
    seen.add(c.id as number);
    return { id: c.id as number, name: c.name };
  });
}

function parseBoxes(json: Json, source: string, categoryIds: Set<number>, imageIds: Set<number>, crowds: boolean): GroundTruthBox[] {
  return arrayField(json, 'annotations', source).map((a, i): GroundTruthBox => {
    const where = `${source}: annotations[${i}]`;
    if (!isObject(a) || !Number.isInteger(a.image_id) || !isBox(a.bbox)) throw new EvalDataError(`${where} needs an integer image_id and bbox [x, y, w, h]`);
    if (!imageIds.has(a.image_id as number)) throw new EvalDataError(`${where}: image_id ${String(a.image_id)} is not in "images"`);
    if (!categoryIds.has(a.category_id as number)) throw new EvalDataError(`${where}: category_id ${String(a.category_id)} is not in "categories"`);
    if (a.area !== undefined && !(typeof a.area === 'number' && Number.isFinite(a.area))) throw new EvalDataError(`${where}: "area" must be a number`);
    if (crowds && a.iscrowd !== undefined && a.iscrowd !== 0 && a.iscrowd !== 1) throw new EvalDataError(`${where}: "iscrowd" must be 0 or 1`);
    const box: GroundTruthBox = { image_id: a.image_id as number, category_id: a.category_id as number, bbox: a.bbox };
    if (typeof a.area === 'number') box.area = a.area;
    if (crowds && a.iscrowd === 1) box.iscrowd = 1;
    return box;
  });
}

/** LVIS v1 images have no file_name: GLIP reads `coco_url`'s last two parts (val2017/000000397133.jpg). */
function fileNameOf(img: Json, where: string): string {
  if (typeof img.file_name === 'string') return img.file_name;
  if (typeof img.coco_url === 'string') return img.coco_url.split('/').slice(-2).join('/');
  throw new EvalDataError(`${where} needs a file_name (or an LVIS coco_url)`);
}

function parseImages(json: Json, source: string): EvalImage[] {
  return arrayField(json, 'images', source).map((img, i): EvalImage => {
    const where = `${source}: images[${i}]`;
    if (!isObject(img) || !Number.isInteger(img.id)) throw new EvalDataError(`${where} needs an integer id`);
    return { id: img.id as number, file_name: fileNameOf(img, where) };
  });
}

/** A COCO detection file: crowd regions are kept (the evaluator ignores matches to them), segmentations are not read. */
export function parseCoco(json: unknown, source: string): CocoData {
  if (!isObject(json)) throw new EvalDataError(`${source}: expected a COCO object with images, annotations and categories`);
  const categories = parseCategories(json, source);
  const images = parseImages(json, source);
  const annotations = parseBoxes(json, source, new Set(categories.map((c) => c.id)), new Set(images.map((i) => i.id)), true);
  return { images, annotations, categories };
}

export function parseLvis(json: unknown, source: string): LvisData {
  if (!isObject(json)) throw new EvalDataError(`${source}: expected an LVIS object with images, annotations and categories`);
  const frequencies = new Set(['r', 'c', 'f']);
  const raw = arrayField(json, 'categories', source);
  const categories = parseCategories(json, source).map((c, i): LvisCategory => {
    const frequency = (raw[i] as Json).frequency;
    if (typeof frequency !== 'string' || !frequencies.has(frequency)) throw new EvalDataError(`${source}: categories[${i}] needs a frequency 'r', 'c' or 'f' (LVIS v1)`);
    return { ...c, frequency: frequency as LvisCategory['frequency'] };
  });
  const categoryIds = new Set(categories.map((c) => c.id));
  const images = arrayField(json, 'images', source).map((img, i) => {
    const where = `${source}: images[${i}]`;
    if (!isObject(img) || !Number.isInteger(img.id)) throw new EvalDataError(`${where} needs an integer id`);
    for (const field of ['neg_category_ids', 'not_exhaustive_category_ids'] as const) {
      const ids = img[field];
      if (!isIds(ids)) throw new EvalDataError(`${where}: "${field}" must be an array of category ids`);
      const unknown = ids.find((id) => !categoryIds.has(id));
      if (unknown !== undefined) throw new EvalDataError(`${where}: ${field} names category ${unknown}, which is not in "categories"`);
    }
    return { id: img.id as number, file_name: fileNameOf(img, where), neg_category_ids: img.neg_category_ids as number[], not_exhaustive_category_ids: img.not_exhaustive_category_ids as number[] };
  });
  const annotations = parseBoxes(json, source, categoryIds, new Set(images.map((i) => i.id)), false);
  return { images, annotations, categories };
}

/**
 * MDETR / GLIP flickr: each image record is one caption; each annotation a box with the caption
 * spans (`tokens_positive`) of its phrase. Boxes with the same spans are one phrase; a phrase with
 * several spans is read as the span from its first start to its last end. Phrases in caption order.
 */
export function parseFlickr(json: unknown, source: string): GroundingSentence[] {
  if (!isObject(json)) throw new EvalDataError(`${source}: expected an MDETR/GLIP flickr object with images and annotations`);
  const sentences = new Map<number, GroundingSentence>();
  arrayField(json, 'images', source).forEach((img, i) => {
    const where = `${source}: images[${i}]`;
    if (!isObject(img) || !Number.isInteger(img.id) || typeof img.caption !== 'string') throw new EvalDataError(`${where} needs an integer id and a caption`);
    sentences.set(img.id as number, { id: img.id as number, file_name: fileNameOf(img, where), caption: img.caption, phrases: [] });
  });
  const phrases = new Map<string, GroundedPhraseTruth>();
  arrayField(json, 'annotations', source).forEach((a, i) => {
    const where = `${source}: annotations[${i}]`;
    if (!isObject(a) || !Number.isInteger(a.image_id) || !isBox(a.bbox)) throw new EvalDataError(`${where} needs an integer image_id and bbox [x, y, w, h]`);
    const sentence = sentences.get(a.image_id as number);
    if (!sentence) throw new EvalDataError(`${where}: image_id ${String(a.image_id)} is not in "images"`);
    const spans = a.tokens_positive;
    if (!Array.isArray(spans) || spans.length === 0 || !spans.every(isSpan)) throw new EvalDataError(`${where} needs tokens_positive: the [start, end) caption spans of its phrase`);
    const span: [number, number] = [Math.min(...spans.map((s) => s[0])), Math.max(...spans.map((s) => s[1]))];
    if (span[1] > sentence.caption.length) throw new EvalDataError(`${where}: tokens_positive [${span.join(', ')}) lies outside the caption of image ${sentence.id} (length ${sentence.caption.length})`);
    const key = `${sentence.id}:${span.join(':')}`;
    const phrase = phrases.get(key);
    if (phrase) phrase.boxes.push(a.bbox);
    else {
      const created = { span, text: sentence.caption.slice(...span), boxes: [a.bbox] };
      phrases.set(key, created);
      sentence.phrases.push(created);
    }
  });
  for (const s of sentences.values()) s.phrases.sort((p, q) => p.span[0] - q.span[0] || p.span[1] - q.span[1]);
  return [...sentences.values()];
}

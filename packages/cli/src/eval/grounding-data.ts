// The grounding data `webglip eval` reads — the synthetic data format of tools/synth (COCO images,
// annotations and categories, plus per-image prompts whose phrases carry a char span and a
// category) — and the COCO results files it scores. Detections are mapped to categories through
// the phrase they ground: a detection's charSpan names the phrase, the phrase names the category.
// COCO results files are read by results-file.ts.
import { EvalDataError } from '@webglip/core/engine';
import type { Detection } from '@webglip/core/engine';
import type { Prompt } from '@webglip/core/engine';
import type { DetectionResult, EvalCategory, GroundTruthBox, XywhBox } from './coco-eval.ts';

export interface GroundingPhrase {
  text: string;
  char_span: [number, number];
  category_id: number;
  annotation_ids: number[];
}

export interface GroundingPrompt {
  style: string;
  caption: string;
  phrases: GroundingPhrase[];
}

export interface GroundingImage {
  id: number;
  file_name: string;
  prompts: GroundingPrompt[];
}

export interface GroundingData {
  images: GroundingImage[];
  annotations: Array<GroundTruthBox & { id: number; iscrowd?: number }>;
  categories: EvalCategory[];
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isBox = (v: unknown): v is XywhBox => Array.isArray(v) && v.length === 4 && v.every((x) => typeof x === 'number' && Number.isFinite(x));
const isSpan = (v: unknown): v is [number, number] => Array.isArray(v) && v.length === 2 && v.every(Number.isInteger);

function arrayField(o: Json, field: string, where: string): unknown[] {
  const v = o[field];
  if (!Array.isArray(v)) throw new EvalDataError(`${where}: "${field}" must be an array`);
  return v;
}

/** Checks the parts of the format eval uses; `source` names the file in messages. */
export function parseGroundingData(json: unknown, source: string): GroundingData {
  if (!isObject(json)) throw new EvalDataError(`${source}: expected a COCO-style object with images, annotations and categories`);
  const categories = arrayField(json, 'categories', source).map((c, i): EvalCategory => {
    if (!isObject(c) || !Number.isInteger(c.id) || typeof c.name !== 'string') throw new EvalDataError(`${source}: categories[${i}] needs an integer id and a name`);
    return { id: c.id as number, name: c.name };
  });
  const categoryIds = new Set(categories.map((c) => c.id));
  const annotations = arrayField(json, 'annotations', source).map((a, i) => {
    if (!isObject(a) || !Number.isInteger(a.id) || !Number.isInteger(a.image_id) || !categoryIds.has(a.category_id as number) || !isBox(a.bbox)) {
      throw new EvalDataError(`${source}: annotations[${i}] needs integer id and image_id, a known category_id and bbox [x, y, w, h]`);
    }
    if (a.iscrowd !== undefined && a.iscrowd !== 0) throw new EvalDataError(`${source}: annotations[${i}] is a crowd region (iscrowd ${String(a.iscrowd)}); eval supports iscrowd 0 only`);
    return { id: a.id as number, image_id: a.image_id as number, category_id: a.category_id as number, bbox: a.bbox };
  });
  const images = arrayField(json, 'images', source).map((img, i): GroundingImage => {
    const where = `${source}: images[${i}]`;
    if (!isObject(img) || !Number.isInteger(img.id) || typeof img.file_name !== 'string') throw new EvalDataError(`${where} needs an integer id and a file_name`);
    const prompts = arrayField(img, 'prompts', where).map((p, j): GroundingPrompt => {
      if (!isObject(p) || typeof p.caption !== 'string' || typeof p.style !== 'string') throw new EvalDataError(`${where}.prompts[${j}] needs a style and a caption`);
      const phrases = arrayField(p, 'phrases', `${where}.prompts[${j}]`).map((ph, k): GroundingPhrase => {
        if (!isObject(ph) || !isSpan(ph.char_span) || !categoryIds.has(ph.category_id as number) || typeof ph.text !== 'string' || !Array.isArray(ph.annotation_ids)) {
          throw new EvalDataError(`${where}.prompts[${j}].phrases[${k}] needs text, char_span [start, end), a known category_id and annotation_ids`);
        }
        return { text: ph.text, char_span: ph.char_span, category_id: ph.category_id as number, annotation_ids: ph.annotation_ids as number[] };
      });
      return { style: p.style, caption: p.caption, phrases };
    });
    return { id: img.id as number, file_name: img.file_name, prompts };
  });
  return { images, annotations, categories };
}

/** The image's `list` prompt (all present categories + some absent), which eval runs. */
export function listPromptOf(image: GroundingImage): GroundingPrompt {
  const prompt = image.prompts.find((p) => p.style === 'list');
  if (!prompt) throw new EvalDataError(`image ${image.id} (${image.file_name}) has no "list" prompt to evaluate with`);
  return prompt;
}

/** The engine's prompt for a data set prompt: same caption, same phrase spans. */
export function enginePrompt(prompt: GroundingPrompt): Prompt {
  return { caption: prompt.caption, phrases: prompt.phrases.map((p) => ({ text: p.text, charSpan: p.char_span })) };
}

/**
 * COCO results for one image's detections: the category is that of the phrase with the detection's
 * charSpan; GLIP's inclusive-pixel xyxy becomes xywh with w = x1 − x0 + 1 (as the official
 * COCO evaluation converts, BoxList.convert('xywh') with TO_REMOVE = 1).
 */
export function detectionsToResults(imageId: number, prompt: GroundingPrompt, detections: Detection[]): DetectionResult[] {
  return detections.map((d) => {
    const phrase = prompt.phrases.find((p) => p.char_span[0] === d.charSpan[0] && p.char_span[1] === d.charSpan[1]);
    if (!phrase) throw new EvalDataError(`image ${imageId}: a detection grounds [${d.charSpan.join(', ')}) "${d.phrase}", which is not a phrase of the prompt "${prompt.caption}"`);
    const [x0, y0, x1, y1] = d.box;
    return { image_id: imageId, category_id: phrase.category_id, bbox: [x0, y0, x1 - x0 + 1, y1 - y0 + 1], score: d.score };
  });
}

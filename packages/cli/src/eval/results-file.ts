// COCO results files (`[{image_id, category_id, bbox, score}]`), the predictions `webglip eval`
// scores and writes: read, and each entry checked against the data set it is scored on.
import { EvalDataError } from '@webglip/core/engine';
import type { DetectionResult, XywhBox } from './coco-eval.ts';

const isBox = (v: unknown): v is XywhBox => Array.isArray(v) && v.length === 4 && v.every((x) => typeof x === 'number' && Number.isFinite(x));

/** `check` says why an entry does not fit the data (null: it fits); `source` names the file in messages. */
export function parseResults(json: unknown, source: string, check: (r: DetectionResult) => string | null): DetectionResult[] {
  if (!Array.isArray(json)) throw new EvalDataError(`${source}: expected a COCO results array [{image_id, category_id, bbox, score}]`);
  return json.map((r: unknown, i): DetectionResult => {
    const o = (typeof r === 'object' && r !== null ? r : {}) as Record<string, unknown>;
    if (!isBox(o.bbox) || typeof o.score !== 'number' || !Number.isFinite(o.score)) throw new EvalDataError(`${source}[${i}] needs bbox [x, y, w, h] and a numeric score`);
    const result = { image_id: o.image_id as number, category_id: o.category_id as number, bbox: o.bbox, score: o.score };
    const problem = check(result);
    if (problem) throw new EvalDataError(`${source}[${i}]: ${problem}`);
    return result;
  });
}

/** The usual check: a known image and a known category. */
export function knownIds(imageIds: Set<number>, categoryIds: Set<number>): (r: DetectionResult) => string | null {
  return (r) => {
    if (!imageIds.has(r.image_id)) return `image_id ${String(r.image_id)} is not an image of the data set`;
    if (!categoryIds.has(r.category_id)) return `category_id ${String(r.category_id)} is not a category of the data set`;
    return null;
  };
}

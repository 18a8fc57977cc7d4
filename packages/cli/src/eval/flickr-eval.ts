// Phrase grounding recall, the Flickr30k Entities protocol of MDETR / GLIP (Flickr30kEntitiesRecallEvaluator
// in the official evaluation/flickr/flickr_eval.py), ANY-BOX: for each phrase of each sentence its
// predicted boxes are ranked by score; the phrase is a hit at k when one of its k best boxes has
// IoU ≥ 0.5 with any of its ground-truth boxes. Recall@k = hits / phrases, for k = 1, 5, 10, and the
// upper bound: any of its boxes at all. A phrase with no predicted box is a miss at every k.
// Boxes are compared as xyxy [x, y, x + w, y + h], IoU without the +1 pixel convention (box_iou there).
import type { DetectionResult, XywhBox } from './coco-eval.ts';
import { boxIou } from './coco-eval.ts';

export const RECALL_KS = [1, 5, 10] as const;
export const FLICKR_IOU = 0.5;

export interface GroundedPhraseTruth {
  /** `[start, end)` in the caption: the phrase the model grounds. */
  span: [number, number];
  text: string;
  boxes: XywhBox[];
}

/** One caption of an image (an `images` record of final_flickr_*.json). */
export interface GroundingSentence {
  id: number;
  file_name: string;
  caption: string;
  /** In caption order; predictions name a phrase by `category_id` = index + 1 (GLIP's label). */
  phrases: GroundedPhraseTruth[];
}

export interface FlickrEvalResult {
  recall1: number | null;
  recall5: number | null;
  recall10: number | null;
  upperBound: number | null;
  numSentences: number;
  numPhrases: number;
  numDetections: number;
}

/** `predictions` are COCO results whose `image_id` is a sentence's id and `category_id` a phrase's label. */
export function evaluateFlickr(sentences: GroundingSentence[], predictions: DetectionResult[]): FlickrEvalResult {
  const by = new Map<string, DetectionResult[]>();
  for (const p of predictions) {
    const key = `${p.image_id}:${p.category_id}`;
    const list = by.get(key);
    if (list) list.push(p);
    else by.set(key, [p]);
  }
  const hits = { 1: 0, 5: 0, 10: 0, all: 0 };
  let numPhrases = 0;
  for (const s of sentences) {
    s.phrases.forEach((phrase, i) => {
      numPhrases++;
      const ranked = (by.get(`${s.id}:${i + 1}`) ?? []).slice().sort((a, b) => b.score - a.score);
      const firstHit = ranked.findIndex((p) => phrase.boxes.some((g) => boxIou(p.bbox, g) >= FLICKR_IOU));
      if (firstHit < 0) return;
      hits.all++;
      for (const k of RECALL_KS) if (firstHit < k) hits[k]++;
    });
  }
  const rate = (n: number): number | null => (numPhrases === 0 ? null : n / numPhrases);
  return {
    recall1: rate(hits[1]),
    recall5: rate(hits[5]),
    recall10: rate(hits[10]),
    upperBound: rate(hits.all),
    numSentences: sentences.length,
    numPhrases,
    numDetections: predictions.length,
  };
}

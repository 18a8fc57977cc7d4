// `webglip tune`'s training set from a COCO detection file, as GLIP prompt-tunes on ODinW's COCO-format
// sets: the prompt is every category name as GLIP's detection query (text/category-query.ts, names in
// category-id order: the prompt `webglip eval` gives the model for the same file), and each example is an
// image with its boxes, each naming its category's phrase.
//
// `shots` K: for each category in id order, the first images of the file (in its order) that show it are
// taken until K chosen images show it (GLIP samples K images per category for its few-shot runs; taking
// them in the file's order makes a run reproducible). Without it every image is used. Images without
// boxes, and crowd regions, are left out, as GLIP's training sets leave them out.
//
// Boxes: COCO's [x, y, w, h] become [x, y, x + w − 1, y + h − 1], GLIP's conversion of COCO boxes
// (maskrcnn_benchmark's BoxList xywh → xyxy, TO_REMOVE = 1; `webglip eval` converts back with + 1). A
// box that is not inside its image or has no area after it is a TuningDataError naming the annotation.
import type { Prompt, TuningBox } from '@webglip/core/engine';
import { categoryQuery, TuningDataError } from '@webglip/core/engine';
import type { CocoData, EvalImage } from '../eval/benchmark-data.ts';

/** One training image: its record in the file and its boxes (COCO xywh) by category phrase. */
export interface CocoTuningImage {
  image: EvalImage;
  boxes: { bbox: [number, number, number, number]; phrase: string; annotation: number }[];
}

export interface CocoTuningSet {
  prompt: Prompt;
  images: CocoTuningImage[];
}

/** The prompt and the training images of `data` (see the file comment). */
export function cocoTuningSet(data: CocoData, shots?: number): CocoTuningSet {
  const categories = data.categories.slice().sort((a, b) => a.id - b.id);
  const prompt = categoryQuery(categories.map((c) => c.name));
  const phraseOf = new Map(categories.map((c, i) => [c.id, prompt.phrases[i].text]));
  const boxesOf = new Map<number, CocoTuningImage['boxes']>();
  data.annotations.forEach((a, annotation) => {
    if (a.iscrowd === 1) return;
    const boxes = boxesOf.get(a.image_id) ?? [];
    boxes.push({ bbox: a.bbox, phrase: phraseOf.get(a.category_id)!, annotation });
    boxesOf.set(a.image_id, boxes);
  });
  const withBoxes = data.images.filter((i) => boxesOf.has(i.id)).map((image) => ({ image, boxes: boxesOf.get(image.id)! }));
  if (shots === undefined) return { prompt, images: withBoxes };
  const chosen = new Set<CocoTuningImage>();
  for (const category of categories) {
    const phrase = phraseOf.get(category.id)!;
    const shows = (i: CocoTuningImage) => i.boxes.some((b) => b.phrase === phrase);
    let have = [...chosen].filter(shows).length;
    for (const candidate of withBoxes) {
      if (have >= shots) break;
      if (!chosen.has(candidate) && shows(candidate)) {
        chosen.add(candidate);
        have++;
      }
    }
  }
  return { prompt, images: withBoxes.filter((i) => chosen.has(i)) };
}

/** The image's boxes as the engine takes them (xyxy pixels), each checked against the image's size. */
export function tuningBoxes(image: CocoTuningImage, width: number, height: number, source: string): TuningBox[] {
  return image.boxes.map(({ bbox: [x, y, w, h], phrase, annotation }) => {
    const box: TuningBox['box'] = [x, y, x + w - 1, y + h - 1];
    const where = `${source}: annotations[${annotation}] (${image.image.file_name}, ${width}×${height})`;
    if (x < 0 || y < 0 || box[2] > width || box[3] > height) {
      throw new TuningDataError('box-outside-image', `${where}: bbox [${x}, ${y}, ${w}, ${h}] is not inside the image; fix or remove the annotation`);
    }
    if (!(box[2] > box[0] && box[3] > box[1])) throw new TuningDataError('zero-area-box', `${where}: bbox [${x}, ${y}, ${w}, ${h}] has no area (GLIP reads a COCO box as x … x + w − 1); fix or remove the annotation`);
    return { box, phrase };
  });
}

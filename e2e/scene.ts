// A generated grounding scene for the browser tests (tools/synth, deterministic): its PNG, its list
// prompt, and the true boxes with the phrase each one belongs to. Plus the matching rule the specs use.
import { encodePng, generateImage } from '../tools/synth/dataset.ts';

export interface TrueBox {
  /** `[x0, y0, x1, y1]` in pixels. */
  box: [number, number, number, number];
  phrase: string;
}

export interface TestScene {
  png: Buffer;
  prompt: string;
  truth: TrueBox[];
}

/** Image `index` of the validation split (seed 2, as tools/synth/README.md generates it). */
export function validationScene(index = 0): TestScene {
  const { scene, image, annotations } = generateImage('val', 2, index, 1);
  const prompt = image.prompts.find((p) => p.style === 'list');
  if (!prompt) throw new Error('the synthetic scene has no list prompt');
  const truth = annotations.map((a) => {
    const phrase = prompt.phrases.find((p) => p.annotation_ids.includes(a.id));
    if (!phrase) throw new Error(`annotation ${a.id} is named by no phrase of "${prompt.caption}"`);
    const [x, y, w, h] = a.bbox;
    return { box: [x, y, x + w, y + h] as TrueBox['box'], phrase: phrase.text };
  });
  return { png: encodePng(scene.rgba, scene.width, scene.height), prompt: prompt.caption, truth };
}

export function iou(a: readonly number[], b: readonly number[]): number {
  const w = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
  const h = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
  const inter = w * h;
  const union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
  return union > 0 ? inter / union : 0;
}

/** The true boxes that no detection of the same phrase overlaps with IoU ≥ `minIou`, as readable lines. */
export function unmatched(truth: TrueBox[], detections: { box: number[]; phrase: string; score: number }[], minIou = 0.7): string[] {
  return truth
    .filter((t) => !detections.some((d) => d.phrase === t.phrase && iou(d.box, t.box) >= minIou))
    .map((t) => {
      const best = Math.max(0, ...detections.filter((d) => d.phrase === t.phrase).map((d) => iou(d.box, t.box)));
      return `"${t.phrase}" at [${t.box}] (best IoU with that phrase ${best.toFixed(2)})`;
    });
}

// The CLI's annotated image (`webglip detect --out`): each box outlined in its phrase's colour with a
// label "PHRASE 0.87" on a filled tab, placed as the demo and the widget place theirs (core's
// render/label-layout.ts: inside the image, never over another label, best score first), written
// with the CLI's bitmap font at a size that grows with the image.
import { PNG } from 'pngjs';
import type { Detection } from '@webglip/core/engine';
import type { PixelImage } from '@webglip/core/engine';
import { fitLabel, layoutLabels, type LabelRect } from '@webglip/core/engine';
import { PHRASE_COLOURS, rgbOf } from '@webglip/core/engine';
import { GLYPH_HEIGHT, rasterizeText, textWidth } from './bitmap-font.ts';

type Rgb = readonly [number, number, number];

/** One colour per phrase (by its place in the prompt), as the demo and the widget colour them. */
const COLOURS: Rgb[] = PHRASE_COLOURS.map(rgbOf);
const INK: Rgb = [0, 0, 0];

/** Glyph scale: 7 px capitals up to 400 px images, one step more per 400 px of the longer side. */
export function labelScale(image: { width: number; height: number }): number {
  return Math.max(1, Math.round(Math.max(image.width, image.height) / 400));
}

export interface AnnotatedImage {
  png: PNG;
  /** The labels drawn: detection index, tab, text. */
  labels: { index: number; rect: LabelRect; text: string }[];
}

/** A copy of the RGB(A) image with the detections' boxes and labels drawn; `phrases` orders the colours (default: first seen). */
export function annotateImage(image: PixelImage, detections: Detection[], phrases: readonly { charSpan: readonly [number, number] }[] = []): AnnotatedImage {
  const { width, height } = image;
  const png = new PNG({ width, height });
  const channels = image.data.length / (width * height);
  for (let p = 0; p < width * height; p++) {
    for (let c = 0; c < 3; c++) png.data[4 * p + c] = image.data[channels * p + c];
    png.data[4 * p + 3] = channels === 4 ? image.data[4 * p + 3] : 255;
  }
  const paint = (x: number, y: number, [r, g, b]: Rgb): void => {
    if (x < 0 || y < 0 || x >= width || y >= height) return;
    const i = 4 * (y * width + x);
    png.data[i] = r;
    png.data[i + 1] = g;
    png.data[i + 2] = b;
    png.data[i + 3] = 255;
  };
  const keys = phrases.map((p) => `${p.charSpan[0]}:${p.charSpan[1]}`);
  const colourOf = (d: Detection): Rgb => {
    const key = `${d.charSpan[0]}:${d.charSpan[1]}`;
    if (!keys.includes(key)) keys.push(key);
    return COLOURS[keys.indexOf(key) % COLOURS.length];
  };

  const scale = labelScale(image);
  const line = Math.max(2, scale);
  for (const d of detections) {
    const colour = colourOf(d);
    const [x0, y0, x1, y1] = d.box.map(Math.round);
    for (let t = 0; t < line; t++) {
      for (let x = x0; x <= x1; x++) {
        paint(x, y0 + t, colour);
        paint(x, y1 - t, colour);
      }
      for (let y = y0; y <= y1; y++) {
        paint(x0 + t, y, colour);
        paint(x1 - t, y, colour);
      }
    }
  }

  const pad = 2 * scale;
  const texts = detections.map((d) => fitLabel(d.phrase.toUpperCase(), d.score, width - 2 * pad, (t) => textWidth(t, scale)));
  const rects = layoutLabels(
    detections.map((d, i) => ({ box: d.box, size: { width: textWidth(texts[i], scale) + 2 * pad, height: GLYPH_HEIGHT * scale + 2 * pad } })),
    image,
  );
  const labels: AnnotatedImage['labels'] = [];
  rects.forEach((rect, index) => {
    if (!rect) return;
    const colour = colourOf(detections[index]);
    for (let y = rect.y; y < rect.y + rect.height; y++) for (let x = rect.x; x < rect.x + rect.width; x++) paint(Math.round(x), Math.round(y), colour);
    rasterizeText(texts[index], Math.round(rect.x + pad), Math.round(rect.y + pad), scale, (x, y) => paint(x, y, INK));
    labels.push({ index, rect, text: texts[index] });
  });
  return { png, labels };
}

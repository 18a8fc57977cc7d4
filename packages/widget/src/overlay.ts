// Draws the image and its detections on a canvas: each box outlined in its phrase's colour with a
// label "phrase 0.87" on a filled tab, placed by core's render/label-layout.ts (inside the canvas,
// never over another label) at a size that reads as ~13 CSS px however large the image is shown.
// A highlighted set of boxes (a hovered chip or list row) is drawn on top with its labels first and
// the rest faded; hidden boxes are not drawn.
import type { Detection } from '@webglip/core/client';
import { fitLabel, labelFontPx, layoutLabels, type LabelRect } from '@webglip/core/client';

export interface OverlayOptions {
  color(d: Detection): string;
  /** Boxes not to draw (a phrase switched off). */
  hidden?(d: Detection): boolean;
  /** When given, only these boxes are drawn at full strength and labelled; the others are faded. */
  highlighted?: ((d: Detection) => boolean) | null;
}

/** A drawn label: the detection's index in `detections` and its tab in canvas pixels. */
export interface DrawnLabel {
  index: number;
  rect: LabelRect;
  text: string;
}

const FADED_ALPHA = 0.3;

/** Draws `image` and `detections` on `canvas` (resized to the image); returns the labels drawn. */
export function drawDetections(
  canvas: HTMLCanvasElement,
  image: CanvasImageSource & { width: number; height: number },
  detections: Detection[],
  options: OverlayOptions,
): DrawnLabel[] {
  if (canvas.width !== image.width) canvas.width = image.width;
  if (canvas.height !== image.height) canvas.height = image.height;
  const ctx = canvas.getContext('2d');
  if (!ctx) return [];
  ctx.drawImage(image, 0, 0);
  const displayWidth = canvas.getBoundingClientRect().width || image.width;
  const fontPx = labelFontPx(image, displayWidth);
  const pad = Math.max(2, Math.round(fontPx * 0.3));
  const line = Math.max(2, Math.round(fontPx / 6));
  ctx.font = `600 ${fontPx}px system-ui, sans-serif`;
  ctx.textBaseline = 'middle';
  ctx.lineWidth = line;

  const visible = detections.map((d, index) => ({ d, index })).filter(({ d }) => !options.hidden?.(d));
  const focus = options.highlighted ?? null;
  const strong = focus ? visible.filter(({ d }) => focus(d)) : visible;
  const faded = focus ? visible.filter(({ d }) => !focus(d)) : [];

  ctx.globalAlpha = FADED_ALPHA;
  for (const { d } of faded) strokeBox(ctx, d, options.color(d));
  ctx.globalAlpha = 1;
  for (const { d } of strong) strokeBox(ctx, d, options.color(d));

  const texts = strong.map(({ d }) => fitLabel(d.phrase, d.score, image.width - 2 * pad, (t) => ctx.measureText(t).width));
  const rects = layoutLabels(
    strong.map(({ d }, i) => ({ box: d.box, size: { width: Math.ceil(ctx.measureText(texts[i]).width) + 2 * pad, height: fontPx + 2 * pad } })),
    image,
  );
  const drawn: DrawnLabel[] = [];
  rects.forEach((rect, i) => {
    if (!rect) return;
    const { d, index } = strong[i];
    ctx.fillStyle = options.color(d);
    ctx.fillRect(rect.x, rect.y, rect.width, rect.height);
    ctx.fillStyle = '#000';
    ctx.fillText(texts[i], rect.x + pad, rect.y + rect.height / 2);
    drawn.push({ index, rect, text: texts[i] });
  });
  return drawn;
}

function strokeBox(ctx: CanvasRenderingContext2D, d: Detection, color: string): void {
  const [x0, y0, x1, y1] = d.box;
  ctx.strokeStyle = color;
  ctx.strokeRect(x0, y0, x1 - x0, y1 - y0);
}

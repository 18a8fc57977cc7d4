// Where the label of each detected box goes ("red circle 0.87" on a filled tab), so that labels stay
// readable with dozens of boxes: every label lies wholly inside the canvas and no two overlap. Pure
// geometry, shared by the demo's and the widget's canvas overlay and the CLI's annotated PNG (each
// measures its own text). Labels are placed in the order given (best score first): a label takes the
// first free spot among, in order, just above its box, just inside its top edge, just below it, just
// inside its bottom edge (each at the box's left edge, then its right edge), then the nearest free
// row beside the box (from two label heights above it to one below it: a label far from its box would
// name the wrong one); a label with no free spot left is not placed (null), and its box is drawn
// without one (the pages list every detection, and hovering a phrase or a row draws its labels first).

/** x0, y0, x1, y1 in canvas pixels. */
export type Box = readonly [number, number, number, number];

export interface Size {
  width: number;
  height: number;
}

export interface LabelRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface LabelRequest {
  box: Box;
  /** The measured size of the label's tab (text plus padding). */
  size: Size;
}

/** One rectangle per request, inside `canvas` and overlapping no other, or null where none fits. */
export function layoutLabels(requests: readonly LabelRequest[], canvas: Size): (LabelRect | null)[] {
  const placed: LabelRect[] = [];
  return requests.map(({ box, size }) => {
    const width = Math.min(size.width, canvas.width);
    const height = Math.min(size.height, canvas.height);
    const spot = candidates(box, width, height, canvas).find((r) => !placed.some((p) => overlaps(p, r)));
    if (spot) placed.push(spot);
    return spot ?? null;
  });
}

/**
 * The label text that fits `maxWidth`: `phrase score`, the phrase shortened with "…" when needed
 * (the score is kept whole), as measured by `measure`.
 */
export function fitLabel(phrase: string, score: number, maxWidth: number, measure: (text: string) => number): string {
  const scoreText = score.toFixed(2);
  const full = `${phrase} ${scoreText}`;
  if (measure(full) <= maxWidth) return full;
  const chars = [...phrase];
  for (let keep = chars.length - 1; keep > 0; keep--) {
    const text = `${chars.slice(0, keep).join('').trimEnd()}… ${scoreText}`;
    if (measure(text) <= maxWidth) return text;
  }
  return scoreText;
}

/**
 * Label tab size for an image shown `displayWidth` CSS pixels wide (its own width when not shown):
 * text of about `cssPx` CSS pixels, never below `minPx` image pixels.
 */
export function labelFontPx(image: Size, displayWidth = image.width, cssPx = 13, minPx = 7): number {
  const scale = displayWidth > 0 ? image.width / displayWidth : 1;
  return Math.max(minPx, Math.round(cssPx * scale));
}

function candidates(box: Box, width: number, height: number, canvas: Size): LabelRect[] {
  const [x0, y0, x1, y1] = box;
  const xs = [x0, x1 - width];
  const ys = [y0 - height, y0, y1, y1 - height];
  const around = ys.flatMap((y) => xs.map((x) => clamp({ x, y, width, height }, canvas)));
  // Fallback: rows beside the box, at either edge, nearest to the box's top first.
  const rows: LabelRect[] = [];
  const step = Math.max(1, Math.ceil(height / 2));
  for (let y = y0 - 2 * height; y <= y1 + height; y += step) for (const x of xs) rows.push(clamp({ x, y, width, height }, canvas));
  rows.sort((a, b) => Math.abs(a.y - y0) - Math.abs(b.y - y0));
  return [...around, ...rows];
}

function clamp(r: LabelRect, canvas: Size): LabelRect {
  return {
    ...r,
    x: Math.min(Math.max(0, r.x), canvas.width - r.width),
    y: Math.min(Math.max(0, r.y), canvas.height - r.height),
  };
}

function overlaps(a: LabelRect, b: LabelRect): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

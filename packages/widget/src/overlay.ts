// Draws the image and its detections on a canvas: each box outlined in its phrase's colour with a
// label "phrase 0.87" on a filled tab. Line widths scale with the image so they read at any size.
import type { Detection } from '@webglip/core/worker/protocol.ts';

export function drawDetections(
  canvas: HTMLCanvasElement,
  image: CanvasImageSource & { width: number; height: number },
  detections: Detection[],
  color: (d: Detection) => string,
): void {
  canvas.width = image.width;
  canvas.height = image.height;
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  ctx.drawImage(image, 0, 0);
  const unit = Math.max(2, Math.round(Math.max(image.width, image.height) / 320));
  ctx.lineWidth = unit;
  ctx.font = `${6 * unit + 4}px system-ui, sans-serif`;
  ctx.textBaseline = 'top';
  for (const d of detections) {
    const [x0, y0, x1, y1] = d.box;
    ctx.strokeStyle = ctx.fillStyle = color(d);
    ctx.strokeRect(x0, y0, x1 - x0, y1 - y0);
    const label = `${d.phrase} ${d.score.toFixed(2)}`;
    const height = 6 * unit + 8;
    const width = ctx.measureText(label).width + 2 * unit;
    const top = y0 >= height ? y0 - height : y0;
    ctx.fillRect(x0 - unit / 2, top, width, height);
    ctx.fillStyle = '#000';
    ctx.fillText(label, x0 + unit / 2, top + 2);
  }
}

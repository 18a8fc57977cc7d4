// Getting results out of the demo: the detections as the engine returns them (JSON), as a COCO
// results file, the annotated image as PNG, and the JSON on the clipboard.
import type { Detection } from '@webglip/core/client';
import type { PhraseChip } from '@webglip/widget/phrases.ts';

/** One entry of a COCO results file (what pycocotools' `loadRes` reads), plus the phrase it grounds. */
export interface CocoResult {
  image_id: number;
  /** The phrase's number in the prompt, from 1 (GLIP's label: phrases[category_id − 1]). */
  category_id: number;
  /** `[x, y, w, h]` of GLIP's inclusive-pixel box: w = x1 − x0 + 1. */
  bbox: [number, number, number, number];
  score: number;
  phrase: string;
}

/** What the export buttons export: the detections drawn now, the prompt's phrases and the canvas showing them. */
export interface ExportSource {
  detections: Detection[];
  phrases: readonly PhraseChip[];
  canvas: HTMLCanvasElement;
}

export function engineJson(detections: Detection[]): string {
  return `${JSON.stringify(detections, null, 2)}\n`;
}

export function cocoResults(detections: Detection[], phrases: readonly PhraseChip[], imageId = 1): CocoResult[] {
  return detections.map((d) => {
    const [x0, y0, x1, y1] = d.box;
    const bySpan = phrases.findIndex((p) => p.charSpan[0] <= d.charSpan[0] && d.charSpan[1] <= p.charSpan[1]);
    const index = bySpan >= 0 ? bySpan : phrases.findIndex((p) => p.text.toLowerCase() === d.phrase.toLowerCase());
    return { image_id: imageId, category_id: index + 1, bbox: [x0, y0, x1 - x0 + 1, y1 - y0 + 1], score: d.score, phrase: d.phrase };
  });
}

function download(name: string, blob: Blob): void {
  const link = document.createElement('a');
  link.href = URL.createObjectURL(blob);
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 0);
}

const jsonBlob = (text: string): Blob => new Blob([text], { type: 'application/json' });

export interface ExportButtons {
  json: HTMLButtonElement;
  coco: HTMLButtonElement;
  png: HTMLButtonElement;
  copy: HTMLButtonElement;
  /** Says what the last action did (copied, or why not). */
  status: HTMLElement;
}

/** Wires the export buttons to whatever `current()` shows when clicked (null: nothing detected yet). */
export function watchExports(el: ExportButtons, current: () => ExportSource | null): void {
  const say = (text: string): void => {
    el.status.textContent = text;
  };
  el.json.addEventListener('click', () => {
    const source = current();
    if (source) download('detections.json', jsonBlob(engineJson(source.detections)));
  });
  el.coco.addEventListener('click', () => {
    const source = current();
    if (source) download('coco-results.json', jsonBlob(`${JSON.stringify(cocoResults(source.detections, source.phrases), null, 2)}\n`));
  });
  el.png.addEventListener('click', () => {
    const source = current();
    source?.canvas.toBlob((blob) => (blob ? download('detections.png', blob) : say('The image could not be encoded as PNG.')), 'image/png');
  });
  el.copy.addEventListener('click', async () => {
    const source = current();
    if (!source) return;
    try {
      await navigator.clipboard.writeText(engineJson(source.detections));
      say(`Copied ${source.detections.length} detections as JSON.`);
    } catch (e) {
      say(`Could not copy: ${e instanceof Error ? e.message : String(e)}`);
    }
  });
}

/** Enables the buttons when there is a result to export. */
export function enableExports(el: ExportButtons, enabled: boolean): void {
  for (const button of [el.json, el.coco, el.png, el.copy]) button.disabled = !enabled;
}

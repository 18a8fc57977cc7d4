// Browser side of e2e/robustness.spec.ts: the image entry points as the engine uses them in a page
// (createImageBitmap with EXIF orientation and resize on decode; canvases and video frames), and a
// typed error thrown in the engine worker as the page receives it.
import { GlipError, TokenizerError } from '@webglip/core/client';
import { decodeImage, pixelsFromSource } from '@webglip/core/client';
import { GlipClient } from '@webglip/core/client';

/** What a check returns to the spec: the size, a few pixels, or the typed error. */
export interface InputReport {
  width?: number;
  height?: number;
  /** RGBA at the requested points. */
  pixels?: number[][];
  /** `code` is GlipError's stable code (class names are minified in the production build). */
  error?: { code: string; message: string };
}

type Point = [number, number];

async function report(make: () => Promise<{ data: Uint8ClampedArray; width: number; height: number }>, points: Point[]): Promise<InputReport> {
  try {
    const { data, width, height } = await make();
    const pixels = points.map(([fx, fy]) => {
      const at = (Math.min(height - 1, Math.floor(fy * height)) * width + Math.min(width - 1, Math.floor(fx * width))) * 4;
      return Array.from(data.subarray(at, at + 4));
    });
    return { width, height, pixels };
  } catch (e) {
    return { error: { code: (e as { code?: string }).code ?? 'untyped', message: e instanceof Error ? e.message : String(e) } };
  }
}

/** A canvas: left half red, right half blue. */
function halfRedCanvas(width: number, height: number): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext('2d')!;
  context.fillStyle = '#0000ff';
  context.fillRect(0, 0, width, height);
  context.fillStyle = '#ff0000';
  context.fillRect(0, 0, width / 2, height);
  return canvas;
}

const checks = {
  decodeBytes: (bytes: number[], points: Point[], maxSide?: number) =>
    report(() => decodeImage(new Blob([Uint8Array.from(bytes)]), maxSide === undefined ? {} : { maxSide }), points),
  canvas: (width: number, height: number, points: Point[]) => report(() => pixelsFromSource(halfRedCanvas(width, height)), points),
  videoFrame: async (points: Point[]) => {
    const canvas = halfRedCanvas(64, 48);
    const video = document.createElement('video');
    video.muted = true;
    video.srcObject = canvas.captureStream(30);
    const early = await report(() => pixelsFromSource(video), points); // no frame yet
    const loaded = new Promise((resolve) => video.addEventListener('loadeddata', resolve, { once: true }));
    await video.play();
    await loaded;
    return { early, frame: await report(() => pixelsFromSource(video), points) };
  },
  /** Loads a model whose tokenizer.json is not JSON: the worker throws TokenizerError. */
  workerError: async () => {
    const client = new GlipClient();
    try {
      await client.load({ 'tokenizer.json': new TextEncoder().encode('not json').buffer });
      return null;
    } catch (e) {
      const error = e as Error & { code?: string };
      return { name: error.name, code: error.code, isTokenizerError: e instanceof TokenizerError, isGlipError: e instanceof GlipError };
    } finally {
      await client.dispose();
    }
  },
};

declare global {
  interface Window {
    __inputChecks?: typeof checks;
  }
}

window.__inputChecks = checks;

// <glip-detector src="photo.jpg" prompt="cat. remote control" model="models/glip-nano/" threshold="0.5">
// Shows the image with the prompt's phrases boxed, re-running when `src`, `prompt` or `model` change
// (a `threshold` change only re-filters). Fires `detections` (detail: Detection[], the engine API's
// JSON). Every widget on a page asking for the same model shares one engine worker and one copy of
// the weights; an image `src` is encoded once, and a (src, prompt) pair is detected once. Styles are
// constructed stylesheets and nothing is evaluated, so it runs under a strict CSP (see
// packages/widget/README.md).
import { ImageInputError } from '@webglip/core/errors.ts';
import { GlipClient, type ImageHandle } from '@webglip/core/worker/client.ts';
import { CANDIDATE_THRESHOLD, type Detection } from '@webglip/core/worker/protocol.ts';
import { drawDetections } from './overlay.ts';
import { colorOf, parsePhrases } from './phrases.ts';

const DEFAULT_MODEL = 'models/glip-nano/';
const DEFAULT_THRESHOLD = 0.5;

const STYLE = `
:host { display: inline-block; position: relative; max-width: 100%; }
canvas { display: block; max-width: 100%; height: auto; }
[part='status'] { font: 0.85rem system-ui, sans-serif; margin: 0.25rem 0; }
[part='status']:empty { display: none; }
`;

let sheet: CSSStyleSheet | null = null;

/** Encoded images per engine and absolute `src`, shared by every widget on the page. */
const imageHandles = new WeakMap<GlipClient, Map<string, Promise<ImageHandle>>>();
/** Candidate detections per engine, `src` and prompt: identical widgets run the network once. */
const sharedCandidates = new WeakMap<GlipClient, Map<string, Promise<Detection[]>>>();

/** Decodes an image URL (same origin, or served with CORS: the engine reads its pixels). */
async function loadBitmap(src: string): Promise<ImageBitmap> {
  const img = new Image();
  img.crossOrigin = 'anonymous';
  img.src = src;
  try {
    await img.decode();
  } catch (cause) {
    throw new ImageInputError(`the image ${src} could not be loaded or decoded (missing, not an image, or cross-origin without CORS)`, { cause });
  }
  return createImageBitmap(img);
}

function sharedImage(client: GlipClient, src: string, bitmap: ImageBitmap): Promise<ImageHandle> {
  let handles = imageHandles.get(client);
  if (!handles) imageHandles.set(client, (handles = new Map()));
  let handle = handles.get(src);
  if (!handle) {
    handle = client.encodeImage(bitmap);
    handle.catch(() => handles.delete(src));
    handles.set(src, handle);
  }
  return handle;
}

function candidatesFor(client: GlipClient, src: string, bitmap: ImageBitmap, prompt: string): Promise<Detection[]> {
  let results = sharedCandidates.get(client);
  if (!results) sharedCandidates.set(client, (results = new Map()));
  const key = `${src}\n${prompt}`;
  let result = results.get(key);
  if (!result) {
    result = sharedImage(client, src, bitmap)
      .then((handle) => client.detect(handle, prompt, { threshold: CANDIDATE_THRESHOLD }))
      .then((r) => r.detections);
    result.catch(() => results.delete(key));
    results.set(key, result);
  }
  return result;
}

export class GlipDetectorElement extends HTMLElement {
  static readonly observedAttributes = ['src', 'prompt', 'model', 'threshold'];

  private readonly canvas = document.createElement('canvas');
  private readonly status = document.createElement('p');
  private image: ImageBitmap | null = null;
  private candidates: Detection[] = [];
  private run = 0;
  private scheduled = false;

  constructor() {
    super();
    const root = this.attachShadow({ mode: 'open' });
    if (!sheet) {
      sheet = new CSSStyleSheet();
      sheet.replaceSync(STYLE);
    }
    root.adoptedStyleSheets = [sheet];
    this.status.setAttribute('part', 'status');
    this.status.setAttribute('role', 'status');
    this.canvas.setAttribute('part', 'canvas');
    this.canvas.setAttribute('role', 'img');
    root.append(this.canvas, this.status);
  }

  /** The detections currently drawn (above `threshold`). */
  get detections(): Detection[] {
    return this.candidates.filter((d) => d.score > this.threshold);
  }

  get threshold(): number {
    const value = Number(this.getAttribute('threshold') ?? DEFAULT_THRESHOLD);
    return Number.isFinite(value) ? value : DEFAULT_THRESHOLD;
  }

  /** The engine this widget uses (shared with every widget of the same model). */
  get engine(): GlipClient {
    return GlipClient.shared(new URL(this.getAttribute('model') ?? DEFAULT_MODEL, document.baseURI).href).client;
  }

  connectedCallback(): void {
    this.schedule();
  }

  attributeChangedCallback(name: string, oldValue: string | null, newValue: string | null): void {
    if (oldValue === newValue || !this.isConnected) return;
    if (name === 'threshold') this.render(this.run > 0 && this.status.textContent === '');
    else this.schedule();
  }

  /** Coalesces attribute changes made together into one run. */
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      void this.detect();
    });
  }

  private async detect(): Promise<void> {
    const src = this.getAttribute('src');
    const prompt = this.getAttribute('prompt')?.trim() ?? '';
    if (!src) return;
    const run = ++this.run;
    const { client, info } = GlipClient.shared(new URL(this.getAttribute('model') ?? DEFAULT_MODEL, document.baseURI).href);
    const absoluteSrc = new URL(src, document.baseURI).href;
    try {
      this.status.textContent = 'Loading…';
      const [bitmap] = await Promise.all([loadBitmap(absoluteSrc), info]);
      if (run !== this.run) return bitmap.close();
      this.image?.close();
      this.image = bitmap;
      this.candidates = [];
      this.render(false);
      if (prompt.length === 0) return void (this.status.textContent = '');
      this.status.textContent = 'Detecting…';
      const candidates = await candidatesFor(client, absoluteSrc, bitmap, prompt);
      if (run !== this.run) return;
      this.candidates = candidates;
      this.status.textContent = '';
      this.render(true);
    } catch (e) {
      if (run !== this.run) return;
      this.status.textContent = `Detection failed: ${e instanceof Error ? e.message : String(e)}`;
      this.dispatchEvent(new CustomEvent('error', { detail: e }));
    }
  }

  /** Draws the image and the detections above `threshold`; `announce` fires the `detections` event. */
  private render(announce: boolean): void {
    if (!this.image) return;
    const phrases = parsePhrases(this.getAttribute('prompt') ?? '');
    const detections = this.detections;
    drawDetections(this.canvas, this.image, detections, (d) => colorOf(phrases, d.phrase, d.charSpan));
    this.canvas.setAttribute('aria-label', `${this.getAttribute('alt') ?? 'image'}: ${detections.map((d) => d.phrase).join(', ') || 'nothing found'}`);
    if (announce) this.dispatchEvent(new CustomEvent<Detection[]>('detections', { detail: detections }));
  }
}

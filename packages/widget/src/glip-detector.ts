// <glip-detector src="photo.jpg" prompt="cat. remote control" model="models/glip-nano/" threshold="0.4">
// Shows the image with the prompt's phrases boxed, re-running when `src`, `prompt` or `model` change
// (a `threshold` change only re-filters). Fires `detections` (detail: Detection[], the engine API's
// JSON). A vocabulary of any length — the `prompt` attribute (a list split at ". ", commas or new
// lines, as the engine parses prompts) or the `prompt` property set to an array of names — runs in
// chunks that fit the model's window (the worker's detectChunked), firing `chunk` (detail: { done,
// total }) as each finishes. Every widget on a page asking for the same model shares one engine worker and one copy of
// the weights; an image `src` is encoded once, and a (src, prompt) pair is detected once. A
// `tuned-prompt` attribute (the URL of a tuned-prompt file: the teach page's download, `webglip tune`'s
// output) detects with that prompt instead: its caption is the prompt (a `prompt` attribute, if given,
// must be the same text) and its offset is added to the caption's language features; a file for another
// model, or a broken one, is a TunedPromptError shown and fired as `error`. Styles are
// constructed stylesheets and nothing is evaluated, so it runs under a strict CSP (see
// packages/widget/README.md).
import { checkTunedCaption, checkTunedPromptModel, ImageInputError, TunedPromptError, type TunedPromptFile } from '@webglip/core/client';
import { aboveThreshold, DEFAULT_THRESHOLD } from '@webglip/core/client';
import { GlipClient, type ImageHandle } from '@webglip/core/client';
import { CANDIDATE_THRESHOLD, type ChunkProgress, type Detection, type EngineInfo, type LoadProgress, type Vocabulary } from '@webglip/core/client';
import { chunkStatus } from './chunk-status.ts';
import { loadStatus } from './load-progress.ts';
import { drawDetections, type DrawnLabel } from './overlay.ts';
import { colorOf, phraseChips, phraseKey, type PhraseChip } from './phrases.ts';
import { sharedTunedPrompt } from './tuned-prompt-source.ts';

const DEFAULT_MODEL = 'models/glip-nano/';

const STYLE = `
:host { display: inline-block; position: relative; max-width: 100%; }
canvas { display: block; max-width: 100%; height: auto; }
[hidden] { display: none !important; }
/* Below the image, as wide as it: they wrap instead of widening the element. */
[part='status'], [part='progress'], [part='legend'] { width: 0; min-width: 100%; box-sizing: border-box; }
[part='status'] { font: 0.85rem system-ui, sans-serif; margin: 0.25rem 0; }
[part='status']:empty { display: none; }
[part='progress'] { display: block; }
[part='legend'] { list-style: none; display: flex; flex-wrap: wrap; gap: 0.3rem; margin: 0.3rem 0 0; padding: 0; }
[part='legend']:empty { display: none; }
[part~='chip'] { font: 600 0.8rem system-ui, sans-serif; color: #000; border: 0; border-radius: 999px; padding: 0.1rem 0.55rem; cursor: pointer; }
[part~='chip'][aria-pressed='false'] { opacity: 0.4; text-decoration: line-through; }
`;

let sheet: CSSStyleSheet | null = null;

/** What one detection run gives a widget: candidate boxes and the engine's phrases. */
interface Candidates {
  detections: Detection[];
  phrases: PhraseChip[];
}

/** Encoded images per engine and absolute `src`, shared by every widget on the page. */
const imageHandles = new WeakMap<GlipClient, Map<string, Promise<ImageHandle>>>();
/** Candidate detections per engine, `src` and prompt: identical widgets run the network once (and all hear its chunks). */
const sharedCandidates = new WeakMap<GlipClient, Map<string, { result: Promise<Candidates>; listeners: Set<(p: ChunkProgress) => void> }>>();
/** Loading progress per model URL, for every widget waiting on that model (one load feeds them all). */
const loading = new Map<string, { last: LoadProgress | null; listeners: Set<(p: LoadProgress) => void> }>();

function progressOf(model: string): { last: LoadProgress | null; listeners: Set<(p: LoadProgress) => void> } {
  let entry = loading.get(model);
  if (!entry) loading.set(model, (entry = { last: null, listeners: new Set() }));
  return entry;
}

/** The page-wide engine of a model URL, its loading progress reported to every widget of it. */
function sharedEngine(model: string): { client: GlipClient; info: Promise<EngineInfo> } {
  return GlipClient.shared(model, {
    onProgress: (p) => {
      const entry = progressOf(model);
      entry.last = p;
      for (const listener of entry.listeners) listener(p);
    },
  });
}

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

/** What a widget asks the engine: a vocabulary (chunked), or a tuned prompt file (its URL and contents). */
type Query = { vocabulary: Vocabulary } | { tuned: { url: string; file: TunedPromptFile } };

function candidatesFor(client: GlipClient, src: string, bitmap: ImageBitmap, query: Query, onChunk: (p: ChunkProgress) => void): Promise<Candidates> {
  let results = sharedCandidates.get(client);
  if (!results) sharedCandidates.set(client, (results = new Map()));
  const key = `${src}\n${'tuned' in query ? `tuned ${query.tuned.url}` : JSON.stringify(query.vocabulary)}`;
  let entry = results.get(key);
  if (!entry) {
    const listeners = new Set<(p: ChunkProgress) => void>();
    const result = sharedImage(client, src, bitmap)
      .then(async (handle): Promise<{ detections: Detection[]; phrases: Parameters<typeof phraseChips>[0] }> => {
        if ('tuned' in query) return client.detectTuned(handle, query.tuned.file, { threshold: CANDIDATE_THRESHOLD });
        return client.detectChunked(handle, query.vocabulary, { threshold: CANDIDATE_THRESHOLD, onChunk: (p) => listeners.forEach((listener) => listener(p)) });
      })
      .then((r) => ({ detections: r.detections, phrases: phraseChips(r.phrases) }));
    result.catch(() => results.delete(key));
    results.set(key, (entry = { result, listeners }));
  }
  const { result, listeners } = entry;
  listeners.add(onChunk);
  result.finally(() => listeners.delete(onChunk)).catch(() => null);
  return result;
}

export class GlipDetectorElement extends HTMLElement {
  static readonly observedAttributes = ['src', 'prompt', 'model', 'threshold', 'tuned-prompt'];

  private readonly canvas = document.createElement('canvas');
  private readonly status = document.createElement('p');
  private readonly bar = document.createElement('progress');
  private readonly legend = document.createElement('ul');
  private image: ImageBitmap | null = null;
  private candidates: Candidates = { detections: [], phrases: [] };
  /** Phrase keys switched off in the legend, and the one hovered (its boxes highlighted). */
  private readonly switchedOff = new Set<string>();
  private hovered: string | null = null;
  private drawn: DrawnLabel[] = [];
  private run = 0;
  private scheduled = false;
  /** Names set through the `prompt` property (null: the `prompt` attribute is the prompt). */
  private vocabulary: readonly string[] | null = null;

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
    this.bar.setAttribute('part', 'progress');
    this.bar.hidden = true;
    this.canvas.setAttribute('part', 'canvas');
    this.canvas.setAttribute('role', 'img');
    this.legend.setAttribute('part', 'legend');
    this.legend.setAttribute('aria-label', 'Phrases');
    root.append(this.canvas, this.legend, this.status, this.bar);
  }

  /** The detections above `threshold` (the `detections` event's; a phrase switched off in the legend is only not drawn). */
  get detections(): Detection[] {
    return aboveThreshold(this.candidates.detections, this.threshold);
  }

  /** The phrases the engine grounded in the prompt, as the legend shows them. */
  get phrases(): PhraseChip[] {
    return this.candidates.phrases;
  }

  /** The box labels drawn last: which detection (index into `detections`), where, and their text. */
  get labels(): DrawnLabel[] {
    return this.drawn;
  }

  /** The prompt: the `prompt` attribute, or the list of names last set here (an array runs as a category list: a repeated name is an error). */
  get prompt(): Vocabulary {
    return this.vocabulary ?? this.getAttribute('prompt') ?? '';
  }

  set prompt(value: Vocabulary) {
    if (typeof value === 'string') this.setAttribute('prompt', value);
    this.vocabulary = typeof value === 'string' ? null : [...value];
    if (this.isConnected) this.schedule(); // coalesced with the attribute's own
  }

  get threshold(): number {
    const value = Number(this.getAttribute('threshold') ?? DEFAULT_THRESHOLD);
    return Number.isFinite(value) ? value : DEFAULT_THRESHOLD;
  }

  /** The engine this widget uses (shared with every widget of the same model). */
  get engine(): GlipClient {
    return sharedEngine(this.modelUrl()).client;
  }

  connectedCallback(): void {
    this.schedule();
  }

  attributeChangedCallback(name: string, oldValue: string | null, newValue: string | null): void {
    if (oldValue === newValue || !this.isConnected) return;
    if (name === 'threshold') this.render(this.run > 0 && this.status.textContent === '');
    else {
      if (name === 'prompt') this.vocabulary = null;
      this.schedule();
    }
  }

  private modelUrl(): string {
    return new URL(this.getAttribute('model') ?? DEFAULT_MODEL, document.baseURI).href;
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
    const prompt = this.vocabulary ?? this.getAttribute('prompt')?.trim() ?? '';
    if (!src) return;
    const run = ++this.run;
    const model = this.modelUrl();
    const { client, info } = sharedEngine(model);
    const absoluteSrc = new URL(src, document.baseURI).href;
    const progress = progressOf(model);
    const showProgress = (p: LoadProgress): void => {
      if (run !== this.run) return;
      const { text, value, max } = loadStatus(p);
      this.status.textContent = text;
      this.bar.hidden = p.phase === 'done';
      this.bar.max = max;
      this.bar.value = value;
      this.dispatchEvent(new CustomEvent<LoadProgress>('progress', { detail: p }));
    };
    try {
      this.status.textContent = 'Loading the model…';
      progress.listeners.add(showProgress);
      if (progress.last) showProgress(progress.last);
      const tunedUrl = this.getAttribute('tuned-prompt');
      const absoluteTuned = tunedUrl ? new URL(tunedUrl, document.baseURI).href : null;
      const [bitmap, engine, tuned] = await Promise.all([
        loadBitmap(absoluteSrc),
        info.finally(() => progress.listeners.delete(showProgress)),
        absoluteTuned ? sharedTunedPrompt(absoluteTuned) : null,
      ]);
      this.bar.hidden = true;
      if (run !== this.run) return bitmap.close();
      this.image?.close();
      this.image = bitmap;
      this.candidates = { detections: [], phrases: [] };
      this.render(false);
      let query: Query = { vocabulary: prompt };
      if (tuned) {
        if (engine.modelSha256 === null) throw new TunedPromptError('other-model', 'the engine did not say which model it loaded, so a tuned prompt cannot be checked against it');
        checkTunedPromptModel(tuned, engine.modelSha256);
        if (typeof prompt !== 'string') throw new TunedPromptError('other-caption', 'a tuned prompt brings its own caption: leave the prompt list out when `tuned-prompt` is set');
        if (prompt !== '') checkTunedCaption(tuned, prompt, 'the prompt attribute');
        query = { tuned: { url: absoluteTuned!, file: tuned } };
      } else if (prompt === '') return void (this.status.textContent = '');
      this.status.textContent = 'Detecting…';
      const showChunk = (p: ChunkProgress): void => {
        if (run !== this.run) return;
        const text = chunkStatus(p);
        if (text) this.status.textContent = text;
        this.dispatchEvent(new CustomEvent<ChunkProgress>('chunk', { detail: p }));
      };
      const candidates = await candidatesFor(client, absoluteSrc, bitmap, query, showChunk);
      if (run !== this.run) return;
      this.candidates = candidates;
      this.switchedOff.clear();
      this.hovered = null;
      this.status.textContent = '';
      this.renderLegend();
      this.render(true);
    } catch (e) {
      if (run !== this.run) return;
      this.bar.hidden = true;
      this.status.textContent = `Detection failed: ${e instanceof Error ? e.message : String(e)}`;
      this.dispatchEvent(new CustomEvent('error', { detail: e }));
    }
  }

  /** One chip per engine phrase: hover or focus highlights its boxes, a click switches them off and on. */
  private renderLegend(): void {
    this.legend.replaceChildren(
      ...this.candidates.phrases.map((phrase) => {
        const key = phraseKey(phrase);
        const chip = document.createElement('button');
        chip.type = 'button';
        chip.setAttribute('part', 'chip');
        chip.setAttribute('aria-pressed', 'true');
        chip.textContent = phrase.text;
        chip.style.background = phrase.color;
        const hover = (on: boolean) => () => {
          this.hovered = on ? key : null;
          this.render(false);
        };
        chip.addEventListener('pointerenter', hover(true));
        chip.addEventListener('pointerleave', hover(false));
        chip.addEventListener('focus', hover(true));
        chip.addEventListener('blur', hover(false));
        chip.addEventListener('click', () => {
          if (!this.switchedOff.delete(key)) this.switchedOff.add(key);
          chip.setAttribute('aria-pressed', String(!this.switchedOff.has(key)));
          this.render(false);
        });
        const item = document.createElement('li');
        item.append(chip);
        return item;
      }),
    );
  }

  /** Draws the image and the detections above `threshold`; `announce` fires the `detections` event. */
  private render(announce: boolean): void {
    if (!this.image) return;
    const { phrases } = this.candidates;
    const detections = this.detections;
    const hovered = this.hovered;
    this.drawn = drawDetections(this.canvas, this.image, detections, {
      color: (d) => colorOf(phrases, d),
      hidden: (d) => this.switchedOff.has(phraseKey(d)),
      highlighted: hovered === null ? null : (d) => phraseKey(d) === hovered,
    });
    const shown = detections.filter((d) => !this.switchedOff.has(phraseKey(d)));
    this.canvas.setAttribute('aria-label', `${this.getAttribute('alt') ?? 'image'}: ${shown.map((d) => d.phrase).join(', ') || 'nothing found'}`);
    if (announce) this.dispatchEvent(new CustomEvent<Detection[]>('detections', { detail: detections }));
  }
}

// The demo page: loads the shipped model in the engine worker, takes an image and a prompt, draws
// the detections in each phrase's colour. The threshold slider only re-filters the last result.
// State is published on `window.__webglip` for the end-to-end tests.
import { GlipClient, type ImageHandle } from '@webglip/core/worker/client.ts';
import type { BackendRequest, Detection, EngineCounters, EngineInfo, LoadProgress, ModelFileBytes } from '@webglip/core/worker/protocol.ts';
import { drawDetections } from '@webglip/widget/overlay.ts';
import { colorOf, parsePhrases, type Phrase } from '@webglip/widget/phrases.ts';
import { watchImageSources } from './image-sources.ts';
import { TimingsPanel } from './timings.ts';

/** The model the demo ships with, relative to the page. */
const SHIPPED_MODEL = 'models/glip-nano/';

export interface DemoState {
  status: 'loading' | 'ready' | 'missing' | 'error';
  info: EngineInfo | null;
  /** Detections currently drawn. */
  detections: Detection[];
  /** Completed `detect` calls. */
  detectRuns: number;
  error: string | null;
  counters(): Promise<EngineCounters>;
}

declare global {
  interface Window {
    __webglip?: DemoState;
  }
}

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

const client = new GlipClient();
const timings = new TimingsPanel($('timings'));
const state: DemoState = { status: 'loading', info: null, detections: [], detectRuns: 0, error: null, counters: () => client.counters() };
window.__webglip = state;

let ready: Promise<EngineInfo | null> = Promise.resolve(null);
let image: ImageBitmap | null = null;
let handle: Promise<ImageHandle> | null = null;
let phrases: Phrase[] = [];

const promptInput = $<HTMLInputElement>('prompt');
const threshold = $<HTMLInputElement>('threshold');
const canvas = $<HTMLCanvasElement>('canvas');

function showError(message: string | null): void {
  const banner = $('model-error');
  banner.hidden = message === null;
  banner.textContent = message ?? '';
  state.error = message;
}

function setStatus(status: DemoState['status'], text: string): void {
  state.status = status;
  $('model-status').textContent = text;
}

function showProgress(p: LoadProgress): void {
  const bar = $<HTMLProgressElement>('load-progress');
  bar.hidden = p.phase === 'done';
  if (p.phase === 'compile' && p.pipelines) {
    bar.max = Math.max(1, p.pipelines.total);
    bar.value = p.pipelines.compiled;
    setStatus('loading', `Compiling GPU pipelines: compile ${p.pipelines.compiled}/${p.pipelines.total}…`);
    return;
  }
  bar.max = Math.max(1, p.totalBytes);
  bar.value = p.loadedBytes;
  const mb = (n: number): string => (n / 1e6).toFixed(1);
  const what = { manifest: 'Reading the manifest', download: p.fromCache ? 'Reading cached weights' : 'Downloading weights', decode: 'Preparing weights', compile: 'Compiling GPU pipelines', done: 'Weights ready' }[p.phase];
  setStatus('loading', `${what}${p.totalBytes ? `: ${mb(p.loadedBytes)} / ${mb(p.totalBytes)} MB` : ''}${p.shard ? ` (${p.shard})` : ''}…`);
}

function showBackend(info: EngineInfo): void {
  const banner = $('backend-warning');
  banner.hidden = info.backend === 'webgpu';
  const softwareGpu = info.backend === 'wasm' && info.fallbackReason === undefined && /software/.test(info.backendReason);
  banner.textContent =
    info.backend === 'webgpu'
      ? ''
      : softwareGpu
        ? `This device's WebGPU is a software renderer, so detection runs on WebAssembly, which is faster there. (${info.backendReason})`
        : `WebGPU is not available here, so detection runs on the ${info.backend === 'wasm' ? 'WebAssembly' : 'plain JavaScript'} backend and will be much slower. (${info.fallbackReason ?? info.backendReason})`;
}

/** `?backend=webgpu|wasm|cpu|auto` overrides the engine's choice (default auto). */
function requestedBackend(): BackendRequest | undefined {
  const value = new URLSearchParams(location.search).get('backend');
  return value === 'webgpu' || value === 'wasm' || value === 'cpu' || value === 'auto' ? value : undefined;
}

async function loadModel(model: string | ModelFileBytes, label: string): Promise<void> {
  showError(null);
  state.status = 'loading';
  setStatus('loading', `Loading ${label}…`);
  ready = client.load(model, { onProgress: showProgress, backend: requestedBackend() }).then(
    (info) => {
      state.info = info;
      showBackend(info);
      timings.loaded(info);
      setStatus('ready', `${label} is ready (${info.backend}: ${info.backendReason}).`);
      $<HTMLProgressElement>('load-progress').hidden = true;
      return info;
    },
    (e: unknown) => {
      setStatus('error', `Could not load ${label}.`);
      showError(e instanceof Error ? `${e.name}: ${e.message}` : String(e));
      return null;
    },
  );
  await ready;
  if (image) void detect();
}

async function loadShippedModel(): Promise<void> {
  const probe = await fetch(new URL(`${SHIPPED_MODEL}config.json`, document.baseURI)).catch(() => null);
  if (!probe?.ok) {
    setStatus('missing', `Model not found: ${SHIPPED_MODEL} is not part of this site.`);
    showError(`The shipped model (${SHIPPED_MODEL}) was not found. Train and export it (tools/train), or load another model below.`);
    ready = Promise.resolve(null);
    return;
  }
  await loadModel(SHIPPED_MODEL, 'glip-nano');
}

function renderPhrases(): void {
  phrases = parsePhrases(promptInput.value);
  $('phrases').replaceChildren(
    ...phrases.map((p) => {
      const chip = document.createElement('li');
      chip.textContent = p.text;
      chip.style.background = p.color;
      return chip;
    }),
  );
}

function show(detections: Detection[]): void {
  state.detections = detections;
  if (!image) return;
  drawDetections(canvas, image, detections, (d) => colorOf(phrases, d.phrase, d.charSpan));
  canvas.setAttribute('aria-label', detections.length === 0 ? 'Image, nothing found' : `Image with ${detections.length} detections`);
  $('detections').replaceChildren(
    ...detections.map((d) => {
      const item = document.createElement('li');
      const [x0, y0, x1, y1] = d.box.map(Math.round);
      item.textContent = `${d.phrase} — ${d.score.toFixed(2)} at (${x0}, ${y0})–(${x1}, ${y1})`;
      item.style.borderLeft = `0.6em solid ${colorOf(phrases, d.phrase, d.charSpan)}`;
      item.style.paddingLeft = '0.4em';
      return item;
    }),
  );
}

async function detect(): Promise<void> {
  const prompt = promptInput.value.trim();
  if (!handle || prompt.length === 0 || (await ready) === null) return;
  try {
    const result = await client.detect(await handle, prompt, { threshold: Number(threshold.value) });
    state.detectRuns++;
    const warning = $('prompt-warning');
    warning.hidden = result.promptWarning === null;
    warning.textContent = result.promptWarning ?? '';
    timings.inferred(result.timings);
    show(result.detections);
  } catch (e) {
    showError(e instanceof Error ? `${e.name}: ${e.message}` : String(e));
  }
}

function useImage(bitmap: ImageBitmap): void {
  image?.close();
  image = bitmap;
  show([]);
  // The worker takes its own copy: the page keeps `image` for drawing.
  handle = ready.then((info) => (info ? client.encodeImage(bitmap) : Promise.reject(new Error('no model loaded'))));
  handle.catch(() => null);
  void detect();
}

watchImageSources(
  { dropZone: $('drop-zone'), fileInput: $('image-file'), webcamButton: $('webcam'), captureButton: $('webcam-capture'), video: $('webcam-video') },
  useImage,
  showError,
);

promptInput.addEventListener('input', renderPhrases);
$('prompt-form').addEventListener('submit', (event) => {
  event.preventDefault();
  void detect();
});

threshold.addEventListener('input', async () => {
  $('threshold-value').textContent = Number(threshold.value).toFixed(2);
  if (state.detectRuns > 0) show(await client.rethreshold(Number(threshold.value)));
});

$('model-url-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const url = $<HTMLInputElement>('model-url').value;
  void loadModel(url, url);
});

$<HTMLInputElement>('model-folder').addEventListener('change', async (event) => {
  const files = (event.target as HTMLInputElement).files;
  if (!files || files.length === 0) return;
  try {
    const { folderFiles } = await import('./model-sources.ts');
    await loadModel(await folderFiles(files), files[0].webkitRelativePath.split('/')[0] || 'local model');
  } catch (e) {
    showError(e instanceof Error ? e.message : String(e));
  }
});

$('pth-convert').addEventListener('click', async () => {
  const checkpoint = $<HTMLInputElement>('pth-file').files?.[0];
  if (!checkpoint) return showError('Choose a checkpoint file first.');
  const bar = $<HTMLProgressElement>('convert-progress');
  bar.hidden = false;
  try {
    setStatus('loading', `Converting ${checkpoint.name} in this page…`);
    const { convertInPage } = await import('./model-sources.ts'); // the converter loads only when used
    const configs = { yaml: $<HTMLInputElement>('pth-yaml').files?.[0], bert: $<HTMLInputElement>('pth-bert').files?.[0] };
    const files = await convertInPage(checkpoint, configs, (f) => (bar.value = f));
    await loadModel(files, checkpoint.name);
  } catch (e) {
    setStatus('error', `Could not convert ${checkpoint.name}.`);
    showError(e instanceof Error ? `${e.name}: ${e.message}` : String(e));
  } finally {
    bar.hidden = true;
  }
});

if (!('gpu' in navigator)) {
  const banner = $('backend-warning');
  banner.hidden = false;
  banner.textContent = 'This browser has no WebGPU: detection will fall back to WebAssembly and be much slower.';
}
renderPhrases();
void loadShippedModel();

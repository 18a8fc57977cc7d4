// The demo page: loads the shipped model in the engine worker, takes an image and a prompt, draws
// the detections in each phrase's colour. The threshold slider only re-filters the last result.
// A prompt of any length (a preset or a pasted list of hundreds of names) runs through the worker's
// detectChunked: the image encoded once, the vocabulary in chunks that fit the window, each reported.
// State is published on `window.__webglip` for the end-to-end tests.
import { GlipClient, type ImageHandle } from '@webglip/core/client';
import { type ChunkProgress, DEFAULT_THRESHOLD, type Detection, type DetectorCounters, type EngineInfo, type LoadProgress, type ModelFileBytes } from '@webglip/core/client';
import type { DrawnLabel } from '@webglip/widget/overlay.ts';
import { LiveCamera, type LiveStats } from './camera.ts';
import { enableExports, watchExports, type ExportButtons } from './export.ts';
import { showGallery, type Example } from './gallery.ts';
import { bitmapFromBlob, watchImageSources } from './image-sources.ts';
import { ResultView } from './overlay.ts';
import { TimingsPanel } from './timings.ts';
import { isOnSite, requestedBackend, requestedModel, SHIPPED_MODELS, type ShippedModel } from './shipped-models.ts';
import { presetPrompt, VOCABULARY_PRESETS } from './vocabulary-presets.ts';


export interface DemoState {
  status: 'loading' | 'ready' | 'missing' | 'error';
  info: EngineInfo | null;
  /** Detections currently drawn. */
  detections: Detection[];
  /** Completed `detect` calls. */
  detectRuns: number;
  /** The chunk reports of the last detection, in order (one chunk for a prompt that fits the window). */
  chunkProgress: ChunkProgress[];
  error: string | null;
  /** The example gallery as listed (public/examples/examples.json). */
  examples: Example[];
  live: LiveStats;
  /** Their labels as drawn on the canvas. */
  labels(): DrawnLabel[];
  counters(): Promise<DetectorCounters>;
}

declare global {
  interface Window {
    __webglip?: DemoState;
  }
}

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

const client = new GlipClient();
const timings = new TimingsPanel($('timings'));
const camera = new LiveCamera({ button: $('webcam'), video: $('webcam-video'), status: $('camera-status') }, detectFrame, showError);
const view = new ResultView({ canvas: $<HTMLCanvasElement>('canvas'), chips: $('phrases'), list: $('detections') });
const state: DemoState = { status: 'loading', info: null, detections: [], labels: () => view.labels, detectRuns: 0, chunkProgress: [], error: null, examples: [], live: camera.stats, counters: () => client.counters() };
window.__webglip = state;

let ready: Promise<EngineInfo | null> = Promise.resolve(null);
let image: ImageBitmap | null = null;
let handle: Promise<ImageHandle> | null = null;
/** The backbone run of the image set last, in ms, until a detection on it has reported it (null: none ran). */
let backboneWhenSet: number | null = null;

const promptInput = $<HTMLTextAreaElement>('prompt');
const presetSelect = $<HTMLSelectElement>('vocabulary-preset');
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
  if (p.phase === 'manifest') bar.value = 0;
  if (p.phase === 'compile' && p.pipelines) {
    bar.max = Math.max(1, p.pipelines.total);
    bar.value = p.pipelines.compiled;
    setStatus('loading', `Compiling GPU pipelines: compile ${p.pipelines.compiled}/${p.pipelines.total}…`);
    return;
  }
  bar.max = Math.max(1, p.totalBytes);
  // A retried shard restarts at its first byte: the bar holds its furthest point and the text says "retrying".
  bar.value = p.retry ? Math.max(bar.value, p.loadedBytes) : p.loadedBytes;
  const mb = (n: number): string => (n / 1e6).toFixed(1);
  const downloading = p.retry ? `Download failed, retrying (attempt ${p.retry + 1})` : 'Downloading weights';
  const what = { manifest: 'Reading the manifest', download: p.fromCache ? 'Reading cached weights' : downloading, decode: 'Preparing weights', compile: 'Compiling GPU pipelines', done: 'Weights ready' }[p.phase];
  setStatus('loading', `${what}${p.totalBytes ? `: ${mb(p.loadedBytes)} / ${mb(p.totalBytes)} MB` : ''}${p.shard ? ` (${p.shard})` : ''}…`);
}

function showBackend(info: EngineInfo): void {
  const banner = $('backend-warning');
  banner.hidden = info.backend === 'webgpu';
  // What runs and why: on a software WebGPU adapter (a CPU emulation) WebAssembly measured faster, so
  // the engine's automatic choice takes it; otherwise WebGPU was not available at all.
  const softwareGpu = info.backend === 'wasm' && info.fallbackReason === undefined && /software/.test(info.backendReason);
  banner.textContent =
    info.backend === 'webgpu'
      ? ''
      : softwareGpu
        ? `This device's WebGPU is a software renderer, so detection runs on WebAssembly, which is faster there. (${info.backendReason})`
        : `WebGPU is not available here, so detection runs on the CPU, through tfjs's ${info.backend === 'wasm' ? 'WebAssembly' : 'plain JavaScript'} backend. (${info.fallbackReason ?? info.backendReason})`;
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

/** A model this site ships (`?model=`, or the picker's choice; default glip-nano). */
async function loadShippedModel(model: ShippedModel): Promise<void> {
  if (!(await isOnSite(model))) {
    setStatus('missing', `Model not found: ${model.folder} is not part of this site.`);
    showError(`The shipped model (${model.folder}) was not found. Train and export it (tools/train), or load another model below.`);
    ready = Promise.resolve(null);
    return;
  }
  await loadModel(model.folder, model.id);
}

function renderPhrases(): void {
  view.setPrompt(promptInput.value);
}

function show(detections: Detection[]): void {
  state.detections = detections;
  enableExports(exportButtons, image !== null && state.detectRuns > 0);
  if (image) view.show(image, detections);
}

/** Chunk i of k of the running detection; shown only for a vocabulary that needs more than one chunk. */
function showChunk(progress: ChunkProgress | null): void {
  if (progress) state.chunkProgress.push(progress);
  const many = progress !== null && progress.total > 1;
  const status = $('chunk-status');
  const bar = $<HTMLProgressElement>('chunk-progress');
  status.hidden = !many;
  bar.hidden = !many || progress.done === progress.total;
  if (!many) return;
  bar.max = progress.total;
  bar.value = progress.done;
  status.textContent =
    progress.done < progress.total
      ? `Long vocabulary: chunk ${progress.done} of ${progress.total} done (the image is encoded once)…`
      : `Detected in ${progress.total} chunks of up to 40 names: chunk ${progress.done} of ${progress.total} done, the image encoded once.`;
}

/** Says why Detect cannot run yet (null: it can). */
function showInputHint(hint: string | null): void {
  const el = $('input-hint');
  el.hidden = hint === null;
  el.textContent = hint ?? '';
}

async function detect(): Promise<void> {
  const prompt = promptInput.value.trim();
  showInputHint(prompt.length === 0 ? 'Type what to find first, e.g. “red circle. blue star.”' : !handle ? 'Choose an image first, or try an example.' : null);
  if (!handle || prompt.length === 0 || (await ready) === null) return;
  try {
    const imageHandle = await handle;
    state.chunkProgress = [];
    showChunk(null);
    const result = await client.detectChunked(imageHandle, prompt, { threshold: Number(threshold.value), onChunk: showChunk });
    view.setPhrases(result.phrases);
    const backbone = backboneWhenSet;
    backboneWhenSet = null;
    state.detectRuns++;
    const warning = $('prompt-warning');
    warning.hidden = result.promptWarning === null;
    warning.textContent = result.promptWarning ?? '';
    timings.inferred(result.timings, backbone);
    show(result.detections);
  } catch (e) {
    showError(e instanceof Error ? `${e.name}: ${e.message}` : String(e));
  }
}

/** Sends an image to the engine; says how long its backbone took when it ran (null: the engine had it cached). */
async function encodeTimed(bitmap: ImageBitmap): Promise<{ handle: ImageHandle; backboneMs: number | null }> {
  const before = await client.counters();
  const started = performance.now();
  const encoded = await client.encodeImage(bitmap);
  const backboneMs = performance.now() - started;
  return { handle: encoded, backboneMs: (await client.counters()).backboneRuns > before.backboneRuns ? backboneMs : null };
}

function useImage(bitmap: ImageBitmap): void {
  camera.stop('another image was chosen');
  image?.close();
  image = bitmap;
  show([]);
  // The worker takes its own copy: the page keeps `image` for drawing.
  backboneWhenSet = null;
  handle = ready.then(async (info) => {
    if (!info) throw new Error('no model loaded');
    const encoded = await encodeTimed(bitmap);
    backboneWhenSet = encoded.backboneMs;
    return encoded.handle;
  });
  handle.catch(() => null);
  void detect();
}

/** One round of the live camera: the frame becomes the image, detected with the prompt as it reads now. */
async function detectFrame(frame: ImageBitmap): Promise<void> {
  const prompt = promptInput.value.trim();
  if ((await ready) === null || prompt.length === 0) {
    frame.close();
    return;
  }
  const encoded = await encodeTimed(frame);
  const result = await client.detectChunked(encoded.handle, prompt, { threshold: Number(threshold.value) });
  view.setPhrases(result.phrases);
  image?.close();
  image = frame;
  handle = Promise.resolve(encoded.handle);
  backboneWhenSet = null;
  state.detectRuns++;
  timings.inferred(result.timings, encoded.backboneMs);
  show(result.detections);
}

function useExample(example: Example, file: Blob): void {
  promptInput.value = example.prompt;
  presetSelect.value = '';
  renderPhrases();
  bitmapFromBlob(file).then(useImage, (e: unknown) => showError(e instanceof Error ? e.message : String(e)));
}

watchImageSources({ dropZone: $('drop-zone'), fileInput: $('image-file') }, useImage, showError);

const exportButtons: ExportButtons = { json: $('export-json'), coco: $('export-coco'), png: $('export-png'), copy: $('export-copy'), status: $('export-status') };
watchExports(exportButtons, () => (image && state.detectRuns > 0 ? { detections: state.detections, phrases: view.phrases, canvas } : null));

promptInput.addEventListener('input', () => {
  presetSelect.value = '';
  renderPhrases();
});
// Enter detects, as in a one-line box; Shift+Enter starts a new line of a list.
promptInput.addEventListener('keydown', (event) => {
  if (event.key !== 'Enter' || event.shiftKey || event.isComposing) return;
  event.preventDefault();
  $<HTMLFormElement>('prompt-form').requestSubmit();
});
presetSelect.append(...VOCABULARY_PRESETS.map((preset) => new Option(`${preset.label} (${preset.names.length} names)`, preset.id)));
presetSelect.addEventListener('change', () => {
  const preset = VOCABULARY_PRESETS.find((p) => p.id === presetSelect.value);
  if (!preset) return;
  promptInput.value = presetPrompt(preset);
  renderPhrases();
  if (handle) void detect();
});
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
  banner.textContent = 'This browser has no WebGPU: detection will run on the CPU, through WebAssembly.';
}
threshold.value = String(DEFAULT_THRESHOLD);
$('threshold-value').textContent = $('threshold-default').textContent = DEFAULT_THRESHOLD.toFixed(2);
void showGallery($('examples'), useExample, showError).then((examples) => (state.examples = examples));
renderPhrases();
const modelPicker = $<HTMLSelectElement>('shipped-model');
modelPicker.replaceChildren(...SHIPPED_MODELS.map((m) => new Option(m.description, m.id)));
modelPicker.value = requestedModel().id;
/** The teach page tunes for the model picked here. */
const linkTeachPage = (model: ShippedModel): void => void ($<HTMLAnchorElement>('teach-link').search = `?model=${model.id}`);
linkTeachPage(requestedModel());
modelPicker.addEventListener('change', () => {
  const model = SHIPPED_MODELS.find((m) => m.id === modelPicker.value)!;
  const url = new URL(location.href);
  url.searchParams.set('model', model.id);
  history.replaceState(null, '', url);
  linkTeachPage(model);
  void loadShippedModel(model);
});
void loadShippedModel(requestedModel());

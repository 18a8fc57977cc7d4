// Teach mode (web/teach.html): the user adds a few images, draws and names boxes (or loads COCO
// annotations), tunes the prompt made of those names in the engine's worker, watches the loss per
// step, and compares detections before and after tuning on a held-out image. Nothing leaves the page. State is published on
// `window.__webglipTeach` for the end-to-end test.
import { DEFAULT_THRESHOLD, EvalDataError, GlipClient, checkTunedPromptModel, decodeImage, decodeTunedPrompt, encodeTunedPrompt, parsePrompt, tunedPromptFileOf, type DecodedImage, type Detection, type ImageHandle, type TunedPromptData, type TunedPromptFile, type TuneExample, type TuneOutcome, type TuneProgress } from '@webglip/core/client';
import { drawDetections } from '@webglip/widget/overlay.ts';
import { colorOf, promptChips } from '@webglip/widget/phrases.ts';
import { BoxEditor, type TeachImage } from './box-editor.ts';
import { baseName, cocoBoxes, type BoxesByFile } from './coco-boxes.ts';
import { LossChart } from './loss-chart.ts';
import { isOnSite, requestedBackend, requestedModel } from '../shipped-models.ts';

/** The model the demo ships with, relative to the page. */

export interface TeachState {
  status: 'loading' | 'ready' | 'missing' | 'error';
  error: string | null;
  /** Every step's progress of the last tuning run, as shown. */
  progress: TuneProgress[];
  tuning: boolean;
  /** The last run's outcome (its caption, steps and final loss). */
  tuned: { caption: string; steps: number; finalLoss: number; cancelled: boolean } | null;
  before: Detection[];
  after: Detection[];
  /** Completed before/after comparisons. */
  compareRuns: number;
}

declare global {
  interface Window {
    __webglipTeach?: TeachState;
  }
}

interface Example extends TeachImage {
  pixels: DecodedImage;
}

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

const client = new GlipClient();
const state: TeachState = { status: 'loading', error: null, progress: [], tuning: false, tuned: null, before: [], after: [], compareRuns: 0 };
window.__webglipTeach = state;

const examples: Example[] = [];
let selected: Example | null = null;
let tuned: TunedPromptData | null = null;
/** The last run (or loaded file) as a tuned-prompt file, for the download. */
let tunedFile: TunedPromptFile | null = null;
/** The loaded model's identity: tuned-prompt files name it. */
let modelSha256: string | null = null;
let heldOut: { bitmap: ImageBitmap; handle: Promise<ImageHandle> } | null = null;
let cancelRun: AbortController | null = null;
/** The last COCO file's boxes by image file name: they also name the boxes of images added after it. */
let coco: { file: string; boxes: BoxesByFile } | null = null;

const editor = new BoxEditor({ canvas: $('teach-canvas'), name: $('teach-name'), list: $('teach-boxes'), corners: $<HTMLFormElement>('teach-corners') }, () => {
  renderThumbs();
  updatePrompt();
});
const chart = new LossChart(document.getElementById('teach-loss') as unknown as SVGSVGElement, $('teach-loss-table'));
const startButton = $<HTMLButtonElement>('teach-start');
const cancelButton = $<HTMLButtonElement>('teach-cancel');
const message = (e: unknown): string => (e instanceof Error ? `${e.name}: ${e.message}` : String(e));

function showError(text: string | null): void {
  const banner = $('teach-error');
  banner.hidden = text === null;
  banner.textContent = text ?? '';
  state.error = text;
}

/** The names of all named boxes, in the order they were first used: the prompt to tune. */
function names(): string[] {
  return [...new Set(examples.flatMap((e) => e.boxes.map((b) => b.phrase)).filter((p) => p !== ''))];
}

function prompt(): string {
  return names().join('. ');
}

function updatePrompt(): void {
  $('teach-prompt').textContent = prompt() || '—';
  const unnamed = examples.some((e) => e.boxes.some((b) => b.phrase === ''));
  startButton.disabled = state.status !== 'ready' || state.tuning || names().length === 0 || unnamed;
  startButton.title = unnamed ? 'Name every box first' : names().length === 0 ? 'Draw and name a box first' : '';
}

function select(example: Example | null): void {
  selected = example;
  editor.edit(example);
  renderThumbs();
}

function renderThumbs(): void {
  $('teach-thumbs').replaceChildren(
    ...examples.map((example, i) => {
      const button = document.createElement('button');
      button.type = 'button';
      button.textContent = `${i + 1}. ${example.name} (${example.boxes.length})`;
      button.setAttribute('aria-pressed', String(example === selected));
      button.addEventListener('click', () => select(example));
      const item = document.createElement('li');
      item.append(button);
      return item;
    }),
  );
}

async function addImage(file: File): Promise<void> {
  const pixels = await decodeImage(file);
  const bitmap = await createImageBitmap(new ImageData(pixels.data as Uint8ClampedArray<ArrayBuffer>, pixels.width, pixels.height));
  const example: Example = { name: baseName(file.name || `pasted-${examples.length + 1}.png`), bitmap, pixels, boxes: [] };
  examples.push(example);
  applyCoco([example]);
  select(example);
  updatePrompt();
}

/** Gives each of `targets` that the COCO file lists its boxes from there; says how many added images it covers and which it lists that are not added. */
function applyCoco(targets: Example[]): void {
  if (!coco) return;
  for (const example of targets) {
    const boxes = coco.boxes.get(example.name);
    if (boxes) example.boxes = boxes.map((b) => ({ box: [...b.box], phrase: b.phrase }));
  }
  const matched = examples.filter((e) => coco!.boxes.has(e.name)).length;
  const missing = [...coco.boxes.keys()].filter((name) => !examples.some((e) => e.name === name));
  $('teach-coco-status').textContent = `${coco.file}: boxes for ${matched} of the added images.` + (missing.length ? ` Add these images to use their boxes: ${missing.join(', ')}.` : '');
}

function addImages(files: Iterable<File>): void {
  for (const file of files) addImage(file).catch((e: unknown) => showError(message(e)));
}

/** Reads a COCO file: its boxes replace those of the added images it lists, and name those of the images it lists added later. */
async function loadCoco(file: File): Promise<void> {
  let json: unknown;
  try {
    json = JSON.parse(await file.text());
  } catch (e) {
    throw new EvalDataError(`${file.name} is not a JSON file (${e instanceof Error ? e.message : String(e)}): choose a COCO instances .json`);
  }
  coco = { file: file.name, boxes: cocoBoxes(json, file.name) };
  applyCoco(examples);
  editor.refresh();
  renderThumbs();
  updatePrompt();
}

function showProgress(p: TuneProgress): void {
  state.progress.push(p);
  chart.add({ step: p.step, loss: p.loss });
  const parts = Object.entries(p.parts).map(([name, value]) => `${name} ${value.toFixed(4)}`).join(', ');
  $('teach-progress').textContent = `Step ${p.step} of ${p.steps}: loss ${p.loss.toFixed(4)}${parts ? ` (${parts})` : ''}, ${p.examplesPerSecond.toFixed(1)} examples/s`;
}

async function tune(): Promise<void> {
  const steps = Math.max(1, Math.round(Number($<HTMLInputElement>('teach-steps').value)));
  const learningRate = Number($<HTMLInputElement>('teach-lr').value);
  const training: TuneExample[] = examples.filter((e) => e.boxes.length > 0).map((e) => ({ image: e.pixels, boxes: e.boxes }));
  showError(null);
  state.progress = [];
  state.tuning = true;
  chart.reset(steps);
  cancelRun = new AbortController();
  cancelButton.disabled = false;
  updatePrompt();
  $('teach-progress').textContent = `Preparing ${training.length} image${training.length === 1 ? '' : 's'}…`;
  try {
    const outcome: TuneOutcome = await client.tune(training, prompt(), { steps, learningRate, onProgress: showProgress, signal: cancelRun.signal });
    tuned = outcome;
    state.tuned = { caption: outcome.caption, steps: outcome.steps, finalLoss: outcome.finalLoss, cancelled: outcome.cancelled };
    $('teach-progress').textContent = `${outcome.cancelled ? 'Cancelled' : 'Done'} after ${outcome.steps} step${outcome.steps === 1 ? '' : 's'}: loss ${outcome.finalLoss.toFixed(4)}.`;
    if (modelSha256 !== null) {
      const { examples, steps: asked, learningRate: lr, weightDecay, batchSize } = outcome.settings;
      const phrases = parsePrompt(outcome.caption).phrases.map((p) => p.charSpan); // as the engine parsed the prompt it tuned
      tunedFile = tunedPromptFileOf(outcome, { modelSha256, phrases, dtype: 'f32', training: { examples, shots: null, steps: asked, learningRate: lr, weightDecay, batchSize } });
    }
    $<HTMLButtonElement>('teach-download').disabled = tunedFile === null;
    void compare();
  } catch (e) {
    showError(message(e));
    $('teach-progress').textContent = 'Tuning stopped.';
  } finally {
    state.tuning = false;
    cancelRun = null;
    cancelButton.disabled = true;
    updatePrompt();
  }
}

/** Detections on the held-out image with the plain caption (before) and with the tuned offset (after). */
async function compare(): Promise<void> {
  if (!heldOut || !tuned) return;
  try {
    const handle = await heldOut.handle;
    const before = await client.detectWithDetails(handle, tuned.caption, { threshold: DEFAULT_THRESHOLD });
    const after = await client.detectTuned(handle, tuned, { threshold: DEFAULT_THRESHOLD });
    state.before = before.detections;
    state.after = after.detections;
    draw('teach-before', heldOut.bitmap, before.detections, tuned.caption);
    draw('teach-after', heldOut.bitmap, after.detections, tuned.caption);
    state.compareRuns++;
  } catch (e) {
    showError(message(e));
  }
}

function draw(id: string, bitmap: ImageBitmap, detections: Detection[], caption: string): void {
  const chips = promptChips(caption);
  drawDetections($<HTMLCanvasElement>(id), bitmap, detections, { color: (d) => colorOf(chips, d) });
  $(`${id}-list`).replaceChildren(
    ...(detections.length === 0 ? ['nothing found'] : detections.map((d) => `${d.phrase} — ${d.score.toFixed(2)}`)).map((text) => {
      const item = document.createElement('li');
      item.textContent = text;
      return item;
    }),
  );
}

async function useHeldOut(file: File): Promise<void> {
  const pixels = await decodeImage(file);
  const bitmap = await createImageBitmap(new ImageData(pixels.data as Uint8ClampedArray<ArrayBuffer>, pixels.width, pixels.height));
  heldOut?.bitmap.close();
  heldOut = { bitmap, handle: client.encodeImage(pixels) };
  for (const id of ['teach-before', 'teach-after']) draw(id, bitmap, [], tuned?.caption ?? '');
  await compare();
}

/** The model `?model=` names (as on the demo page; default glip-nano). */
async function loadShippedModel(): Promise<void> {
  const setStatus = (status: TeachState['status'], text: string): void => {
    state.status = status;
    $('model-status').textContent = text;
  };
  const model = requestedModel();
  if (!(await isOnSite(model))) {
    setStatus('missing', `Model not found: ${model.folder} is not part of this site.`);
    return;
  }
  try {
    const info = await client.load(model.folder, {
      backend: requestedBackend(),
      onProgress: (p) => p.phase !== 'done' && setStatus('loading', `Loading ${model.id} (${p.phase})…`),
    });
    modelSha256 = info.modelSha256;
    setStatus('ready', `${model.id} is ready (${info.backend}: ${info.backendReason}).`);
  } catch (e) {
    setStatus('error', `Could not load ${model.id}.`);
    showError(message(e));
  }
  updatePrompt();
}

const drop = $('teach-drop');
drop.addEventListener('dragover', (event) => {
  event.preventDefault();
  drop.classList.add('dragging');
});
drop.addEventListener('dragleave', () => drop.classList.remove('dragging'));
drop.addEventListener('drop', (event) => {
  event.preventDefault();
  drop.classList.remove('dragging');
  addImages([...(event.dataTransfer?.files ?? [])].filter((f) => f.type.startsWith('image/')));
});
document.addEventListener('paste', (event) => {
  addImages([...(event.clipboardData?.items ?? [])].filter((i) => i.type.startsWith('image/')).flatMap((i) => i.getAsFile() ?? []));
});
$<HTMLInputElement>('teach-files').addEventListener('change', (event) => addImages((event.target as HTMLInputElement).files ?? []));
$<HTMLInputElement>('teach-coco').addEventListener('change', (event) => {
  const file = (event.target as HTMLInputElement).files?.[0];
  if (file) loadCoco(file).catch((e: unknown) => showError(message(e)));
});
$<HTMLInputElement>('teach-heldout').addEventListener('change', (event) => {
  const file = (event.target as HTMLInputElement).files?.[0];
  if (file) useHeldOut(file).catch((e: unknown) => showError(message(e)));
});
startButton.addEventListener('click', () => void tune());
$('teach-download').addEventListener('click', () => {
  const file = tunedFile;
  if (!file) return;
  void encodeTunedPrompt(file).then((bytes) => {
    const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/json' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = `${file.caption.replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-|-$/g, '') || 'prompt'}.tuned-prompt.json`;
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 0);
  });
});
$<HTMLInputElement>('teach-load').addEventListener('change', (event) => {
  const file = (event.target as HTMLInputElement).files?.[0];
  if (!file || modelSha256 === null) return;
  const sha = modelSha256;
  file
    .arrayBuffer()
    .then((buffer) => decodeTunedPrompt(new Uint8Array(buffer)))
    .then((read) => {
      checkTunedPromptModel(read, sha); // a TunedPromptError for another model (decoding already refused a broken file)
      tunedFile = read;
      tuned = { caption: read.caption, tokenIds: read.tokenIds, shape: read.shape, offset: read.offset };
      state.tuned = { caption: read.caption, steps: read.training.stepsRun, finalLoss: read.finalLoss ?? Number.NaN, cancelled: read.stopReason === 'cancelled' };
      showError(null);
      $('teach-progress').textContent = `Loaded a prompt tuned for this model: "${read.caption}", loss ${read.finalLoss?.toFixed(4) ?? '–'}.`;
      $<HTMLButtonElement>('teach-download').disabled = false;
      return compare();
    })
    .catch((e: unknown) => showError(message(e)));
});
cancelButton.addEventListener('click', () => {
  cancelRun?.abort();
  cancelButton.disabled = true;
  $('teach-progress').textContent += ' Cancelling after this step…';
});

select(null);
void loadShippedModel();

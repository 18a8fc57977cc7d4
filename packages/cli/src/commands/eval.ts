// `webglip eval --data <annotations.json> (--model <dir> | --predictions <results.json>) [options]`:
// the benchmark files people have, scored as GLIP scores them:
//   coco    `instances_*.json`: box AP (pycocotools COCOeval, crowds ignored), prompt = every category
//           name as GLIP's detection query ("a. b. c", text/category-query.ts), chunked only when it
//           does not fit the window (40 names per chunk);
//   lvis    LVIS v1: GLIP's fixed AP (lvis-eval.ts), every image run over chunks of 40 names with
//           300 detections per chunk (GLIP's LVIS command: TEST.CHUNKED_EVALUATION 40,
//           MODEL.ATSS.DETECTIONS_PER_IMG 300). Two names that clean to the same text ("bow_(weapon)",
//           "bow_(decorative_ribbons)" → "bow ") are both grounded, each on its own span, as in GLIP
//           (the category query's `groundRepeats`);
//   flickr  MDETR/GLIP `final_flickr_*.json`: each caption with its phrases, Recall@1/5/10 and the
//           upper bound, ANY-BOX (flickr-eval.ts);
//   synth   tools/synth's grounding data: each image with its own "list" prompt, box AP.
// The format is read from the file (or --format). With --model the engine runs every image
// (image encoded once, the prompt's chunks on its cached features: core's detectChunked); with
// --predictions a COCO results file is scored by the same evaluator. Every image file is checked
// before the model loads, and nothing is written unless the whole run succeeds. With --tuned-prompt
// (coco only) the engine detects with a tuned prompt (webglip tune) whose caption must be the data
// set's category query: one prompt, not chunked.
import { access, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ChunkedDetection } from '@webglip/core/engine';
import { detectChunked } from '@webglip/core/engine';
import { GlipDetector } from '@webglip/core/engine';
import { EvalDataError } from '@webglip/core/engine';
import { decodeImage } from '@webglip/core/engine';
import { categoryQuery } from '@webglip/core/engine';
import type { Prompt } from '@webglip/core/engine';
import { captionPrompt } from '@webglip/core/engine';
import type { TunedPromptFile } from '@webglip/core/engine';
import { checkTunedCaption, checkTunedPromptModel } from '@webglip/core/engine';
import { folderModelFiles } from '@webglip/core/node';
import type { DataFormat, EvalImage } from '../eval/benchmark-data.ts';
import { DATA_FORMATS, detectFormat, parseCoco, parseFlickr, parseLvis } from '../eval/benchmark-data.ts';
import type { CocoEvalResult, DetectionResult, EvalCategory } from '../eval/coco-eval.ts';
import { evaluateBoxes } from '../eval/coco-eval.ts';
import type { FlickrEvalResult } from '../eval/flickr-eval.ts';
import { evaluateFlickr } from '../eval/flickr-eval.ts';
import type { GroundingPrompt } from '../eval/grounding-data.ts';
import { detectionsToResults, enginePrompt, listPromptOf, parseGroundingData } from '../eval/grounding-data.ts';
import type { LvisEvalResult } from '../eval/lvis-eval.ts';
import { evaluateLvis } from '../eval/lvis-eval.ts';
import { knownIds, parseResults } from '../eval/results-file.ts';
import { readTunedPromptFile } from '../tuned-prompt-io.ts';
import { numberIn, oneOf, parseCommandArgs, required, UsageError, wholeNumberIn } from '../args.ts';
import type { BackendChoice } from '../backend-choice.ts';
import { activateBackend, BACKEND_CHOICES, describeSelection } from '../backend-choice.ts';
import { reportCommandError } from '../command-errors.ts';
import { checkModelFolder } from '../model-folder.ts';

const USAGE = `usage: webglip eval --data <annotations.json> (--model <dir> | --predictions <results.json>) [options]
  --data FILE           COCO instances_*.json, LVIS v1, MDETR/GLIP final_flickr_*.json, or tools/synth data
  --format F            coco, lvis, flickr or synth (default: read from the file)
  --model DIR           a converted model folder: run the engine on every image
  --predictions FILE    score a COCO results file [{image_id, category_id, bbox, score}] instead
                        (flickr: image_id = the caption record's id, category_id = its phrase's number, 1-based)
  --images DIR          where the images' file_name paths start (default: the folder of --data)
  --tuned-prompt FILE   with --model, coco: detect with a tuned prompt (webglip tune) for the data set's categories
  --limit N             evaluate the first N images only
  --threshold T         engine score threshold (default 0.05, the official ATSS INFERENCE_TH)
  --backend B           auto (default: WebGPU on a GPU, wasm on a software adapter), webgpu, wasm or cpu
  --verbose             say why auto fell back from a backend
  --save-predictions F  also write the engine's detections as a COCO results file
  --json                print the result as JSON instead of a table`;

/** GLIP's TEST.CHUNKED_EVALUATION for LVIS, and the engine's default chunk size. */
const NAMES_PER_CHUNK = 40;
/** GLIP's LVIS evaluation: MODEL.ATSS.DETECTIONS_PER_IMG 300 (per chunk). */
const LVIS_DETECTIONS_PER_CHUNK = 300;
/** `maxSide` that never downscales: boxes stay in the image file's pixels. */
const FULL_SIZE = Number.MAX_SAFE_INTEGER;

/** One data set, ready to run and score. */
interface Benchmark {
  format: DataFormat;
  images: EvalImage[];
  /** The engine's prompt for an image. */
  prompt(image: EvalImage): Prompt;
  chunking: 'when-needed' | 'always';
  detectionsPerChunk?: number;
  /** The results-file entry of one engine detection, or throws. */
  result(image: EvalImage, prompt: Prompt, d: ChunkedDetection): DetectionResult;
  /** null, or why a results-file entry does not fit the data set (all of it: --limit filters afterwards). */
  check(r: DetectionResult): string | null;
  score(detections: DetectionResult[]): CocoEvalResult | LvisEvalResult | FlickrEvalResult;
  table(result: CocoEvalResult | LvisEvalResult | FlickrEvalResult): string;
}

async function readJson(path: string): Promise<unknown> {
  const text = await readFile(path, 'utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new EvalDataError(`${path} is not valid JSON (${(cause as Error).message})`);
  }
}

/** xyxy (GLIP's inclusive pixels) → xywh; `plusOne`: w = x1 − x0 + 1, as GLIP's COCO evaluation converts (TO_REMOVE = 1). */
function xywh([x0, y0, x1, y1]: [number, number, number, number], plusOne: boolean): [number, number, number, number] {
  const one = plusOne ? 1 : 0;
  return [x0, y0, x1 - x0 + one, y1 - y0 + one];
}

/** The index of the prompt phrase a detection grounds (its char span), or throws. */
function phraseIndex(prompt: Prompt, imageId: number, d: ChunkedDetection): number {
  const i = prompt.phrases.findIndex((p) => p.charSpan[0] === d.charSpan[0] && p.charSpan[1] === d.charSpan[1]);
  if (i < 0) throw new EvalDataError(`image ${imageId}: a detection grounds [${d.charSpan.join(', ')}) "${d.phrase}", which is not a phrase of the prompt`);
  return i;
}

const byId = (categories: EvalCategory[]): EvalCategory[] => categories.slice().sort((a, b) => a.id - b.id); // GLIP sorts the keys

function cocoBenchmark(json: unknown, source: string, limit: number): Benchmark {
  const data = parseCoco(json, source);
  const images = data.images.slice(0, limit);
  const imageIds = new Set(images.map((i) => i.id));
  const sorted = byId(data.categories);
  const query = categoryQuery(sorted.map((c) => c.name));
  return {
    format: 'coco',
    images,
    prompt: () => query,
    chunking: 'when-needed',
    result: (image, prompt, d) => ({ image_id: image.id, category_id: sorted[phraseIndex(prompt, image.id, d)].id, bbox: xywh(d.box, true), score: d.score }),
    check: knownIds(new Set(data.images.map((i) => i.id)), new Set(data.categories.map((c) => c.id))),
    score: (detections) => evaluateBoxes({ imageIds: [...imageIds], categories: data.categories, groundTruth: data.annotations.filter((a) => imageIds.has(a.image_id)), detections }),
    table: (r) => cocoTable(r as CocoEvalResult, 'category'),
  };
}

function synthBenchmark(json: unknown, source: string, limit: number): Benchmark {
  const data = parseGroundingData(json, source);
  const images = data.images.slice(0, limit);
  const imageIds = new Set(images.map((i) => i.id));
  const listPrompt = (image: EvalImage): GroundingPrompt => {
    const full = data.images.find((i) => i.id === image.id);
    if (!full) throw new RangeError(`image ${image.id} is not in the data set`);
    return listPromptOf(full);
  };
  return {
    format: 'synth',
    images,
    prompt: (image) => enginePrompt(listPrompt(image)),
    chunking: 'when-needed',
    result: (image, _, d) => detectionsToResults(image.id, listPrompt(image), [d])[0],
    check: knownIds(new Set(data.images.map((i) => i.id)), new Set(data.categories.map((c) => c.id))),
    score: (detections) => evaluateBoxes({ imageIds: [...imageIds], categories: data.categories, groundTruth: data.annotations.filter((a) => imageIds.has(a.image_id)), detections }),
    table: (r) => cocoTable(r as CocoEvalResult, 'phrase'),
  };
}

function lvisBenchmark(json: unknown, source: string, limit: number): Benchmark {
  const data = parseLvis(json, source);
  const images = data.images.slice(0, limit);
  const imageIds = new Set(images.map((i) => i.id));
  const sorted = byId(data.categories);
  const query = categoryQuery(sorted.map((c) => c.name));
  return {
    format: 'lvis',
    images,
    prompt: () => query,
    chunking: 'always',
    detectionsPerChunk: LVIS_DETECTIONS_PER_CHUNK,
    result: (image, prompt, d) => ({ image_id: image.id, category_id: sorted[phraseIndex(prompt, image.id, d)].id, bbox: xywh(d.box, false), score: d.score }),
    check: knownIds(new Set(data.images.map((i) => i.id)), new Set(data.categories.map((c) => c.id))),
    score: (detections) => evaluateLvis({ images, categories: data.categories, groundTruth: data.annotations.filter((a) => imageIds.has(a.image_id)), detections }),
    table: (r) => lvisTable(r as LvisEvalResult),
  };
}

function flickrBenchmark(json: unknown, source: string, limit: number): Benchmark {
  const all = parseFlickr(json, source);
  const sentences = all.slice(0, limit);
  const byImage = new Map(all.map((s) => [s.id, s]));
  const sentenceOf = (id: number) => byImage.get(id) as (typeof sentences)[number];
  return {
    format: 'flickr',
    images: sentences,
    prompt: (image) => {
      const s = sentenceOf(image.id);
      if (s.phrases.length === 0) throw new EvalDataError(`${source}: caption ${s.id} (${s.file_name}) has no annotated phrase to ground`);
      return captionPrompt(s.caption, s.phrases.map((p) => p.span));
    },
    chunking: 'when-needed',
    result: (image, prompt, d) => ({ image_id: image.id, category_id: phraseIndex(prompt, image.id, d) + 1, bbox: xywh(d.box, false), score: d.score }),
    check: (r) => {
      const s = byImage.get(r.image_id);
      if (!s) return `image_id ${String(r.image_id)} is not a caption record of the data set`;
      if (!(Number.isInteger(r.category_id) && r.category_id >= 1 && r.category_id <= s.phrases.length)) return `category_id ${String(r.category_id)} is not a phrase number of caption ${s.id} (1 … ${s.phrases.length})`;
      return null;
    },
    score: (detections) => evaluateFlickr(sentences, detections),
    table: (r) => flickrTable(r as FlickrEvalResult),
  };
}

function benchmarkOf(format: DataFormat, json: unknown, source: string, limit: number): Benchmark {
  if (format === 'lvis') return lvisBenchmark(json, source, limit);
  if (format === 'flickr') return flickrBenchmark(json, source, limit);
  if (format === 'coco') return cocoBenchmark(json, source, limit);
  return synthBenchmark(json, source, limit);
}

/** Every image file exists under `dir`: else an EvalDataError naming the first missing ones. */
async function checkImages(images: EvalImage[], dir: string): Promise<void> {
  const missing: string[] = [];
  for (const image of images) {
    try {
      await access(join(dir, image.file_name));
    } catch {
      missing.push(image.file_name);
    }
  }
  if (missing.length > 0) {
    throw new EvalDataError(`${missing.length} image file(s) missing from ${dir}: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''} (give --images the folder their file_name paths start in)`);
  }
}

interface EngineRun {
  modelDir: string;
  imagesDir: string;
  threshold: number;
  backend: BackendChoice;
  verbose: boolean;
  /** Detect with this tuned prompt (its caption is the benchmark's one prompt) instead of the plain prompt. */
  tuned?: TunedPromptFile;
}

/** Runs the engine over the images, each with its prompt in chunks; progress on stderr. */
async function enginePredictions(bench: Benchmark, run: EngineRun): Promise<DetectionResult[]> {
  console.error(describeSelection(await activateBackend(run.backend), run.verbose));
  const detector = await GlipDetector.load(folderModelFiles(run.modelDir), { cache: null });
  if (run.tuned) checkTunedPromptModel(run.tuned, detector.modelSha256!);
  // GLIP's per-chunk cap of the protocol (an evaluation setting of this detector only)
  if (bench.detectionsPerChunk !== undefined) detector.config.postprocess.detectionsPerImg = bench.detectionsPerChunk;
  try {
    const results: DetectionResult[] = [];
    const started = performance.now();
    for (const [i, image] of bench.images.entries()) {
      const prompt = bench.prompt(image);
      const pixels = await decodeImage(await readFile(join(run.imagesDir, image.file_name)), { maxSide: FULL_SIZE });
      const out = run.tuned
        ? { detections: (await detector.detectTuned(pixels, run.tuned, { threshold: run.threshold })).map((d) => ({ ...d, chunk: 0 })), chunks: [prompt], dropped: [] }
        : await detectChunked(detector, pixels, prompt, { threshold: run.threshold, chunking: bench.chunking, namesPerChunk: NAMES_PER_CHUNK });
      results.push(...out.detections.map((d) => bench.result(image, prompt, d)));
      const perImage = (performance.now() - started) / (i + 1);
      const dropped = out.dropped.length ? `, ${out.dropped.length} phrase(s) not grounded (${[...new Set(out.dropped.map((d) => d.reason))].join(', ')})` : '';
      console.error(`[${i + 1}/${bench.images.length}] ${image.file_name}: ${out.detections.length} detection(s) over ${out.chunks.length} chunk(s)${dropped}, ${perImage.toFixed(0)} ms/image`);
    }
    return results;
  } finally {
    detector.dispose();
  }
}

const fmt = (v: number | null): string => (v === null ? '    -' : v.toFixed(3));

/** Two summary lines and one row per category (phrase) that has ground truth or detections. */
function cocoTable(r: CocoEvalResult, what: string): string {
  const rows = r.perCategory.filter((c) => c.numGt > 0 || c.numDetections > 0).sort((a, b) => a.name.localeCompare(b.name));
  const width = Math.max(what.length, ...rows.map((c) => c.name.length));
  return [
    `AP ${fmt(r.ap)}  AP50 ${fmt(r.ap50)}  AP75 ${fmt(r.ap75)}  AR@100 ${fmt(r.ar100)}  (${r.numImages} images, ${r.numGt} boxes, ${r.numDetections} detections)`,
    `AP_small ${fmt(r.apSmall)}  AP_medium ${fmt(r.apMedium)}  AP_large ${fmt(r.apLarge)}  AR@1 ${fmt(r.ar1)}  AR@10 ${fmt(r.ar10)}  AR_small ${fmt(r.arSmall)}  AR_medium ${fmt(r.arMedium)}  AR_large ${fmt(r.arLarge)}`,
    '',
    `${what.padEnd(width)}  #gt  #det     AP   AP50  R@.50  R@.5:.95`,
    ...rows.map((c) => `${c.name.padEnd(width)} ${String(c.numGt).padStart(4)} ${String(c.numDetections).padStart(5)}  ${fmt(c.ap)}  ${fmt(c.ap50)}  ${fmt(c.recall50)}  ${fmt(c.recall)}`),
  ].join('\n');
}

function lvisTable(r: LvisEvalResult): string {
  const rows = r.perCategory.filter((c) => c.numGt > 0 || c.numDetections > 0).sort((a, b) => a.name.localeCompare(b.name));
  const width = Math.max(8, ...rows.map((c) => c.name.length));
  return [
    `AP ${fmt(r.ap)}  AP50 ${fmt(r.ap50)}  AP75 ${fmt(r.ap75)}  AP_r ${fmt(r.apRare)}  AP_c ${fmt(r.apCommon)}  AP_f ${fmt(r.apFrequent)}  (fixed AP; ${r.numImages} images, ${r.numGt} boxes, ${r.numDetections} detections counted)`,
    `AP_small ${fmt(r.apSmall)}  AP_medium ${fmt(r.apMedium)}  AP_large ${fmt(r.apLarge)}  AR ${fmt(r.ar)}`,
    '',
    `${'category'.padEnd(width)} freq  #gt  #det     AP   AP50`,
    ...rows.map((c) => `${c.name.padEnd(width)}    ${c.frequency} ${String(c.numGt).padStart(4)} ${String(c.numDetections).padStart(5)}  ${fmt(c.ap)}  ${fmt(c.ap50)}`),
  ].join('\n');
}

function flickrTable(r: FlickrEvalResult): string {
  return `R@1 ${fmt(r.recall1)}  R@5 ${fmt(r.recall5)}  R@10 ${fmt(r.recall10)}  upper bound ${fmt(r.upperBound)}  (ANY-BOX, IoU ≥ 0.5; ${r.numSentences} captions, ${r.numPhrases} phrases, ${r.numDetections} detections)`;
}

interface EvalRequest {
  data: string;
  format?: DataFormat;
  model?: string;
  predictions?: string;
  images?: string;
  tunedPrompt?: string;
  limit: number;
  threshold: number;
  backend: BackendChoice;
  verbose: boolean;
  savePredictions?: string;
  json: boolean;
}

/** The command line as a request, or 'help'; a UsageError names what is wrong. */
function parseEvalArgs(argv: string[]): EvalRequest | 'help' {
  const { values } = parseCommandArgs('eval', argv, {
    data: { type: 'string' },
    format: { type: 'string' },
    model: { type: 'string' },
    predictions: { type: 'string' },
    images: { type: 'string' },
    limit: { type: 'string' },
    threshold: { type: 'string', default: '0.05' },
    backend: { type: 'string', default: 'auto' },
    verbose: { type: 'boolean', default: false },
    'save-predictions': { type: 'string' },
    'tuned-prompt': { type: 'string' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  });
  if (values.help) return 'help';
  const data = required('eval', 'data', values.data, 'the annotations to score against');
  if ((values.model === undefined) === (values.predictions === undefined)) {
    throw new UsageError('eval', 'give one of --model (run the engine) and --predictions (score a results file)');
  }
  if (values['tuned-prompt'] !== undefined && values.model === undefined) {
    throw new UsageError('eval', '--tuned-prompt needs --model (it changes what the engine detects)');
  }
  return {
    data,
    format: values.format === undefined ? undefined : oneOf('eval', 'format', values.format, DATA_FORMATS),
    model: values.model,
    predictions: values.predictions,
    images: values.images,
    tunedPrompt: values['tuned-prompt'],
    limit: values.limit === undefined ? Infinity : wholeNumberIn('eval', 'limit', values.limit, 1, Number.MAX_SAFE_INTEGER),
    threshold: numberIn('eval', 'threshold', values.threshold, 0, 1),
    backend: oneOf('eval', 'backend', values.backend, BACKEND_CHOICES),
    verbose: values.verbose,
    savePredictions: values['save-predictions'],
    json: values.json,
  };
}

export async function run(argv: string[]): Promise<number> {
  try {
    const values = parseEvalArgs(argv);
    if (values === 'help') {
      console.log(USAGE);
      return 0;
    }
    const json = await readJson(values.data);
    const bench = benchmarkOf(values.format ?? detectFormat(json, values.data), json, values.data, values.limit);
    const imagesDir = values.images ?? dirname(values.data);
    let detections: DetectionResult[];
    if (values.predictions !== undefined) {
      const evaluated = new Set(bench.images.map((i) => i.id));
      detections = parseResults(await readJson(values.predictions), values.predictions, bench.check).filter((d) => evaluated.has(d.image_id));
    } else {
      const tuned = values.tunedPrompt === undefined ? undefined : await readTunedPromptFile(values.tunedPrompt);
      if (tuned) {
        if (bench.format !== 'coco') throw new EvalDataError(`--tuned-prompt works with a coco data set (one prompt of its categories), not ${bench.format}`);
        if (bench.images.length > 0) checkTunedCaption(tuned, bench.prompt(bench.images[0]).caption, `the category query of ${values.data}`);
      }
      await checkImages(bench.images, imagesDir);
      checkModelFolder(values.model as string);
      detections = await enginePredictions(bench, { modelDir: values.model as string, imagesDir, threshold: values.threshold, backend: values.backend, verbose: values.verbose, tuned });
    }
    const result = bench.score(detections);
    if (values.savePredictions) await writeFile(values.savePredictions, JSON.stringify(detections));
    console.log(values.json ? JSON.stringify({ format: bench.format, ...result }, null, 2) : bench.table(result));
    return 0;
  } catch (e) {
    return reportCommandError('eval', e);
  }
}

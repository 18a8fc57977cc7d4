// `webglip eval --data <annotations.json> (--model <dir> | --predictions <results.json>) [options]`:
// COCO box AP (AP@[.50:.05:.95], AP50, AP75, 101-point, maxDets 100) and per-phrase recall on a
// grounding data set (tools/synth format), each phrase being the category. With --model the engine
// runs every image with its `list` prompt; with --predictions a COCO results file (e.g. from
// tools/train/predict.py) is scored by the same evaluator.
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { PNG } from 'pngjs';
import { GlipDetector } from '@webglip/core/detector.ts';
import { EvalDataError, GlipError, ImageInputError } from '@webglip/core/errors.ts';
import type { BackendKind } from '@webglip/core/runtime/device.ts';
import { createBackend } from '@webglip/core/runtime/device.ts';
import { folderModelFiles } from '@webglip/core/weights/model-folder-node.ts';
import type { CocoEvalResult, DetectionResult } from '../eval/coco-eval.ts';
import { evaluateBoxes } from '../eval/coco-eval.ts';
import type { GroundingData, GroundingImage } from '../eval/grounding-data.ts';
import { detectionsToResults, enginePrompt, listPromptOf, parseGroundingData, parsePredictions } from '../eval/grounding-data.ts';

const USAGE = `usage: webglip eval --data <annotations.json> (--model <dir> | --predictions <results.json>) [options]
  --data FILE           grounding data set (tools/synth format: COCO + per-image prompts)
  --model DIR           a converted model folder: run the engine on every image with its "list" prompt
  --predictions FILE    score a COCO results file [{image_id, category_id, bbox, score}] instead
  --images DIR          where the images' file_name paths start (default: the folder of --data)
  --limit N             evaluate the first N images only
  --threshold T         engine score threshold (default 0.05, the official ATSS INFERENCE_TH)
  --backend B           webgpu (default; falls back to wasm, then cpu), wasm or cpu
  --save-predictions F  also write the engine's detections as a COCO results file
  --json                print the result as JSON instead of a table`;

const BACKENDS: BackendKind[] = ['webgpu', 'wasm', 'cpu'];

async function readJson(path: string): Promise<unknown> {
  const text = await readFile(path, 'utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new EvalDataError(`${path} is not valid JSON (${(cause as Error).message})`);
  }
}

async function readPng(path: string): Promise<{ data: Uint8Array; width: number; height: number }> {
  const bytes = await readFile(path);
  try {
    const png = PNG.sync.read(bytes);
    return { data: png.data, width: png.width, height: png.height };
  } catch (cause) {
    throw new ImageInputError(`${path} is not a readable PNG (${(cause as Error).message})`);
  }
}

interface EngineRun {
  modelDir: string;
  imagesDir: string;
  threshold: number;
  backend: BackendKind;
}

/** Runs the engine over the images with their list prompts; progress on stderr. */
async function enginePredictions(images: GroundingImage[], run: EngineRun): Promise<DetectionResult[]> {
  const selection = await createBackend(run.backend);
  console.error(`backend: ${selection.kind}${selection.fallbackReasons.length ? ` (fell back: ${selection.fallbackReasons.join('; ')})` : ''}`);
  const detector = await GlipDetector.load(folderModelFiles(run.modelDir), { cache: null });
  try {
    const results: DetectionResult[] = [];
    const started = performance.now();
    for (const [i, image] of images.entries()) {
      const prompt = listPromptOf(image);
      const pixels = await readPng(join(run.imagesDir, image.file_name));
      const detections = await detector.detect(pixels, enginePrompt(prompt), { threshold: run.threshold });
      results.push(...detectionsToResults(image.id, prompt, detections));
      const perImage = (performance.now() - started) / (i + 1);
      console.error(`[${i + 1}/${images.length}] ${image.file_name}: ${detections.length} detection(s), ${perImage.toFixed(0)} ms/image`);
    }
    return results;
  } finally {
    detector.dispose();
  }
}

const fmt = (v: number | null): string => (v === null ? '    -' : v.toFixed(3));

/** The summary line and one row per phrase (category) that has ground truth or detections. */
function table(r: CocoEvalResult): string {
  const rows = r.perCategory.filter((c) => c.numGt > 0 || c.numDetections > 0).sort((a, b) => a.name.localeCompare(b.name));
  const width = Math.max(6, ...rows.map((c) => c.name.length));
  const lines = [
    `AP ${fmt(r.ap)}  AP50 ${fmt(r.ap50)}  AP75 ${fmt(r.ap75)}  AR@100 ${fmt(r.ar100)}  (${r.numImages} images, ${r.numGt} boxes, ${r.numDetections} detections)`,
    '',
    `${'phrase'.padEnd(width)}  #gt  #det     AP   AP50  R@.50  R@.5:.95`,
    ...rows.map((c) => `${c.name.padEnd(width)} ${String(c.numGt).padStart(4)} ${String(c.numDetections).padStart(5)}  ${fmt(c.ap)}  ${fmt(c.ap50)}  ${fmt(c.recall50)}  ${fmt(c.recall)}`),
  ];
  return lines.join('\n');
}

export async function run(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        data: { type: 'string' },
        model: { type: 'string' },
        predictions: { type: 'string' },
        images: { type: 'string' },
        limit: { type: 'string' },
        threshold: { type: 'string', default: '0.05' },
        backend: { type: 'string', default: 'webgpu' },
        'save-predictions': { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    }));
  } catch (e) {
    console.error(`${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const limit = values.limit === undefined ? Infinity : Number(values.limit);
  const threshold = Number(values.threshold);
  const backend = values.backend as BackendKind;
  const oneSource = (values.model === undefined) !== (values.predictions === undefined);
  if (!values.data || !oneSource || !(limit >= 1) || !(threshold >= 0 && threshold <= 1) || !BACKENDS.includes(backend)) {
    console.error(USAGE);
    return 2;
  }
  try {
    const data: GroundingData = parseGroundingData(await readJson(values.data), values.data);
    const images = data.images.slice(0, limit);
    const imageIds = new Set(images.map((i) => i.id));
    const detections = values.predictions !== undefined
      ? parsePredictions(await readJson(values.predictions), values.predictions, data).filter((d) => imageIds.has(d.image_id))
      : await enginePredictions(images, { modelDir: values.model as string, imagesDir: values.images ?? dirname(values.data), threshold, backend });
    if (values['save-predictions']) await writeFile(values['save-predictions'], JSON.stringify(detections));
    const result = evaluateBoxes({
      imageIds: [...imageIds],
      categories: data.categories,
      groundTruth: data.annotations.filter((a) => imageIds.has(a.image_id)),
      detections,
    });
    console.log(values.json ? JSON.stringify(result, null, 2) : table(result));
    return 0;
  } catch (e) {
    if (!(e instanceof GlipError) && !(e instanceof Error && 'code' in e && e.code === 'ENOENT')) throw e;
    console.error(`error: ${e.message}`);
    return 1;
  }
}

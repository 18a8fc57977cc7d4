// `webglip detect --model <dir> --prompt <text> --image <file|folder|glob>… [options]`: runs GlipDetector
// on each image. One image file: its detections as JSON (`[{box, score, phrase, charSpan, tokenIndices}]`);
// several (a folder, a glob, more --image): one JSON document, per image or as COCO results (--format
// coco), on stdout or in --output. Progress and diagnostics on stderr.
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { PNG } from 'pngjs';
import type { Detection } from '@webglip/core/detector.ts';
import { DEFAULT_THRESHOLD, GlipDetector } from '@webglip/core/detector.ts';
import { GlipError, ImageInputError } from '@webglip/core/errors.ts';
import { decodeImage } from '@webglip/core/image/decode.ts';
import type { PixelImage } from '@webglip/core/image/preprocess.ts';
import { toPrompt } from '@webglip/core/text/prompt.ts';
import { promptWarning } from '@webglip/core/text/prompt-warning.ts';
import { folderModelFiles } from '@webglip/core/weights/model-folder-node.ts';
import type { DetectionResult } from '../eval/coco-eval.ts';
import { numberIn, oneOf, parseCommandArgs, required, UsageError } from '../args.ts';
import { activateBackend, BACKEND_CHOICES, describeSelection } from '../backend-choice.ts';
import type { CocoIds } from '../coco-results.ts';
import { annotationIds, cocoResults, FILE_NAME_IDS } from '../coco-results.ts';
import { reportCommandError } from '../command-errors.ts';
import { expandImageInputs } from '../image-inputs.ts';
import { ProgressBar } from '../progress-bar.ts';
import { describeStageTimings } from '../stage-timings.ts';

const USAGE = `usage: webglip detect --model <dir> --prompt <text> --image <file|folder|glob> [options]
  --model DIR         a converted model folder (webglip convert)
  --image PATH        a PNG or JPEG image (EXIF orientation applied; boxes in its displayed pixels), a folder
                      (its .png/.jpg/.jpeg files) or a quoted glob ('shots/**/*.png'); repeatable, and
                      further paths after the options are images too
  --prompt TEXT       "person. dog. frisbee." (a list), a sentence ("a red mug left of the laptop"),
                      or exact phrases in brackets ("a [red mug] left of the [laptop]")
  --threshold T       keep detections scoring above T (default ${DEFAULT_THRESHOLD}, the engine's default)
  --format F          engine (default): one image file gives its detections [{box, score, phrase, charSpan,
                      tokenIndices}]; several give [{image, width, height, detections}];
                      coco: COCO results [{image_id, category_id, bbox: [x, y, w, h], score}]
  --annotations FILE  with --format coco: a COCO annotation file whose images (by file_name) and categories
                      (by name = phrase) give the ids; without it an image's id is its file name's number
                      (000123.png → 123) and a phrase's category its 1-based place in the prompt
  --output FILE       write the JSON there instead of on stdout
  --out PATH          also draw the boxes: one image → PATH is the PNG; several → PATH is a folder of PNGs
  --backend B         auto (default: webgpu, else wasm, else cpu, saying so), webgpu, wasm or cpu
                      (a named backend is used or the command fails; it never falls back)
  --max-size N|none   cap on the resized image's longer side (default: the model's MAX_SIZE_TEST;
                      none = GLIPDemo, shorter side only)
  --verbose           why the automatic backend choice fell back, and every image's stage times`;

const FORMATS = ['engine', 'coco'] as const;

/** Distinct box colours, one per phrase. */
const COLOURS: [number, number, number][] = [
  [230, 25, 75], [60, 180, 75], [0, 130, 200], [245, 130, 48], [145, 30, 180], [70, 240, 240], [240, 50, 230], [210, 245, 60],
];

/** `maxSide` that never downscales: boxes stay in the image file's pixels. */
const FULL_SIZE = Number.MAX_SAFE_INTEGER;

async function readImage(path: string): Promise<PixelImage> {
  return decodeImage(await readFile(path), { maxSide: FULL_SIZE });
}

/** A copy of the RGBA image with a 2-pixel outline per detection, coloured by phrase. */
function drawBoxes(image: PixelImage, detections: Detection[]): PNG {
  const png = new PNG({ width: image.width, height: image.height });
  png.data.set(image.data);
  const phrases = [...new Set(detections.map((d) => d.phrase))];
  const paint = (x: number, y: number, [r, g, b]: [number, number, number]): void => {
    if (x < 0 || y < 0 || x >= image.width || y >= image.height) return;
    const i = 4 * (y * image.width + x);
    png.data[i] = r;
    png.data[i + 1] = g;
    png.data[i + 2] = b;
    png.data[i + 3] = 255;
  };
  for (const d of detections) {
    const colour = COLOURS[phrases.indexOf(d.phrase) % COLOURS.length];
    const [x0, y0, x1, y1] = d.box.map(Math.round);
    for (let t = 0; t < 2; t++) {
      for (let x = x0; x <= x1; x++) {
        paint(x, y0 + t, colour);
        paint(x, y1 - t, colour);
      }
      for (let y = y0; y <= y1; y++) {
        paint(x0 + t, y, colour);
        paint(x1 - t, y, colour);
      }
    }
  }
  return png;
}

function roundedBoxes(detections: Detection[]): Detection[] {
  return detections.map((d) => ({ ...d, box: d.box.map((v) => Math.round(v * 100) / 100) as Detection['box'] }));
}

/** The model folder exists (before the backend and weights are touched). */
function checkModelFolder(dir: string): void {
  if (!existsSync(join(dir, 'config.json'))) {
    throw new GlipError('model-folder', `--model ${dir}: ${existsSync(dir) ? 'has no config.json, so it is not a converted model folder (webglip convert makes one)' : 'no such folder'}`);
  }
}

/** Where `--out` puts each image's drawing: the path itself for one image, else `<folder>/<name>.png`. */
function annotatedPaths(out: string, files: string[], single: boolean): string[] {
  if (single) return [out];
  const paths = files.map((f) => join(out, `${basename(f, extname(f))}.png`));
  const twice = paths.find((p, i) => paths.indexOf(p) !== i);
  if (twice) throw new UsageError('detect', `--out ${out}: two images would both be drawn to ${twice} (images with the same name in different folders); run them separately`);
  return paths;
}

async function cocoIds(annotations: string | undefined): Promise<CocoIds> {
  if (annotations === undefined) return FILE_NAME_IDS;
  const text = await readFile(annotations, 'utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new UsageError('detect', `--annotations ${annotations} is not valid JSON (${(cause as Error).message})`);
  }
  return annotationIds(json, annotations);
}

export async function run(argv: string[]): Promise<number> {
  let detector: GlipDetector | undefined;
  try {
    const { values, positionals } = parseCommandArgs('detect', argv, {
      model: { type: 'string' },
      image: { type: 'string', multiple: true },
      prompt: { type: 'string' },
      threshold: { type: 'string' },
      format: { type: 'string', default: 'engine' },
      annotations: { type: 'string' },
      output: { type: 'string' },
      out: { type: 'string' },
      backend: { type: 'string', default: 'auto' },
      'max-size': { type: 'string' },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    }, true);
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    const model = required('detect', 'model', values.model, 'a converted model folder');
    const promptText = required('detect', 'prompt', values.prompt, 'what to find, e.g. "red circle. blue star."');
    const imageArgs = [...(values.image ?? []), ...positionals];
    if (imageArgs.length === 0) throw new UsageError('detect', 'missing --image (an image file, a folder of images or a quoted glob)');
    const threshold = values.threshold === undefined ? DEFAULT_THRESHOLD : numberIn('detect', 'threshold', values.threshold, 0, 1);
    const backend = oneOf('detect', 'backend', values.backend, BACKEND_CHOICES);
    const format = oneOf('detect', 'format', values.format, FORMATS);
    if (values.annotations !== undefined && format !== 'coco') throw new UsageError('detect', '--annotations only applies to --format coco (it gives the COCO ids)');
    const maxSize = values['max-size'] === undefined ? undefined : values['max-size'] === 'none' ? null : numberIn('detect', 'max-size', values['max-size'], 1, Number.MAX_SAFE_INTEGER);

    // Every input is checked before the model loads: nothing runs (or is written) for a mistake.
    const prompt = toPrompt(promptText);
    const { files, single } = await expandImageInputs(imageArgs);
    checkModelFolder(model);
    const ids = format === 'coco' ? await cocoIds(values.annotations) : undefined;
    const imageIds = ids ? files.map((f) => ids.imageId(f)) : [];
    const categoryIds = new Map(ids ? prompt.phrases.map((p, i) => [p.text, ids.categoryId(p.text, i)]) : []);
    const drawings = values.out === undefined ? undefined : annotatedPaths(values.out, files, single);
    if (drawings && !single) await mkdir(values.out!, { recursive: true });

    const selection = await activateBackend(backend);
    console.error(describeSelection(selection, values.verbose));
    detector = await GlipDetector.load(folderModelFiles(model), { cache: null, maxImageSize: maxSize });
    const textStarted = performance.now();
    const encoded = await detector.encodePrompt(prompt);
    console.error(`phrases: ${encoded.phrases.map((p) => JSON.stringify(p.text)).join(', ')} (text encoded in ${(performance.now() - textStarted).toFixed(0)} ms)`);
    const warning = promptWarning(encoded);
    if (warning) console.error(`warning: ${warning}`);

    const bar = single ? undefined : new ProgressBar(files.length);
    const perImage: { image: string; width: number; height: number; detections: Detection[] }[] = [];
    const coco: DetectionResult[] = [];
    for (const [i, file] of files.entries()) {
      const image = await readImage(file).catch((e: unknown) => {
        throw e instanceof ImageInputError && !single ? new ImageInputError(`${file}: ${e.message}`, { cause: e }) : e;
      });
      const before = { ...detector.counters };
      const detections = await detector.detect(image, prompt, { threshold });
      const summary = `${detections.length} detection(s) above ${threshold}; ${describeStageTimings(before, detector.counters, detector.lastTimings)}`;
      if (bar) bar.update(i + 1, values.verbose ? `${file}: ${summary}` : file);
      else console.error(summary);
      perImage.push({ image: file, width: image.width, height: image.height, detections: roundedBoxes(detections) });
      if (ids) coco.push(...cocoResults(imageIds[i], categoryIds, detections));
      if (drawings) await writeFile(drawings[i], PNG.sync.write(drawBoxes(image, detections)));
    }
    bar?.finish();
    const results = ids ? coco : single ? perImage[0].detections : perImage;
    const json = JSON.stringify(results, null, 2);
    if (values.output === undefined) console.log(json);
    else {
      await writeFile(values.output, `${json}\n`);
      console.error(`wrote ${values.output}: ${ids ? `${coco.length} COCO result(s)` : `${perImage.reduce((n, r) => n + r.detections.length, 0)} detection(s)`} for ${files.length} image(s)`);
    }
    return 0;
  } catch (e) {
    return reportCommandError('detect', e);
  } finally {
    detector?.dispose();
  }
}

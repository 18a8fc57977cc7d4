// `webglip detect --model <dir> --prompt <text> --image <file|folder|glob>… [options]`: runs GlipDetector
// on each image. One image file: its detections as JSON (`[{box, score, phrase, charSpan, tokenIndices}]`);
// several (a folder, a glob, more --image): one JSON document, per image or as COCO results (--format
// coco), on stdout or in --output. Progress and diagnostics on stderr. With --tuned-prompt FILE the
// file's caption is the prompt and its offset is added to it (GlipDetector.detectTuned).
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { PNG } from 'pngjs';
import type { Detection } from '@webglip/core/engine';
import { GlipDetector } from '@webglip/core/engine';
import { ImageInputError } from '@webglip/core/engine';
import { decodeImage } from '@webglip/core/engine';
import type { PixelImage } from '@webglip/core/engine';
import { toPrompt } from '@webglip/core/engine';
import { promptWarning } from '@webglip/core/engine';
import type { TunedPromptFile } from '@webglip/core/engine';
import { checkTunedCaption, checkTunedPromptModel, tunedPromptOf } from '@webglip/core/engine';
import { folderModelFiles } from '@webglip/core/node';
import type { DetectionResult } from '../eval/coco-eval.ts';
import { UsageError } from '../args.ts';
import { activateBackend, describeSelection } from '../backend-choice.ts';
import { checkModelFolder } from '../model-folder.ts';
import type { CocoIds } from '../coco-results.ts';
import { annotationIds, cocoResults, FILE_NAME_IDS } from '../coco-results.ts';
import { reportCommandError } from '../command-errors.ts';
import { DETECT_USAGE, parseDetectArgs } from '../detect-args.ts';
import { expandImageInputs } from '../image-inputs.ts';
import { ProgressBar } from '../progress-bar.ts';
import { describeStageTimings } from '../stage-timings.ts';
import { readTunedPromptFile } from '../tuned-prompt-io.ts';
import { annotateImage } from '../annotate/annotate-png.ts';

/** `maxSide` that never downscales: boxes stay in the image file's pixels. */
const FULL_SIZE = Number.MAX_SAFE_INTEGER;

async function readImage(path: string): Promise<PixelImage> {
  return decodeImage(await readFile(path), { maxSide: FULL_SIZE });
}

function roundedBoxes(detections: Detection[]): Detection[] {
  return detections.map((d) => ({ ...d, box: d.box.map((v) => Math.round(v * 100) / 100) as Detection['box'] }));
}

/** Where `--out` puts each image's drawing: the path itself for one image, else `<folder>/<name>.png`. */
function annotatedPaths(out: string, files: string[], single: boolean): string[] {
  if (single) return [out];
  const paths = files.map((f) => join(out, `${basename(f, extname(f))}.png`));
  const twice = paths.find((p, i) => paths.indexOf(p) !== i);
  if (twice) throw new UsageError('detect', `--out ${out}: two images would both be drawn to ${twice} (images with the same name in different folders); run them separately`);
  return paths;
}

/** A file option's folder exists, so that the results are not lost after the run. */
function checkParentFolder(option: string, path: string | undefined): void {
  if (path !== undefined && !existsSync(dirname(path))) throw new UsageError('detect', `--${option} ${path}: the folder ${dirname(path)} does not exist`);
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
    const request = parseDetectArgs(argv);
    if (request === 'help') {
      console.log(DETECT_USAGE);
      return 0;
    }
    const { model, threshold, backend, maxSize, out, output } = request;
    // Every input is checked before the model loads: nothing runs (or is written) for a mistake.
    const tuned: TunedPromptFile | undefined = request.tunedPrompt === undefined ? undefined : await readTunedPromptFile(request.tunedPrompt);
    if (tuned && request.prompt !== undefined) checkTunedCaption(tuned, request.prompt, '--prompt');
    const prompt = tuned ? tunedPromptOf(tuned) : toPrompt(request.prompt!);
    const { files, single } = await expandImageInputs(request.images);
    checkModelFolder(model);
    const ids = request.format === 'coco' ? await cocoIds(request.annotations) : undefined;
    const imageIds = ids ? files.map((f) => ids.imageId(f)) : [];
    const categoryIds = new Map(ids ? prompt.phrases.map((p, i) => [p.text, ids.categoryId(p.text, i)]) : []);
    const drawings = out === undefined ? undefined : annotatedPaths(out, files, single);
    checkParentFolder('output', output);
    if (single) checkParentFolder('out', out);
    if (out !== undefined && !single) await mkdir(out, { recursive: true });

    const selection = await activateBackend(backend);
    console.error(describeSelection(selection, request.verbose));
    detector = await GlipDetector.load(folderModelFiles(model), { cache: null, maxImageSize: maxSize });
    if (tuned) checkTunedPromptModel(tuned, detector.modelSha256!); // before any image runs
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
      const detections = tuned ? await detector.detectTuned(image, tuned, { threshold }) : await detector.detect(image, prompt, { threshold });
      const summary = `${detections.length} detection(s) above ${threshold}; ${describeStageTimings(before, detector.counters, detector.lastTimings)}`;
      if (bar) bar.update(i + 1, request.verbose ? `${file}: ${summary}` : `${file}: ${detections.length} detection(s)`);
      else console.error(summary);
      perImage.push({ image: file, width: image.width, height: image.height, detections: roundedBoxes(detections) });
      if (ids) coco.push(...cocoResults(imageIds[i], categoryIds, detections));
      if (drawings) await writeFile(drawings[i], PNG.sync.write(annotateImage(image, detections, encoded.phrases).png));
    }
    bar?.finish();
    const results = ids ? coco : single ? perImage[0].detections : perImage;
    const json = JSON.stringify(results, null, 2);
    if (output === undefined) console.log(json);
    else {
      await writeFile(output, `${json}\n`);
      console.error(`wrote ${output}: ${ids ? `${coco.length} COCO result(s)` : `${perImage.reduce((n, r) => n + r.detections.length, 0)} detection(s)`} for ${files.length} image(s)`);
    }
    return 0;
  } catch (e) {
    return reportCommandError('detect', e);
  } finally {
    detector?.dispose();
  }
}

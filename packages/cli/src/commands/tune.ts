// `webglip tune --model <dir> --data <coco.json> --out <file> [options]`: GLIP's prompt tuning on a
// COCO-format data set (tune/coco-tuning-set.ts: the prompt is its category names), writing a
// tuned-prompt file (core's tuning/tuned-prompt-file.ts) for `detect` / `eval --tuned-prompt`. Every
// input is read and checked before the model loads; a progress bar and each step's loss on stderr; the
// file is written atomically once the run is over. The model folder is only read.
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { TuneProgress, TuningExample } from '@webglip/core/engine';
import { decodeImage, EvalDataError, GlipDetector, GlipError, PromptError, TUNE_DEFAULTS, tunedPromptFileOf } from '@webglip/core/engine';
import { folderModelFiles } from '@webglip/core/node';
import { numberIn, oneOf, parseCommandArgs, required, UsageError, wholeNumberIn } from '../args.ts';
import type { BackendChoice } from '../backend-choice.ts';
import { activateBackend, BACKEND_CHOICES, describeSelection } from '../backend-choice.ts';
import { reportCommandError } from '../command-errors.ts';
import { parseCoco } from '../eval/benchmark-data.ts';
import { checkModelFolder } from '../model-folder.ts';
import { ProgressBar } from '../progress-bar.ts';
import { cocoTuningSet, tuningBoxes } from '../tune/coco-tuning-set.ts';
import { writeTunedPromptFile } from '../tuned-prompt-io.ts';

const USAGE = `usage: webglip tune --model <dir> --data <coco.json> --out <file> [options]
  --model DIR         a converted model folder (webglip convert); only read
  --data FILE         a COCO detection file (images, annotations, categories); the prompt is its category
                      names in id order, as webglip eval gives them
  --images DIR        where the images' file_name paths start (default: the folder of --data)
  --out FILE          the tuned-prompt file to write (*.tuned-prompt.json; written only when the run ends)
  --shots K           K images per category (the first in the file that show it; default: every image)
  --steps N           optimiser steps (default ${TUNE_DEFAULTS.steps})
  --lr X              AdamW learning rate (default ${TUNE_DEFAULTS.learningRate}, GLIP's prompt-tuning recipe)
  --weight-decay X    AdamW decoupled weight decay (default ${TUNE_DEFAULTS.weightDecay}, GLIP's recipe)
  --batch-size N      examples per step (default ${TUNE_DEFAULTS.batchSize})
  --taught-phrases-only  train only the offset rows of categories that have boxes in the training images;
                      the others (and [CLS], separators, [SEP]) stay as the model has them. Default off:
                      GLIP trains every row. For new names added to a prompt of names the model knows
  --dtype f32|f16     how the offset is stored (default f32)
  --backend B         auto (default), webgpu, wasm or cpu, as for webglip detect`;

const DTYPES = ['f32', 'f16'] as const;

interface TuneRequest {
  model: string;
  data: string;
  images: string;
  out: string;
  shots?: number;
  steps: number;
  learningRate: number;
  weightDecay: number;
  batchSize: number;
  taughtPhrasesOnly: boolean;
  dtype: (typeof DTYPES)[number];
  backend: BackendChoice;
}

function parseTuneArgs(argv: string[]): TuneRequest | 'help' {
  const { values } = parseCommandArgs('tune', argv, {
    model: { type: 'string' },
    data: { type: 'string' },
    images: { type: 'string' },
    out: { type: 'string' },
    shots: { type: 'string' },
    steps: { type: 'string' },
    lr: { type: 'string' },
    'weight-decay': { type: 'string' },
    'batch-size': { type: 'string' },
    'taught-phrases-only': { type: 'boolean', default: false },
    dtype: { type: 'string', default: 'f32' },
    backend: { type: 'string', default: 'auto' },
    help: { type: 'boolean', default: false },
  });
  if (values.help) return 'help';
  const integer = (name: string, value: string | undefined, fallback: number | undefined, max: number) =>
    value === undefined ? fallback : wholeNumberIn('tune', name, value, 1, max);
  const data = required('tune', 'data', values.data, 'a COCO detection file');
  return {
    model: required('tune', 'model', values.model, 'a converted model folder'),
    data,
    images: values.images ?? dirname(data),
    out: required('tune', 'out', values.out, 'the tuned-prompt file to write'),
    shots: integer('shots', values.shots, undefined, 1_000_000),
    steps: integer('steps', values.steps, TUNE_DEFAULTS.steps, 1_000_000)!,
    learningRate: values.lr === undefined ? TUNE_DEFAULTS.learningRate : numberIn('tune', 'lr', values.lr, Number.MIN_VALUE, 100),
    weightDecay: values['weight-decay'] === undefined ? TUNE_DEFAULTS.weightDecay : numberIn('tune', 'weight-decay', values['weight-decay'], 0, 100),
    batchSize: integer('batch-size', values['batch-size'], TUNE_DEFAULTS.batchSize, 1024)!,
    taughtPhrasesOnly: values['taught-phrases-only'],
    dtype: oneOf('tune', 'dtype', values.dtype, DTYPES),
    backend: oneOf('tune', 'backend', values.backend, BACKEND_CHOICES),
  };
}

/** `--out`: a file path in a folder that exists. */
function checkOut(out: string): void {
  if (!existsSync(dirname(out))) throw new UsageError('tune', `--out ${out}: the folder ${dirname(out)} does not exist`);
  if (existsSync(out) && statSync(out).isDirectory()) throw new UsageError('tune', `--out ${out} is a folder; give the tuned-prompt file's path`);
}

async function readCocoJson(path: string): Promise<unknown> {
  const text = await readFile(path, 'utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new EvalDataError(`${path} is not valid JSON (${(cause as Error).message})`);
  }
}

/** One line per step: its loss and the loss's parts (GLIP's names: token classification, box regression, centerness). */
function stepLine(p: TuneProgress): string {
  const { dotProductToken, reg, centerness } = p.parts;
  return `step ${p.step}/${p.steps}: loss ${p.loss.toFixed(4)} (token ${dotProductToken.toFixed(4)}, box ${reg.toFixed(4)}, centerness ${centerness.toFixed(4)}), ${p.examplesPerSecond.toFixed(2)} examples/s`;
}

export async function run(argv: string[]): Promise<number> {
  let detector: GlipDetector | undefined;
  try {
    const request = parseTuneArgs(argv);
    if (request === 'help') {
      console.log(USAGE);
      return 0;
    }
    checkOut(request.out);
    checkModelFolder(request.model);
    const set = cocoTuningSet(parseCoco(await readCocoJson(request.data), request.data), request.shots);
    if (set.images.length === 0) throw new EvalDataError(`${request.data}: no image has a box to tune on`);
    const examples: TuningExample[] = [];
    for (const image of set.images) {
      const pixels = await decodeImage(await readFile(join(request.images, image.image.file_name)), { maxSide: Number.MAX_SAFE_INTEGER });
      examples.push({ image: pixels, boxes: tuningBoxes(image, pixels.width, pixels.height, request.data) });
    }
    const boxes = examples.reduce((n, e) => n + e.boxes.length, 0);
    console.error(`training set: ${examples.length} image(s), ${boxes} box(es)${request.shots === undefined ? '' : ` (${request.shots} shot(s) per category)`}`);

    const selection = await activateBackend(request.backend);
    console.error(describeSelection(selection, false));
    detector = await GlipDetector.load(folderModelFiles(request.model), { cache: null });
    const encoded = await detector.encodePrompt(set.prompt);
    if (encoded.dropped.length > 0) {
      throw new PromptError(`${encoded.dropped.length} categor${encoded.dropped.length === 1 ? 'y does' : 'ies do'} not fit the model's ${detector.config.text.maxQueryLen}-token prompt (${encoded.dropped.map((d) => JSON.stringify(d.text)).join(', ')}): a tuned prompt is one prompt; tune on fewer categories`);
    }
    console.error(`prompt: ${JSON.stringify(encoded.caption)} (${encoded.inputIds.length} tokens)`);

    const bar = new ProgressBar(request.steps, process.stderr, 'step');
    const tuned = await detector.tunePrompt(examples, set.prompt, {
      steps: request.steps, learningRate: request.learningRate, weightDecay: request.weightDecay, batchSize: request.batchSize, taughtPhrasesOnly: request.taughtPhrasesOnly,
    }, (p) => {
      bar.log(stepLine(p));
      bar.update(p.step, `loss ${p.loss.toFixed(4)}`);
    });
    bar.finish();
    if (tuned.steps === 0) throw new GlipError('tuning-failed', `the loss was not finite at the first step: nothing learned, ${request.out} not written (check the boxes, or lower --lr)`);
    const file = tunedPromptFileOf(tuned, {
      modelSha256: detector.modelSha256!,
      phrases: encoded.phrases.map((p) => p.charSpan),
      dtype: request.dtype,
      training: {
        examples: examples.length, shots: request.shots ?? null, steps: request.steps, learningRate: request.learningRate, weightDecay: request.weightDecay, batchSize: request.batchSize,
        ...(request.taughtPhrasesOnly ? { taughtPhrasesOnly: true as const } : {}),
      },
    });
    const size = await writeTunedPromptFile(request.out, file);
    console.error(`wrote ${request.out} (${size} bytes): offset [${file.shape.join(', ')}] ${file.dtype}, final loss ${file.finalLoss?.toFixed(4)}, model ${file.modelSha256.slice(0, 12)}…`);
    if (tuned.stopReason === 'non-finite-loss') {
      console.error(`webglip tune: stopped at step ${tuned.steps + 1}: the loss was not finite; the file keeps the offset of the last finite step (${tuned.steps}). Lower --lr and tune again`);
      return 1;
    }
    return 0;
  } catch (e) {
    return reportCommandError('tune', e);
  } finally {
    detector?.dispose();
  }
}

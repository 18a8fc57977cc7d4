// `webglip detect`'s command line: its options, their defaults and checks; each mistake a named UsageError.
import { DEFAULT_THRESHOLD } from '@webglip/core/engine';
import { numberIn, oneOf, parseCommandArgs, required, UsageError } from './args.ts';
import type { BackendChoice } from './backend-choice.ts';
import { BACKEND_CHOICES } from './backend-choice.ts';

export const DETECT_USAGE = `usage: webglip detect --model <dir> (--prompt <text> | --tuned-prompt <file>) --image <file|folder|glob> [options]
  --model DIR         a converted model folder (webglip convert)
  --image PATH        a PNG or JPEG image (EXIF orientation applied; boxes in its displayed pixels), a folder
                      (its .png/.jpg/.jpeg files) or a quoted glob ('shots/**/*.png'); repeatable, and
                      further paths after the options are images too
  --prompt TEXT       "person. dog. frisbee." (a list), a sentence ("a red mug left of the laptop"),
                      or exact phrases in brackets ("a [red mug] left of the [laptop]")
  --tuned-prompt FILE a tuned prompt (webglip tune) for this model: its caption is the prompt (a --prompt
                      given too must be that caption) and its learned offset is added to it
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

export interface DetectRequest {
  model: string;
  /** The prompt as given; with --tuned-prompt alone, undefined (the file's caption is the prompt). */
  prompt?: string;
  /** --tuned-prompt: a tuned-prompt file. */
  tunedPrompt?: string;
  /** --image values, then the paths after the options: files, folders or globs (image-inputs.ts). */
  images: string[];
  threshold: number;
  backend: BackendChoice;
  format: (typeof FORMATS)[number];
  /** The resized image's longer-side cap; undefined: the model's; null: none. */
  maxSize: number | null | undefined;
  /** --format coco: the COCO annotation file that gives the ids. */
  annotations?: string;
  /** Where the JSON goes instead of stdout. */
  output?: string;
  /** Where the drawn boxes go: a PNG (one image file) or a folder. */
  out?: string;
  verbose: boolean;
}

/** The run `argv` asks for, or 'help'. */
export function parseDetectArgs(argv: string[]): DetectRequest | 'help' {
  const { values, positionals } = parseCommandArgs('detect', argv, {
    model: { type: 'string' },
    image: { type: 'string', multiple: true },
    prompt: { type: 'string' },
    'tuned-prompt': { type: 'string' },
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
  if (values.help) return 'help';
  const model = required('detect', 'model', values.model, 'a converted model folder');
  const tunedPrompt = values['tuned-prompt'];
  const promptText = tunedPrompt === undefined ? required('detect', 'prompt', values.prompt, 'what to find, e.g. "red circle. blue star.", or --tuned-prompt FILE') : values.prompt;
  const imageArgs = [...(values.image ?? []), ...positionals];
  if (imageArgs.length === 0) throw new UsageError('detect', 'missing --image (an image file, a folder of images or a quoted glob)');
  const threshold = values.threshold === undefined ? DEFAULT_THRESHOLD : numberIn('detect', 'threshold', values.threshold, 0, 1);
  const backend = oneOf('detect', 'backend', values.backend, BACKEND_CHOICES);
  const format = oneOf('detect', 'format', values.format, FORMATS);
  if (values.annotations !== undefined && format !== 'coco') throw new UsageError('detect', '--annotations only applies to --format coco (it gives the COCO ids)');
  const maxSize = values['max-size'] === undefined ? undefined : values['max-size'] === 'none' ? null : numberIn('detect', 'max-size', values['max-size'], 1, Number.MAX_SAFE_INTEGER);
  const { annotations, output, out, verbose } = values;
  return { model, prompt: promptText, tunedPrompt, images: imageArgs, threshold, backend, format, maxSize, annotations, output, out, verbose };
}

// `webglip detect --model <dir> --image <file.png|.jpg> --prompt <text> [--threshold t] [--out annotated.png]
//  [--backend auto|webgpu|wasm|cpu] [--max-size N|none]`: runs GlipDetector on one image and prints the
// detections as JSON (`[{box, score, phrase, charSpan, tokenIndices}]`) on stdout; progress on stderr.
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { PNG } from 'pngjs';
import type { Detection } from '@webglip/core/detector.ts';
import { GlipDetector } from '@webglip/core/detector.ts';
import { GlipError } from '@webglip/core/errors.ts';
import { decodeImage } from '@webglip/core/image/decode.ts';
import type { PixelImage } from '@webglip/core/image/preprocess.ts';
import type { BackendRequest } from '@webglip/core/runtime/backend-choice.ts';
import { createBackend } from '@webglip/core/runtime/device.ts';
import { toPrompt } from '@webglip/core/text/prompt.ts';
import { promptWarning } from '@webglip/core/text/prompt-warning.ts';
import { folderModelFiles } from '@webglip/core/weights/model-folder-node.ts';

const USAGE = `usage: webglip detect --model <dir> --image <file.png|.jpg> --prompt <text> [options]
  --model DIR         a converted model folder (webglip convert)
  --image FILE        a PNG or JPEG image (EXIF orientation applied; boxes in its displayed pixels)
  --prompt TEXT       "person. dog. frisbee." (a list), a sentence ("a red mug left of the laptop"),
                      or exact phrases in brackets ("a [red mug] left of the [laptop]")
  --threshold T       keep detections scoring above T (default 0.5)
  --out FILE          also write the image with the boxes drawn, as PNG
  --backend B         auto (default: webgpu on a GPU, wasm on a software adapter), webgpu, wasm or cpu;
                      falls back webgpu → wasm → cpu
  --max-size N|none   cap on the resized image's longer side (default: the model's MAX_SIZE_TEST;
                      none = GLIPDemo, shorter side only)`;

const BACKENDS: BackendRequest[] = ['auto', 'webgpu', 'wasm', 'cpu'];

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

export async function run(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        model: { type: 'string' },
        image: { type: 'string' },
        prompt: { type: 'string' },
        threshold: { type: 'string', default: '0.5' },
        out: { type: 'string' },
        backend: { type: 'string', default: 'auto' },
        'max-size': { type: 'string' },
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
  const threshold = Number(values.threshold);
  const backend = values.backend as BackendRequest;
  const maxSize = values['max-size'] === undefined ? undefined : values['max-size'] === 'none' ? null : Number(values['max-size']);
  if (!values.model || !values.image || values.prompt === undefined || !(threshold >= 0 && threshold <= 1) || !BACKENDS.includes(backend) || (typeof maxSize === 'number' && !(maxSize > 0))) {
    console.error(USAGE);
    return 2;
  }
  let detector: GlipDetector | undefined;
  try {
    const prompt = toPrompt(values.prompt); // a bad prompt fails before the model loads
    const image = await readImage(values.image);
    const selection = await createBackend(backend);
    console.error(`backend: ${selection.kind} (${selection.reason})`);
    detector = await GlipDetector.load(folderModelFiles(values.model), { cache: null, maxImageSize: maxSize });
    const encoded = await detector.encodePrompt(prompt);
    console.error(`phrases: ${encoded.phrases.map((p) => JSON.stringify(p.text)).join(', ')}`);
    const warning = promptWarning(encoded);
    if (warning) console.error(`warning: ${warning}`);
    const detections = await detector.detect(image, prompt, { threshold });
    const ms = Object.entries(detector.lastTimings).map(([stage, t]) => `${stage} ${t.toFixed(0)} ms`).join(', ');
    console.error(`${detections.length} detection(s) above ${threshold}; ${ms}`);
    console.log(JSON.stringify(detections.map((d) => ({ ...d, box: d.box.map((v) => Math.round(v * 100) / 100) })), null, 2));
    if (values.out) await writeFile(values.out, PNG.sync.write(drawBoxes(image, detections)));
    return 0;
  } catch (e) {
    if (!(e instanceof GlipError) && !(e instanceof Error && 'code' in e && e.code === 'ENOENT')) throw e;
    console.error(`error: ${e.message}`);
    return 1;
  } finally {
    detector?.dispose();
  }
}

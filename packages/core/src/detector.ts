// The engine's public API: GlipDetector. It composes the stages of GLIP inference,
//   prompt → tokens + positive map (text/) → BERT (model/bert.ts)                       [cached per prompt]
//   image  → preprocessing (image/) → Swin (model/swin.ts) → FPN P3..P7 (model/fpn.ts)  [cached per image]
//   both   → VLDyHead tower + heads + anchors (model/glip.ts) → ATSS post-processing (postprocess/)
// and keeps the two caches users rely on: editing the prompt does not re-run the backbone, and the
// same prompt on a new image does not re-run BERT. `counters` says how often each stage really ran.
// On WebGPU, `load` compiles every pipeline of an inference before it returns (`precompile`), so the
// first detect does not pay for shader compilation.
import * as tf from '@tensorflow/tfjs';
import type { GlipConfig } from './config.ts';
import { GlipError, ImageInputError, PromptOffsetError } from './errors.ts';
import type { GroundingDetector } from './grounding-detector.ts';
import type { PixelImage } from './image/preprocess.ts';
import type { ImageSize } from './image/target-size.ts';
import { atssAnchors } from './model/anchors.ts';
import { decodeDetections, type GlipModel, headOutputs, type ImageFeatures, imageFeatures, type LanguageFeatures, languageFeatures } from './model/forward-pass.ts';
import { runSteps } from './model/forward-steps.ts';
import { offsetLanguageFeatures } from './model/prompt-offset.ts';
import type { HeadLevels } from './postprocess/atss.ts';
import { CallQueue } from './call-queue.ts';
import { DEFAULT_THRESHOLD } from './postprocess/default-threshold.ts';
import { releasePooledBuffers } from './runtime/tfjs-internals.ts';
import { compilePipelines } from './runtime/compile-only.ts';
import type { Detection } from './postprocess/detection.ts';
import type { EncodedPrompt } from './text/encode-prompt.ts';
import { encodePrompt } from './text/encode-prompt.ts';
import type { PromptInput } from './text/prompt.ts';
import { toPrompt } from './text/prompt.ts';
import { BertTokenizer } from './text/tokenizer.ts';
import type { LoadOptions as WeightsLoadOptions, LoadProgress } from './weights/load-model.ts';
import { loadModel } from './weights/load-model.ts';
import type { ModelFiles } from './weights/model-files.ts';
import { urlModelFiles } from './weights/model-files.ts';
import { modelSha256 } from './weights/model-identity.ts';
import type { WeightMap } from './weights/weight-map.ts';
import { checkTunedPromptFits, checkTunedPromptModel, type TunedPromptFile, tunedPromptOf } from './tuning/tuned-prompt-file.ts';
import { checkTuningData, type PromptOffset, type TunedPrompt, type TuneOptions, type TuneProgress, type TuningBox, tunePromptOffset } from './tuning/prompt-tuning.ts';

export type { Detection } from './postprocess/detection.ts';

/** How often each expensive stage really ran (tests and the stats panel check the caches with it). */
export interface DetectorCounters {
  /** Image encodings (preprocessing + Swin + FPN). Editing only the prompt must not increase it. */
  backboneRuns: number;
  /** Prompt encodings (tokenizer + BERT). The same prompt on a new image must not increase it. */
  textRuns: number;
  /** VLDyHead + heads + post-processing runs. */
  detectRuns: number;
}

export interface DetectorLoadOptions {
  onProgress?: (p: LoadProgress) => void;
  signal?: AbortSignal;
  /** Where verified weight shards are kept (default: the Cache API when present; null: none). */
  cache?: WeightsLoadOptions['cache'];
  /** Longer-side cap of the resized image: default the config's MAX_SIZE_TEST; null = none (GLIPDemo). */
  maxImageSize?: number | null;
  /** Compile the GPU pipelines before `load` returns (progress phase 'compile'); default true. No-op off WebGPU. */
  precompile?: boolean;
}

export interface DetectOptions {
  /** Keep detections scoring above this (the official `score > threshold`). Default DEFAULT_THRESHOLD (0.4). */
  threshold?: number;
  /** A tuned prompt's offset (`tunePrompt`'s result, or its offset and shape): added to the prompt's BERT output. Its shape must be the prompt's `[T, D]`. */
  promptOffset?: PromptOffset;
}

/** A prompt-tuning example: an image and its boxes, each naming a phrase of the prompt. */
export interface TuningExample {
  image: PixelImage;
  boxes: readonly TuningBox[];
}

export type { PromptOffset, TunedPrompt, TuneOptions, TuneProgress, TuningBox };

/** Sizes of an encoded image: as given, and as the network saw it before padding. */
export interface EncodedImageInfo {
  originalSize: ImageSize;
  imageSize: ImageSize;
}

export { DEFAULT_THRESHOLD };
/** What the load-time compile pass runs on: a blank 4:3 image a little larger than the network input, and this prompt. */
const COMPILE_PROMPT = 'a person. a dog. a red car.';
/** Prompts (BERT states, ≤ 256 × hidden floats each) and images (FPN maps, ~20 MB each at 800 px) kept. */
export const PROMPT_CACHE_SIZE = 16;
export const IMAGE_CACHE_SIZE = 2;

interface PromptFeatures extends LanguageFeatures {
  encoded: EncodedPrompt;
}

export class GlipDetector implements GroundingDetector {
  readonly counters: DetectorCounters = { backboneRuns: 0, textRuns: 0, detectRuns: 0 };
  /** Wall times (ms) of the stages of the last `detect` (text, backbone, head); 0 for a stage served from a cache. */
  lastTimings: Record<string, number> = {};
  private readonly prompts = new Map<string, PromptFeatures>();
  private readonly images = new Map<string, ImageFeatures>();
  private disposed = false;
  /** Calls run one at a time, in order (concurrent callers each get their own result): otherwise one call's image could evict the cached features another call is about to use. */
  private readonly queue = new CallQueue();

  private readonly model: GlipModel;

  constructor(
    readonly config: GlipConfig,
    private readonly weights: WeightMap,
    private readonly tokenizer: BertTokenizer,
    private readonly maxImageSize?: number | null,
    /** The model's identity (`weights/model-identity.ts`), which tuned prompts record; null when built without its manifest. */
    readonly modelSha256: string | null = null,
  ) {
    this.model = { config, weights };
  }

  /**
   * Loads a converted model folder (`config.json`, `tokenizer.json`, `manifest.json`, shards): a base URL,
   * or its files (`folderModelFiles(dir)` in Node, in-memory files from a converter or a picked folder).
   * Weights land on the active tfjs backend, so choose the backend first.
   */
  static async load(model: string | ModelFiles, options: DetectorLoadOptions = {}): Promise<GlipDetector> {
    const files = typeof model === 'string' ? urlModelFiles(model) : model;
    const tokenizerJson = new TextDecoder().decode(await files.read('tokenizer.json', options.signal));
    const tokenizer = BertTokenizer.fromJson(tokenizerJson);
    let detector: GlipDetector | undefined;
    let last: LoadProgress | undefined;
    // The weights loader's 'done' is held back until the pipelines are compiled.
    const onProgress = (p: LoadProgress) => {
      last = p;
      if (p.phase !== 'done') options.onProgress?.(p);
    };
    try {
      const { config, weights, manifest } = await loadModel(files, { onProgress, signal: options.signal, cache: options.cache });
      detector = new GlipDetector(config, weights, tokenizer, options.maxImageSize, await modelSha256(manifest));
      if (options.precompile !== false) {
        const base = { loadedBytes: last?.loadedBytes ?? 0, totalBytes: last?.totalBytes ?? 0, shard: null, fromCache: last?.fromCache ?? false };
        await detector.precompile((compiled, total) => {
          if (!options.signal?.aborted) options.onProgress?.({ ...base, phase: 'compile', pipelines: { compiled, total } });
        });
        options.signal?.throwIfAborted();
      }
      if (last?.phase === 'done') options.onProgress?.(last);
      return detector;
    } catch (e) {
      if (detector) detector.dispose();
      else tokenizer.dispose();
      throw e;
    }
  }

  /**
   * Compiles the GPU pipelines of a whole inference without running it (a compile-only pass over a
   * blank image and a short prompt, see runtime/compile-only.ts), then prepares the weight layouts the
   * pass asked for, so the first `detect` neither compiles nor transposes. Post-processing, which
   * reads results back and cannot run in that pass, is then run once on zero head outputs. Last, the
   * buffers tfjs pooled meanwhile (the official f32 weights', replaced by their prepared layouts) go
   * back to the device (`releasePooledBuffers`).
   * `onProgress(compiled, total)` counts tfjs pipelines. Returns their number (0 off WebGPU).
   */
  async precompile(onProgress?: (compiled: number, total: number) => void): Promise<number> {
    return this.queue.run(async () => {
      this.ensureAlive();
      const { minSizeTest } = this.config.input;
      const height = minSizeTest + 16; // larger than the network input: the resize runs
      const blank = { data: new Uint8Array(height * Math.round((height * 4) / 3) * 4), width: Math.round((height * 4) / 3), height };
      const prompt = encodePrompt(this.tokenizer, toPrompt(COMPILE_PROMPT), this.config.text.maxQueryLen);
      const tokens = prompt.inputIds.length;
      // What the pass saw: the level grids and the resized image size (its tensors have no contents).
      let seen: { grids: [number, number][]; imageSize: ImageSize } | undefined;
      const total = await compilePipelines(() => {
        const image = runSteps(imageFeatures(this.model, blank, this.maxImageSize));
        const lang = runSteps(languageFeatures(this.model, prompt.inputIds));
        runSteps(headOutputs(this.model, image, lang));
        seen = { grids: image.levels.map((p) => [p.shape[1], p.shape[2]]), imageSize: image.imageSize };
        return [];
      }, onProgress);
      if (seen === undefined) return 0; // not WebGPU: nothing to compile
      this.weights.preparePending();
      const { grids, imageSize } = seen;
      const head: HeadLevels = {
        logits: grids.map(([h, w]) => tf.zeros([h * w, tokens]) as tf.Tensor2D),
        bboxReg: grids.map(([h, w]) => tf.zeros([1, h, w, 4]) as tf.Tensor4D),
        centerness: grids.map(([h, w]) => tf.zeros([1, h, w, 1]) as tf.Tensor4D),
        anchors: atssAnchors(this.config.anchors, grids),
      };
      await decodeDetections(this.config, head, prompt.phrases, { imageSize, originalSize: imageSize }, 1);
      releasePooledBuffers(); // the official f32 weights' buffers, freed by the preparation
      return total;
    });
  }

  /** Tokenises the prompt and runs BERT, unless this prompt is cached. Returns the tokens and phrases the model sees. */
  async encodePrompt(prompt: PromptInput): Promise<EncodedPrompt> {
    return this.queue.run(async () => (await this.cachedPrompt(prompt)).encoded);
  }

  /** Preprocesses the image and runs Swin + FPN, unless an image with the same pixels is cached. */
  async encodeImage(image: PixelImage): Promise<EncodedImageInfo> {
    return this.queue.run(async () => {
      const { originalSize, imageSize } = await this.cachedImage(image);
      return { originalSize, imageSize };
    });
  }

  /** Boxes for the prompt's phrases in the image, best first, in the image's pixel coordinates. */
  async detect(image: PixelImage, prompt: PromptInput, options: DetectOptions = {}): Promise<Detection[]> {
    return this.queue.run(() => this.detectNow(image, prompt, options));
  }

  private async detectNow(image: PixelImage, prompt: PromptInput, options: DetectOptions): Promise<Detection[]> {
    const threshold = options.threshold ?? DEFAULT_THRESHOLD;
    this.lastTimings = { text: 0, backbone: 0, head: 0 };
    const text = await this.cachedPrompt(prompt);
    const visual = await this.cachedImage(image);
    this.ensureAlive(); // disposed while the image was encoding: the weights are gone
    const started = performance.now();
    const lang = options.promptOffset ? this.offsetPrompt(text, options.promptOffset) : text;
    const head = runSteps(headOutputs(this.model, visual, lang));
    if (lang !== text) tf.dispose([lang.hidden, lang.mask]);
    const { detections } = await decodeDetections(this.config, head, text.encoded.phrases, visual, threshold);
    this.counters.detectRuns++;
    this.lastTimings.head = performance.now() - started;
    return detections;
  }

  /**
   * Detection with a tuned prompt (a read tuned-prompt file, tuning/tuned-prompt-file.ts): its caption
   * and phrases are the prompt, its offset is added to their language features. A file for another
   * model, whose caption this model's tokenizer reads as other tokens, or whose offset is not `[T, D]`
   * is a TunedPromptError and nothing runs.
   */
  async detectTuned(image: PixelImage, tuned: TunedPromptFile, options: Omit<DetectOptions, 'promptOffset'> = {}): Promise<Detection[]> {
    return this.queue.run(async () => {
      if (this.modelSha256 === null) throw new GlipError('model-identity', 'this detector was built without its manifest, so it cannot tell which tuned prompts are its own: load it with GlipDetector.load');
      checkTunedPromptModel(tuned, this.modelSha256);
      const prompt = tunedPromptOf(tuned);
      const text = await this.cachedPrompt(prompt);
      checkTunedPromptFits(tuned, { tokenIds: text.encoded.inputIds, width: text.hidden.shape[1] });
      return this.detectNow(image, prompt, { ...options, promptOffset: tuned });
    });
  }

  /**
   * GLIP's prompt tuning (language_prompt_v2, tuning/prompt-tuning.ts): learns an offset `[T, D]` for the
   * prompt's language features from a few examples, everything else frozen. Each example's image runs
   * through the backbone once; every step runs the head forward and backward on those features.
   * Resolves with the offset (pass it to `detect` as `promptOffset`), the prompt's caption and token
   * ids, and the final loss. Bad examples reject with a TuningDataError before anything runs.
   */
  async tunePrompt(examples: readonly TuningExample[], prompt: PromptInput, options: TuneOptions = {}, onProgress?: (p: TuneProgress) => void): Promise<TunedPrompt> {
    return this.queue.run(async () => {
      const text = await this.cachedPrompt(prompt);
      const boxes = checkTuningData(examples.map((e) => ({ width: e.image.width, height: e.image.height, boxes: e.boxes })), text.encoded);
      const features: ImageFeatures[] = [];
      try {
        for (const e of examples) {
          if (options.signal?.aborted) throw options.signal.reason ?? new DOMException('prompt tuning was aborted', 'AbortError');
          const f = runSteps(imageFeatures(this.model, e.image, this.maxImageSize));
          features.push(f);
          await this.settle(f.levels[f.levels.length - 1], []);
          this.counters.backboneRuns++;
        }
      } catch (err) {
        for (const f of features) tf.dispose(f.levels);
        throw err;
      }
      this.ensureAlive();
      return tunePromptOffset(this.model, features, boxes, text, text.encoded, options, onProgress);
    });
  }

  /** The prompt's features plus the offset (new tensors, the caller disposes them), or a PromptOffsetError. */
  private offsetPrompt(text: PromptFeatures, { offset, shape, tokenIds }: PromptOffset): LanguageFeatures {
    const [t, d] = text.hidden.shape;
    if (shape[0] !== t || shape[1] !== d || offset.length !== t * d) {
      throw new PromptOffsetError(`the prompt offset is [${shape.join(', ')}] (${offset.length} values), but this prompt has ${t} tokens of width ${d}: use the offset with the prompt it was tuned for`);
    }
    if (tokenIds && tokenIds.some((id, i) => id !== text.encoded.inputIds[i])) {
      throw new PromptOffsetError(`the prompt offset was tuned on other tokens than this prompt's ("${text.encoded.caption}"): use it with the caption it was tuned for`);
    }
    const off = tf.tensor2d(offset, [t, d]);
    const out = offsetLanguageFeatures(text, off);
    off.dispose();
    return out;
  }

  /** Frees the weights, the cached features and the tokenizer. The detector cannot be used afterwards. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const p of this.prompts.values()) tf.dispose([p.hidden, p.mask]);
    for (const i of this.images.values()) tf.dispose(i.levels);
    this.prompts.clear();
    this.images.clear();
    this.weights.dispose();
    this.tokenizer.dispose();
  }

  private async cachedPrompt(input: PromptInput): Promise<PromptFeatures> {
    this.ensureAlive();
    const prompt = toPrompt(input);
    const key = JSON.stringify([prompt.caption, prompt.phrases.map((p) => p.charSpan), prompt.groundRepeats === true]);
    const cached = takeFromCache(this.prompts, key);
    if (cached) return cached;
    const started = performance.now();
    const encoded = encodePrompt(this.tokenizer, prompt, this.config.text.maxQueryLen);
    const { hidden, mask } = runSteps(languageFeatures(this.model, encoded.inputIds));
    await this.settle(hidden, [hidden, mask]); // wait for the GPU so the timing is real (T × D floats: small)
    const features = { encoded, hidden, mask };
    this.counters.textRuns++;
    this.lastTimings.text = performance.now() - started;
    putInCache(this.prompts, key, features, PROMPT_CACHE_SIZE, (f) => tf.dispose([f.hidden, f.mask]));
    return features;
  }

  private async cachedImage(image: PixelImage): Promise<ImageFeatures> {
    this.ensureAlive();
    const key = pixelKey(image);
    const cached = takeFromCache(this.images, key);
    if (cached) return cached;
    const started = performance.now();
    const features = runSteps(imageFeatures(this.model, image, this.maxImageSize));
    await this.settle(features.levels[features.levels.length - 1], features.levels); // P7 is tiny; reading it waits for the whole backbone
    this.counters.backboneRuns++;
    this.lastTimings.backbone = performance.now() - started;
    putInCache(this.images, key, features, IMAGE_CACHE_SIZE, (f) => tf.dispose(f.levels));
    return features;
  }

  /**
   * Waits until `probe` is computed. If that fails (a lost device) or the detector was disposed
   * meanwhile, frees `made` (not cached yet) and throws, so nothing leaks into a disposed detector.
   */
  private async settle(probe: tf.Tensor, made: tf.Tensor[]): Promise<void> {
    try {
      await probe.data();
      this.ensureAlive();
    } catch (e) {
      tf.dispose(made);
      throw e;
    }
  }

  private ensureAlive(): void {
    if (this.disposed) throw new GlipError('disposed', 'this detector was disposed: load the model again to detect');
  }
}

/** LRU lookup: a hit moves to the most recent end. */
function takeFromCache<T>(cache: Map<string, T>, key: string): T | undefined {
  const hit = cache.get(key);
  if (hit !== undefined) {
    cache.delete(key);
    cache.set(key, hit);
  }
  return hit;
}

function putInCache<T>(cache: Map<string, T>, key: string, value: T, capacity: number, evict: (v: T) => void): void {
  cache.set(key, value);
  for (const [k, v] of cache) {
    if (cache.size <= capacity) break;
    cache.delete(k);
    evict(v);
  }
}

/** Identifies an image by size and content (two FNV-1a hashes over the bytes), so a reused buffer with new pixels is not mistaken for the old image. */
function pixelKey(image: PixelImage): string {
  const { data, width, height } = image;
  if (!data || !(width > 0) || !(height > 0)) throw new ImageInputError('the image has no pixels: give RGB(A) bytes with a positive width and height');
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ data.length;
  for (let i = 0; i < data.length; i++) {
    a = Math.imul(a ^ data[i], 0x01000193);
    b = Math.imul(b ^ data[i], 0x5bd1e995) ^ (b >>> 15);
  }
  return `${width}x${height}x${data.length}:${(a >>> 0).toString(36)}:${(b >>> 0).toString(36)}`;
}

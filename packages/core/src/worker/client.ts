// The page side of the engine: a GlipClient owns one Web Worker running the engine and speaks
// protocol.ts to it. It implements the detector's interface (grounding-detector.ts), as GlipDetector
// does: encodeImage, encodePrompt, detect, dispose; `detectWithDetails` adds the timings and prompt
// warning; `detectChunked` runs a vocabulary of any length in chunks, reporting each as it finishes. Images are raw pixels (a PixelImage) or anything the page can draw, read on the page with
// pixelsFromSource (typed ImageInputErrors for a frameless video, an empty canvas, a tainted source);
// their pixels are transferred; errors come back as the same GlipError classes.
// `GlipClient.shared(model)` hands every caller on a page the same worker, hence one copy of the weights.
import { DisposedError, WorkerCrashedError } from '../errors.ts';
import { DEFAULT_THRESHOLD, type GroundingDetector } from '../grounding-detector.ts';
import { pixelsFromSource } from '../image/decode.ts';
import type { PixelImage } from '../image/preprocess.ts';
import {
  reviveError,
  type ChunkedDetectReply,
  type ChunkProgress,
  type DetectResult,
  type Detection,
  type DetectorCounters,
  type EngineInfo,
  type LoadOptions,
  type LoadProgress,
  type ModelFileBytes,
  type PromptInfo,
  type Request,
  type Response,
  type ResultOf,
  type Vocabulary,
  type TunedPromptData,
  type TuneExample,
  type TuneOutcome,
  type TuneProgress,
  type TuneSettings,
} from './protocol.ts';

/** Pixels, or anything the page can turn into pixels. */
export type ImageInput = PixelImage | ImageBitmapSource;

/** An image already sent to (and encoded by) the worker; pass it to `detect` to reuse its features. */
export interface ImageHandle {
  readonly imageId: number;
  readonly width: number;
  readonly height: number;
}

type Distributive<T> = T extends unknown ? Omit<T, 'id'> : never;
type RequestBody = Distributive<Request>;

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  onProgress?: (progress: LoadProgress) => void;
  onChunk?: (progress: ChunkProgress) => void;
  onTuneProgress?: (progress: TuneProgress) => void;
}

export interface ChunkedDetectCallOptions {
  /** Default DEFAULT_THRESHOLD. */
  threshold?: number;
  /** Names per chunk when the vocabulary does not fit the window (default GLIP's 40). */
  namesPerChunk?: number;
  /** After each chunk: chunks done, of those known so far. */
  onChunk?: (progress: ChunkProgress) => void;
}

export interface ClientTuneOptions extends TuneSettings {
  /** Called after every step, with its loss. */
  onProgress?: (progress: TuneProgress) => void;
  /** Aborting it stops the run after its current step; `tune` then resolves with the last good offset (`cancelled: true`). */
  signal?: AbortSignal;
}

export interface ClientLoadOptions extends LoadOptions {
  onProgress?: (progress: LoadProgress) => void;
}

const sharedClients = new Map<string, { client: GlipClient; info: Promise<EngineInfo> }>();

/** `maxSide` that never downscales (the engine resizes to its own test size anyway). */
const FULL_SIZE = Number.MAX_SAFE_INTEGER;

/** Restarts allowed before a client gives up on its worker (reset by every successful call). */
const MAX_RESTARTS = 3;

function engineWorker(): Worker {
  return new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'webglip-engine' });
}

export class GlipClient implements GroundingDetector {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private worker: Worker;
  private readonly spawn: (() => Worker) | null;
  /** The last `load` of a model URL, sent again to a restarted worker. */
  private lastLoad: RequestBody | null = null;
  private restarts = 0;
  /** Set when the worker died for good: later calls fail at once instead of waiting forever. */
  private dead: WorkerCrashedError | null = null;

  /** `worker`: a factory (the worker is restarted with it if it dies), or one worker (not restarted). */
  constructor(worker: Worker | (() => Worker) = engineWorker) {
    this.spawn = typeof worker === 'function' ? worker : null;
    this.worker = this.attach(typeof worker === 'function' ? worker() : worker);
  }

  /**
   * The page-wide client for `model` (URL of a model folder), loaded once. Every widget and caller
   * asking for the same model shares its worker and weights.
   */
  static shared(model: string, options: ClientLoadOptions = {}): { client: GlipClient; info: Promise<EngineInfo> } {
    const key = new URL(model, globalThis.document?.baseURI ?? globalThis.location?.href).href;
    let entry = sharedClients.get(key);
    if (!entry) {
      const client = new GlipClient();
      entry = { client, info: client.load(key, options) };
      sharedClients.set(key, entry);
    }
    return entry;
  }

  /** Loads a model: a folder URL (config.json, tokenizer.json, manifest.json, shards) or its files in memory. */
  load(model: string | ModelFileBytes, options: ClientLoadOptions = {}): Promise<EngineInfo> {
    const { onProgress, ...loadOptions } = options;
    // A relative URL means the page's, not the worker script's.
    const resolved = typeof model === 'string' ? new URL(model, globalThis.document?.baseURI ?? globalThis.location?.href).href : model;
    const transfer = typeof model === 'string' ? [] : Object.values(model);
    const body = { type: 'load', model: resolved, options: loadOptions } as const;
    this.lastLoad = typeof resolved === 'string' ? body : null; // transferred files cannot be sent twice
    return this.call(body, transfer, onProgress);
  }

  /**
   * Sends a copy of an image to the engine and runs the image backbone on it (cached for later
   * prompts); `image` itself stays usable. Sent at full size, so boxes are in `image`'s pixels.
   */
  async encodeImage(image: ImageInput): Promise<ImageHandle> {
    const pixels = isPixelImage(image) ? { data: image.data.slice(), width: image.width, height: image.height } : await pixelsFromSource(image, { maxSide: FULL_SIZE });
    const handle: ImageHandle = { imageId: this.nextId++, width: pixels.width, height: pixels.height };
    await this.call({ type: 'encodeImage', imageId: handle.imageId, image: pixels }, [pixels.data.buffer as ArrayBuffer]);
    return handle;
  }

  /** Tokenises and encodes a prompt ahead of `detect` (cached by the engine); says which phrases the engine grounds. */
  encodePrompt(prompt: string): Promise<PromptInfo> {
    return this.call({ type: 'encodePrompt', prompt });
  }

  /** Detects the prompt's phrases in an image (a handle from `encodeImage` reuses its features). */
  async detect(image: ImageHandle | ImageInput, prompt: string, options: { threshold?: number } = {}): Promise<Detection[]> {
    return (await this.detectWithDetails(image, prompt, options)).detections;
  }

  /** `detect`, with the engine's phrases, the prompt warning and the stage timings of the run. */
  async detectWithDetails(image: ImageHandle | ImageInput, prompt: string, options: { threshold?: number } = {}): Promise<DetectResult> {
    const handle = isHandle(image) ? image : await this.encodeImage(image);
    return this.call({ type: 'detect', imageId: handle.imageId, prompt, threshold: options.threshold ?? DEFAULT_THRESHOLD });
  }

  /**
   * A vocabulary longer than the model's window (hundreds of names), in chunks that each fit: one
   * image pass, then text + head per chunk (chunked-detect.ts); `onChunk` hears each chunk finish.
   * A vocabulary that fits is one chunk and gives what `detect` gives.
   */
  async detectChunked(image: ImageHandle | ImageInput, vocabulary: Vocabulary, options: ChunkedDetectCallOptions = {}): Promise<ChunkedDetectReply> {
    const handle = isHandle(image) ? image : await this.encodeImage(image);
    const body = { type: 'detectChunked', imageId: handle.imageId, prompt: vocabulary, threshold: options.threshold ?? DEFAULT_THRESHOLD, namesPerChunk: options.namesPerChunk } as const;
    return this.call(body, [], undefined, options.onChunk);
  }

  /**
   * Learns a prompt offset for `prompt` on `examples` in the worker (their pixels are copied, the
   * page keeps its images). Progress arrives after each step; the page stays responsive throughout.
   */
  tune(examples: readonly TuneExample[], prompt: string, options: ClientTuneOptions = {}): Promise<TuneOutcome> {
    const { onProgress, signal, ...settings } = options;
    const copies = examples.map(({ image, boxes }) => ({ image: { data: image.data.slice(), width: image.width, height: image.height }, boxes: boxes.map((b) => ({ ...b })) }));
    const { id, result } = this.start({ type: 'tune', examples: copies, prompt, options: settings }, copies.map((e) => e.image.data.buffer as ArrayBuffer), { onTuneProgress: onProgress });
    if (signal) {
      const cancel = (): void => this.worker.postMessage({ type: 'cancelTune', tuneId: id, id: this.nextId++ } satisfies Request);
      if (signal.aborted) cancel();
      else signal.addEventListener('abort', cancel, { once: true });
      result.finally(() => signal.removeEventListener('abort', cancel)).catch(() => undefined);
    }
    return result;
  }

  /** `detectWithDetails` with a tuned prompt: its caption, with its offset added to the caption's language features. */
  async detectTuned(image: ImageHandle | ImageInput, tuned: TunedPromptData, options: { threshold?: number } = {}): Promise<DetectResult> {
    const handle = isHandle(image) ? image : await this.encodeImage(image);
    return this.call({ type: 'detectTuned', imageId: handle.imageId, tuned, threshold: options.threshold ?? DEFAULT_THRESHOLD });
  }

  /** The last `detect`'s detections at another threshold, without running the network again. */
  rethreshold(threshold: number): Promise<Detection[]> {
    return this.call({ type: 'rethreshold', threshold });
  }

  /** How often the engine ran each stage (image backbone, text encoder, heads). */
  counters(): Promise<DetectorCounters> {
    return this.call({ type: 'counters' });
  }

  /** Releases the engine's GPU memory and stops the worker. */
  async dispose(): Promise<void> {
    await this.call({ type: 'dispose' }).catch(() => null);
    this.worker.terminate();
    this.lastLoad = null;
    this.failAll(new DisposedError('the engine'));
    for (const [key, entry] of sharedClients) if (entry.client === this) sharedClients.delete(key);
  }

  private call<B extends RequestBody>(body: B, transfer: Transferable[] = [], onProgress?: (p: LoadProgress) => void, onChunk?: (p: ChunkProgress) => void): Promise<ResultOf[B['type']]> {
    return this.start(body, transfer, { onProgress, onChunk }).result;
  }

  /** Sends a request; its id (to refer to it later) and its result. */
  private start<B extends RequestBody>(body: B, transfer: Transferable[], listeners: Pick<Pending, 'onProgress' | 'onChunk' | 'onTuneProgress'>): { id: number; result: Promise<ResultOf[B['type']]> } {
    const id = this.nextId++;
    const result = new Promise<ResultOf[B['type']]>((resolve, reject) => {
      if (this.dead) return reject(this.dead);
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject, ...listeners });
      this.worker.postMessage({ ...body, id }, transfer);
    });
    return { id, result };
  }

  private attach(worker: Worker): Worker {
    worker.onmessage = (event: MessageEvent<Response>) => this.receive(event.data);
    worker.onerror = (event) => this.crashed(event.message || 'an uncaught error');
    return worker;
  }

  /**
   * The worker died: every call in flight fails with WorkerCrashedError; a new worker is started
   * and given the last model URL again (its weights come from the cache), unless it keeps dying.
   */
  private crashed(detail: string): void {
    this.worker.terminate();
    const restart = this.spawn !== null && this.lastLoad !== null && this.restarts < MAX_RESTARTS;
    const error = new WorkerCrashedError(detail, restart);
    this.failAll(error);
    if (!restart) {
      this.dead = error;
      return;
    }
    this.restarts++;
    this.worker = this.attach(this.spawn!());
    this.call(this.lastLoad!).catch(() => undefined); // its failure reaches the calls that follow
  }

  private receive(response: Response): void {
    const pending = this.pending.get(response.id);
    if (!pending) return;
    if (response.type === 'progress') {
      pending.onProgress?.(response.progress);
      return;
    }
    if (response.type === 'chunk') {
      pending.onChunk?.(response.chunk);
      return;
    }
    if (response.type === 'tuneProgress') {
      pending.onTuneProgress?.(response.progress);
      return;
    }
    this.pending.delete(response.id);
    if (response.type === 'result') {
      this.restarts = 0;
      pending.resolve(response.value);
    } else pending.reject(reviveError(response.error));
  }

  private failAll(error: Error): void {
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
  }
}

function isHandle(image: ImageHandle | ImageInput): image is ImageHandle {
  return typeof image === 'object' && image !== null && 'imageId' in image;
}

/** Raw pixels (an ImageData is drawable too, but is sent as it is). */
function isPixelImage(image: ImageInput): image is PixelImage {
  return typeof image === 'object' && image !== null && 'data' in image && 'width' in image && 'height' in image;
}

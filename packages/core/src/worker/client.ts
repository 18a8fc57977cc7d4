// The page side of the engine: a GlipClient owns one Web Worker running the engine and speaks
// protocol.ts to it. Methods mirror GlipDetector's (load, encodeImage, encodePrompt, detect, dispose);
// images are transferred as ImageBitmaps, errors come back as the same GlipError classes.
// `GlipClient.shared(model)` hands every caller on a page the same worker, hence one copy of the weights.
import {
  reviveError,
  type DetectResult,
  type Detection,
  type EngineCounters,
  type EngineInfo,
  type LoadOptions,
  type LoadProgress,
  type ModelFileBytes,
  type Request,
  type Response,
  type ResultOf,
} from './protocol.ts';

/** Anything the page can turn into pixels. */
export type ImageInput = ImageBitmapSource;

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
}

export interface ClientLoadOptions extends LoadOptions {
  onProgress?: (progress: LoadProgress) => void;
}

const sharedClients = new Map<string, { client: GlipClient; info: Promise<EngineInfo> }>();

export class GlipClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly worker: Worker;

  constructor(worker: Worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'webglip-engine' })) {
    this.worker = worker;
    this.worker.onmessage = (event: MessageEvent<Response>) => this.receive(event.data);
    this.worker.onerror = (event) => this.failAll(new Error(`the engine worker crashed: ${event.message}`));
  }

  /**
   * The page-wide client for `model` (URL of a model folder), loaded once. Every widget and caller
   * asking for the same model shares its worker and weights.
   */
  static shared(model: string, options: ClientLoadOptions = {}): { client: GlipClient; info: Promise<EngineInfo> } {
    const key = new URL(model, globalThis.location?.href).href;
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
    return this.call({ type: 'load', model: resolved, options: loadOptions }, transfer, onProgress);
  }

  /**
   * Sends a copy of an image to the engine and runs the image backbone on it (cached for later
   * prompts); `image` itself stays usable.
   */
  async encodeImage(image: ImageInput): Promise<ImageHandle> {
    const bitmap = await createImageBitmap(image);
    const handle: ImageHandle = { imageId: this.nextId++, width: bitmap.width, height: bitmap.height };
    await this.call({ type: 'encodeImage', imageId: handle.imageId, image: bitmap }, [bitmap]);
    return handle;
  }

  /** Tokenises and encodes a prompt ahead of `detect` (cached by the engine). */
  encodePrompt(prompt: string): Promise<null> {
    return this.call({ type: 'encodePrompt', prompt });
  }

  /** Detects the prompt's phrases in an image (a handle from `encodeImage` reuses its features). */
  async detect(image: ImageHandle | ImageInput, prompt: string, options: { threshold?: number } = {}): Promise<DetectResult> {
    const handle = isHandle(image) ? image : await this.encodeImage(image);
    return this.call({ type: 'detect', imageId: handle.imageId, prompt, threshold: options.threshold ?? 0.5 });
  }

  /** The last `detect`'s detections at another threshold, without running the network again. */
  rethreshold(threshold: number): Promise<Detection[]> {
    return this.call({ type: 'rethreshold', threshold });
  }

  /** How often the engine ran each stage (image backbone, text encoder, heads). */
  counters(): Promise<EngineCounters> {
    return this.call({ type: 'counters' });
  }

  /** Releases the engine's GPU memory and stops the worker. */
  async dispose(): Promise<void> {
    await this.call({ type: 'dispose' }).catch(() => null);
    this.worker.terminate();
    this.failAll(new Error('the engine was disposed'));
    for (const [key, entry] of sharedClients) if (entry.client === this) sharedClients.delete(key);
  }

  private call<B extends RequestBody>(body: B, transfer: Transferable[] = [], onProgress?: (p: LoadProgress) => void): Promise<ResultOf[B['type']]> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject, onProgress });
      this.worker.postMessage({ ...body, id }, transfer);
    });
  }

  private receive(response: Response): void {
    const pending = this.pending.get(response.id);
    if (!pending) return;
    if (response.type === 'progress') {
      pending.onProgress?.(response.progress);
      return;
    }
    this.pending.delete(response.id);
    if (response.type === 'result') pending.resolve(response.value);
    else pending.reject(reviveError(response.error));
  }

  private failAll(error: Error): void {
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
  }
}

function isHandle(image: ImageHandle | ImageInput): image is ImageHandle {
  return typeof image === 'object' && image !== null && 'imageId' in image;
}

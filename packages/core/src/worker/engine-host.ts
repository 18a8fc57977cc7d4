// The worker side of the protocol, independent of `postMessage` so it can be tested in Node: holds
// one loaded engine, the last few images the pages sent (by id, so the engine's per-image cache sees
// the same object again) and the last detection's candidates, so a threshold change re-runs only
// the final filtering step instead of the network. `detectChunked` runs a vocabulary of any length
// through chunked-detect.ts on the engine, reporting each chunk as it finishes.
import { CallQueue } from '../call-queue.ts';
import { detectChunked, type ChunkDetector } from '../chunked-detect.ts';
import type { DetectorCounters } from '../detector.ts';
import { aboveThreshold, type GroundingDetector } from '../grounding-detector.ts';
import { activeWebGpuDevice } from '../runtime/tfjs-internals.ts';
import type { PixelImage } from '../image/preprocess.ts';
import { GuardedEngine } from '../runtime/guarded-engine.ts';
import type { EncodedPrompt } from '../text/encode-prompt.ts';
import type { PromptInput } from '../text/prompt.ts';
import { promptWarning } from '../text/prompt-warning.ts';
import type { BackendName, BackendRequest, ChunkProgress, Detection, EngineInfo, HostEvent, LoadProgress, ModelFileBytes, Request, ResultOf } from './protocol.ts';
import { CANDIDATE_THRESHOLD } from './protocol.ts';
import type { TunedPromptData, TuneExample, TuneOutcome, TuneProgress, TuneSettings } from './tune-protocol.ts';

export { CANDIDATE_THRESHOLD };

/** The detector the host drives: GlipDetector, or a stand-in in tests. */
export interface Engine extends GroundingDetector {
  dispose(): void;
  /** Any prompt the detector takes (a string, a name list, a chunk's prompt); the encoding also says how many tokens it read. */
  encodePrompt(prompt: PromptInput): Promise<Pick<EncodedPrompt, 'phrases' | 'dropped' | 'inputIds'>>;
  /** How often each stage really ran. */
  readonly counters: DetectorCounters;
  /** The model's identity, when it came from a model folder. */
  readonly modelSha256?: string | null;
  /** Per-stage wall times of the last `detect`, in ms, when the engine measures them. */
  readonly lastTimings?: Record<string, number>;
  /** Detection; with `promptOffset`, a tuned prompt's offset added to the prompt's language features. */
  detect(image: PixelImage, prompt: PromptInput, options?: { threshold?: number; promptOffset?: TunedPromptData }): Promise<Detection[]>;
  /** Learns a prompt offset on `examples` (GlipDetector.tunePrompt); stops after the current step once `signal` aborts. */
  tunePrompt?(
    examples: TuneExample[],
    prompt: string,
    options: TuneSettings & { signal: AbortSignal },
    onProgress: (progress: TuneProgress) => void,
  ): Promise<Omit<TuneOutcome, 'cancelled'>>;
}

export interface EngineFactory {
  /** Activates a tfjs backend from `order` and says which. */
  chooseBackend(requested?: BackendRequest): Promise<{ backend: BackendName; backendReason: string; fallbackReason?: string; adapter?: string }>;
  load(model: string | ModelFileBytes, onProgress: (progress: LoadProgress) => void): Promise<Engine>;
}


/** Images kept for `detect` by id (pixels only; the engine keeps its own feature cache). */
const KEPT_IMAGES = 8;

const now = (): number => performance.now();

export class EngineHost {
  /** The loaded engine behind runtime/guarded-engine.ts: GPU errors and device loss become typed errors, and a lost device is replaced on the next request. */
  private engine: GuardedEngine<Engine> | null = null;
  private readonly images = new Map<number, PixelImage>();
  private candidates: Detection[] = [];
  /** The running `tune` requests by id, so that a `cancelTune` (which does not queue) can stop one. */
  private readonly tunes = new Map<number, AbortController>();
  /** Requests run one at a time, in order: a `detect` sent during a `load` waits for the new engine. */
  private readonly queue = new CallQueue();

  constructor(private readonly factory: EngineFactory) {}

  /**
   * Runs one request after every earlier one settled; `emit` hears what the request reports on the
   * way (loading progress of a `load`, each finished chunk of a `detectChunked`, each step of a
   * `tune`), as the worker's messages carry them. A `cancelTune` runs at once, beside the queue.
   */
  handle<R extends Request>(request: R, emit: (event: HostEvent) => void): Promise<ResultOf[R['type']]> {
    if (request.type === 'cancelTune') {
      this.tunes.get(request.tuneId)?.abort();
      return Promise.resolve(null as ResultOf[R['type']]);
    }
    return this.queue.run(async () => (await this.dispatch(request, emit)) as ResultOf[R['type']]);
  }

  private async dispatch(request: Request, emit: (event: HostEvent) => void): Promise<ResultOf[keyof ResultOf]> {
    switch (request.type) {
      case 'load':
        return this.load(request.model, request.options.backend, (progress) => emit({ type: 'progress', progress }));
      case 'encodeImage': {
        const pixels = await toPixels(request.image);
        this.images.set(request.imageId, pixels);
        for (const id of this.images.keys()) if (this.images.size > KEPT_IMAGES) this.images.delete(id);
        await this.ready().run((engine) => engine.encodeImage(pixels));
        return null;
      }
      case 'encodePrompt': {
        const { phrases, dropped } = await this.ready().run((engine) => engine.encodePrompt(request.prompt));
        return { phrases, dropped, warning: promptWarning({ dropped }) };
      }
      case 'detect':
        return this.detect(request.imageId, request.prompt, request.threshold);
      case 'detectChunked':
        return this.detectChunked(request, (chunk) => emit({ type: 'chunk', chunk }));
      case 'detectTuned':
        return this.detect(request.imageId, request.tuned.caption, request.threshold, request.tuned);
      case 'tune':
        return this.tune(request.id, request.examples, request.prompt, request.options, (progress) => emit({ type: 'tuneProgress', progress }));
      case 'cancelTune':
        return null; // handled beside the queue
      case 'rethreshold':
        return aboveThreshold(this.candidates, request.threshold);
      case 'counters':
        return this.ready().run(async (engine) => ({ ...engine.counters }));
      case 'dispose':
        await this.engine?.dispose();
        this.engine = null;
        this.images.clear();
        this.candidates = [];
        return null;
    }
  }

  private async load(model: string | ModelFileBytes, backend: BackendRequest | undefined, onProgress: (p: LoadProgress) => void): Promise<EngineInfo> {
    const start = now();
    await this.engine?.dispose();
    this.engine = null;
    let chosen: Awaited<ReturnType<EngineFactory['chooseBackend']>> | undefined;
    let modelSha256: string | null = null;
    // Called again after a device loss: a new device, and the weights again (from the weights cache).
    const engine = new GuardedEngine<Engine>(async () => {
      chosen = await this.factory.chooseBackend(backend);
      const loaded = await this.factory.load(model, onProgress);
      modelSha256 = loaded.modelSha256 ?? null;
      return { engine: loaded, device: activeWebGpuDevice(), ownsDevice: true };
    });
    try {
      await engine.run(async () => null); // load now, so that load errors reach the `load` request
    } catch (e) {
      await engine.dispose();
      throw e;
    }
    this.engine = engine;
    return { ...chosen!, loadMs: now() - start, modelSha256 };
  }

  private async tune(id: number, examples: TuneExample[], prompt: string, settings: TuneSettings, onProgress: (p: TuneProgress) => void): Promise<TuneOutcome> {
    const controller = new AbortController();
    this.tunes.set(id, controller);
    try {
      const tuned = await this.ready().run((engine) => {
        if (!engine.tunePrompt) throw new Error('this engine cannot tune prompts');
        return engine.tunePrompt(examples, prompt, { ...settings, signal: controller.signal }, onProgress);
      });
      return { ...tuned, cancelled: controller.signal.aborted };
    } finally {
      this.tunes.delete(id);
    }
  }

  /** Detection with the prompt as it is, or with a tuned prompt's offset (`tuned`, whose caption is `prompt`). */
  private async detect(imageId: number, prompt: string, threshold: number, tuned?: TunedPromptData): Promise<ResultOf['detect']> {
    const engine = this.ready();
    const image = this.image(imageId);
    const start = now();
    const { detections, stages, cached, phrases, dropped } = await engine.run(async (e) => {
      const before = { ...e.counters };
      const textStart = now();
      const { phrases, dropped } = await e.encodePrompt(prompt); // detect then finds it cached
      const textMs = now() - textStart;
      const candidateThreshold = Math.min(threshold, CANDIDATE_THRESHOLD);
      const detections = await e.detect(image, prompt, tuned ? { threshold: candidateThreshold, promptOffset: tuned } : { threshold: candidateThreshold });
      // What really ran in this call, by the engine's counters: its own `lastTimings` reports 0 for a
      // stage its cache served, which the prompt's stage always is after the `encodePrompt` above.
      const textRan = e.counters.textRuns > before.textRuns;
      const backboneRan = e.counters.backboneRuns > before.backboneRuns;
      return {
        detections,
        stages: { ...e.lastTimings, ...(textRan ? { text: textMs } : {}) },
        cached: [...(textRan ? [] : ['text' as const]), ...(backboneRan ? [] : ['backbone' as const])],
        phrases,
        dropped,
      };
    });
    this.candidates = detections;
    return {
      detections: aboveThreshold(this.candidates, threshold),
      phrases,
      dropped,
      timings: { totalMs: now() - start, stages, cached },
      promptWarning: promptWarning({ dropped }),
    };
  }

  /**
   * The vocabulary's chunks on the image sent as `imageId` (its features computed once), each reported
   * as it finishes; detections kept at the candidate threshold, as `detect` keeps them, so
   * `rethreshold` re-filters the merge. Stage times are summed over the chunks.
   */
  private async detectChunked(request: Extract<Request, { type: 'detectChunked' }>, onChunk: (progress: ChunkProgress) => void): Promise<ResultOf['detectChunked']> {
    const engine = this.ready();
    const image = this.image(request.imageId);
    const start = now();
    const { result, stages, cached } = await engine.run(async (e) => {
      const before = { ...e.counters };
      const stages: Record<string, number> = {};
      let textMs = 0;
      const timed: ChunkDetector = {
        encodeImage: (img) => e.encodeImage(img),
        async encodePrompt(prompt) {
          const textStart = now();
          const encoded = await e.encodePrompt(prompt); // the chunk's detect then finds it cached
          textMs += now() - textStart;
          return encoded;
        },
        async detect(img, prompt, options) {
          const detections = await e.detect(img, prompt, options);
          for (const [stage, ms] of Object.entries(e.lastTimings ?? {})) stages[stage] = (stages[stage] ?? 0) + ms;
          return detections;
        },
      };
      const result = await detectChunked(timed, image, request.prompt, {
        threshold: Math.min(request.threshold, CANDIDATE_THRESHOLD),
        namesPerChunk: request.namesPerChunk,
        onChunk: (done, total) => onChunk({ done, total }),
      });
      const textRan = e.counters.textRuns > before.textRuns;
      const backboneRan = e.counters.backboneRuns > before.backboneRuns;
      return {
        result,
        stages: { ...stages, ...(textRan ? { text: textMs } : {}) },
        cached: [...(textRan ? [] : ['text' as const]), ...(backboneRan ? [] : ['backbone' as const])],
      };
    });
    this.candidates = result.detections;
    const grounded = new Set(result.chunks.flatMap((c) => c.phrases));
    return {
      detections: aboveThreshold(result.detections, request.threshold),
      phrases: result.prompt.phrases.filter((_, i) => grounded.has(i)).map((p) => ({ text: p.text, charSpan: [p.charSpan[0], p.charSpan[1]] })),
      dropped: result.dropped,
      chunks: result.chunks,
      timings: { totalMs: now() - start, stages, cached },
      promptWarning: promptWarning(result),
    };
  }

  private image(imageId: number): PixelImage {
    const image = this.images.get(imageId);
    if (!image) throw new Error(`image ${imageId} is unknown to the worker: encode it first (only the last ${KEPT_IMAGES} images are kept)`);
    return image;
  }

  private ready(): GuardedEngine<Engine> {
    if (!this.engine) throw new Error('no model is loaded: send `load` first');
    return this.engine;
  }
}

/** ImageBitmap (what pages transfer) → RGBA pixels (what the engine takes). */
async function toPixels(image: ImageBitmap | PixelImage): Promise<PixelImage> {
  if (!('close' in image)) return image;
  const { width, height } = image;
  const canvas = new OffscreenCanvas(width, height);
  const context = canvas.getContext('2d');
  if (!context) throw new Error('OffscreenCanvas 2d context is unavailable in this worker');
  context.drawImage(image, 0, 0);
  image.close();
  return context.getImageData(0, 0, width, height);
}

// The typed messages between a page (GlipClient) and the engine's Web Worker (worker.ts). Every
// request carries an `id`; the worker answers with any number of `progress` messages and then
// exactly one `result` or `error` for that id. Errors travel as plain payloads and are re-thrown on
// the page as the same GlipError subclass (see `reviveError`).
import * as errors from '../errors.ts';
import { GlipError } from '../errors.ts';
import type { ChunkedDetection, DetectedChunk } from '../chunked-detect.ts';
import type { DetectorCounters } from '../detector.ts';
import type { PromptPhrases } from '../grounding-detector.ts';
import type { PixelImage } from '../image/preprocess.ts';
import type { Detection } from '../postprocess/detection.ts';
import type { DroppedPhrase } from '../text/encode-prompt.ts';
import type { Phrase } from '../text/prompt.ts';
import type { BackendRequest } from '../runtime/backend-choice.ts';
import type { BackendKind as BackendName } from '../runtime/device.ts';
import type { LoadProgress } from '../weights/load-model.ts';
import type { TunedPromptData, TuneExample, TuneOutcome, TuneProgress, TuneSettings } from './tune-protocol.ts';

/**
 * Detections are computed once at this threshold and filtered for higher ones. Greedy NMS only
 * lets a box be suppressed by higher-scoring boxes, so filtering afterwards gives the same boxes as
 * thresholding first (up to the engine's top-k caps).
 */
export const CANDIDATE_THRESHOLD = 0.05;

/** The default score threshold of the demo, the widget and the CLI (postprocess/default-threshold.ts says why 0.4). */
export { DEFAULT_THRESHOLD } from '../postprocess/default-threshold.ts';

/** One detected object, in the original image's pixel coordinates (the engine API's JSON). */
export type { Detection };

/** tfjs backends the engine can run on, best first. */
export type { BackendKind as BackendName } from '../runtime/device.ts';
/** A backend by name, or 'auto' (the default): the fastest for this machine. */
export type { BackendRequest } from '../runtime/backend-choice.ts';

/** Structured loading progress (manifest, shard download with bytes, decode), as the weights loader reports it. */
export type { LoadProgress } from '../weights/load-model.ts';

/** Prompt tuning's messages (tune-protocol.ts). */
export type { LabelledBox, TunedPromptData, TuneExample, TuneOutcome, TuneProgress, TuneSettings } from './tune-protocol.ts';

/** What `load` reports once the engine is ready. */
export interface EngineInfo {
  backend: BackendName;
  /** Why this backend runs, in words for the user (runtime/device.ts `BackendSelection.reason`). */
  backendReason: string;
  /** Set when the engine runs without WebGPU: why, in words for the user. */
  fallbackReason?: string;
  /** GPU adapter description when on WebGPU (vendor · architecture). */
  adapter?: string;
  /** Wall time of choosing the backend, loading the weights and (on WebGPU) compiling the GPU pipelines. */
  loadMs: number;
  /** The model's identity (weights/model-identity.ts): what a tuned-prompt file must name. */
  modelSha256: string | null;
}

/** Wall times of one `detect` call, in milliseconds; `stages` as the engine reports them. */
export interface DetectTimings {
  totalMs: number;
  stages: Record<string, number>;
  /**
   * The stages the engine's caches served in this call, by its counters (their `stages` time is 0):
   * the prompt's text encoding when this prompt was encoded before, the image's backbone when this
   * image was (by `encodeImage`, or an earlier `detect`).
   */
  cached: ('text' | 'backbone')[];
}

export interface DetectResult extends PromptPhrases {
  detections: Detection[];
  timings: DetectTimings;
  /** Which prompt phrases the model did not see and why (text/prompt-warning.ts), or null when it saw all. */
  promptWarning: string | null;
}

/** What `encodePrompt` reports: the engine's phrases (those it grounds, those it drops) and the prompt warning (null when every phrase is seen). */
export interface PromptInfo extends PromptPhrases {
  warning: string | null;
}

/** A vocabulary: a user string (parsed as the engine parses prompts) or a list of names (a repeated name is an error). */
export type Vocabulary = string | readonly string[];

/** Chunks of a `detectChunked` done so far, of those known (the total grows when a chunk must be cut again). */
export interface ChunkProgress {
  done: number;
  total: number;
}

/** What `detectChunked` resolves to: every chunk's detections merged, named in the original prompt. */
export interface ChunkedDetectReply {
  /** Best first; `phrase` and `charSpan` refer to the original prompt, `chunk` indexes `chunks`. */
  detections: ChunkedDetection[];
  /** The prompt's phrases some chunk grounds, in prompt order (spans in the original prompt). */
  phrases: Phrase[];
  dropped: DroppedPhrase[];
  chunks: DetectedChunk[];
  /** Stages summed over the chunks; `cached` as for `detect`. */
  timings: DetectTimings;
  promptWarning: string | null;
}

/** How often each engine stage ran (the detector's own counters), for tests and the stats panel. */
export type { DetectorCounters } from '../detector.ts';

export interface LoadOptions {
  /** The backend to start from (default 'auto': WebGPU on a GPU, wasm on a software adapter); the engine falls back webgpu → wasm → cpu. */
  backend?: BackendRequest;
}

/** A model folder given as in-memory files (a local folder, or a converted checkpoint): name → bytes. */
export type ModelFileBytes = Record<string, ArrayBuffer>;

export type Request =
  | { id: number; type: 'load'; model: string | ModelFileBytes; options: LoadOptions }
  | { id: number; type: 'encodeImage'; imageId: number; image: ImageBitmap | PixelImage }
  | { id: number; type: 'encodePrompt'; prompt: string }
  | { id: number; type: 'detect'; imageId: number; prompt: string; threshold: number }
  | { id: number; type: 'detectChunked'; imageId: number; prompt: Vocabulary; threshold: number; namesPerChunk?: number }
  | { id: number; type: 'rethreshold'; threshold: number }
  | { id: number; type: 'counters' }
  | { id: number; type: 'dispose' }
  | { id: number; type: 'tune'; examples: TuneExample[]; prompt: string; options: TuneSettings }
  /** Stops the `tune` request `tuneId` after its current step; it resolves with the last good offset. Not queued. */
  | { id: number; type: 'cancelTune'; tuneId: number }
  | { id: number; type: 'detectTuned'; imageId: number; tuned: TunedPromptData; threshold: number };

/** What each request type resolves to on the page. */
export interface ResultOf {
  load: EngineInfo;
  encodeImage: null;
  encodePrompt: PromptInfo;
  detect: DetectResult;
  detectChunked: ChunkedDetectReply;
  rethreshold: Detection[];
  counters: DetectorCounters;
  dispose: null;
  tune: TuneOutcome;
  cancelTune: null;
  detectTuned: DetectResult;
}

/** An error as it crosses the worker boundary. */
export interface ErrorPayload {
  /** Class name: a GlipError subclass from errors.ts, or a built-in Error name. */
  name: string;
  code?: string;
  message: string;
  stack?: string;
}

/** What a request reports before its result: loading progress, a finished chunk, a tuning step. */
export type HostEvent =
  | { type: 'progress'; progress: LoadProgress }
  | { type: 'chunk'; chunk: ChunkProgress }
  | { type: 'tuneProgress'; progress: TuneProgress };

export type Response =
  | ({ id: number } & HostEvent)
  | { id: number; type: 'result'; value: ResultOf[keyof ResultOf] }
  | { id: number; type: 'error'; error: ErrorPayload };

/** Flattens any thrown value into a payload that survives structured cloning. */
export function errorPayload(e: unknown): ErrorPayload {
  if (e instanceof GlipError) return { name: e.name, code: e.code, message: e.message, stack: e.stack };
  if (e instanceof Error) return { name: e.name, message: e.message, stack: e.stack };
  return { name: 'Error', message: String(e) };
}

type ErrorClass = abstract new (...args: never[]) => Error;

/**
 * Error classes by their export name, which each class also sets as its `name` (errors.test.ts
 * checks this). Not `cls.name`: production builds minify class names.
 */
const GLIP_ERROR_CLASSES: Map<string, ErrorClass> = new Map(
  (Object.entries(errors) as [string, unknown][])
    .filter((entry): entry is [string, ErrorClass] => typeof entry[1] === 'function' && (entry[1] === GlipError || entry[1].prototype instanceof GlipError)),
);

/** Rebuilds the error a payload describes, as an instance of the same GlipError subclass when there is one. */
export function reviveError(payload: ErrorPayload): Error {
  const cls = GLIP_ERROR_CLASSES.get(payload.name);
  // Subclass constructors compose their own messages, so build the instance without calling them.
  const error: Error = cls ? Reflect.construct(Error, [payload.message], cls) : new Error(payload.message);
  Object.defineProperty(error, 'name', { value: payload.name, configurable: true, writable: true });
  if (payload.code !== undefined) Object.defineProperty(error, 'code', { value: payload.code, enumerable: true });
  if (payload.stack) error.stack = payload.stack;
  return error;
}

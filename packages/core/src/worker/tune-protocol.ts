// The worker protocol's prompt-tuning messages (protocol.ts holds the unions they join): what a page
// sends to tune a prompt on its own examples, what the worker reports while it tunes, and what comes
// back. Everything is structured-clonable; an offset travels as a Float32Array (transferred).
import type { PixelImage } from '../image/preprocess.ts';

/** One annotated object: `box` x0, y0, x1, y1 in the example image's pixels, `phrase` one of the prompt's phrases. */
export interface LabelledBox {
  box: [number, number, number, number];
  phrase: string;
}

/** A training image with the objects in it. */
export interface TuneExample {
  image: PixelImage;
  boxes: LabelledBox[];
}

/** Settings of a tuning run (the engine's defaults where left out). */
export interface TuneSettings {
  /** Optimisation steps. */
  steps?: number;
  /** AdamW learning rate (GLIP's 0.05 by default). */
  learningRate?: number;
}

/** What the worker reports after each tuning step. */
export interface TuneProgress {
  /** 1-based step just finished. */
  step: number;
  steps: number;
  /** Total detection loss of this step. */
  loss: number;
  /** Its parts by name (classification, box regression, centerness). */
  parts: Record<string, number>;
  examplesPerSecond: number;
}

/**
 * A learned prompt offset: `offset` `[T·D]` row-major for the caption's T tokens (`tokenIds`) and the
 * model's language width D, added to the language features before the fusion head.
 */
export interface TunedPromptData {
  caption: string;
  tokenIds: number[];
  shape: [number, number];
  offset: Float32Array;
}

/** What a finished (or cancelled) tuning run returns: the offset and how it got there (GlipDetector.tunePrompt's result). */
export interface TuneOutcome extends TunedPromptData {
  finalLoss: number;
  stopReason: 'completed' | 'cancelled' | 'non-finite-loss';
  settings: { steps: number; learningRate: number; weightDecay: number; batchSize: number; examples: number };
  /** Steps actually run (fewer than asked when cancelled). */
  steps: number;
  /** True when the page cancelled it: the offset is the last good one. */
  cancelled: boolean;
}

// The detector's interface: what GlipDetector (the engine, in this thread) and GlipClient (the same
// engine in a Web Worker, worker/client.ts) both offer, so code written against one runs on the other
// (WebLLM's worker engine implements its engine's interface the same way). Also the one threshold
// rule and default every layer applies.
import type { PixelImage } from './image/preprocess.ts';
import type { Detection } from './postprocess/detection.ts';
import type { DroppedPhrase, GroundedPhrase } from './text/encode-prompt.ts';

/** The default score threshold of `detect`, everywhere (engine, worker, widget, demo, CLI). */
export { DEFAULT_THRESHOLD } from './postprocess/default-threshold.ts';

/** The official rule (GLIPDemo): keep detections scoring strictly above the threshold. */
export function aboveThreshold<D extends Pick<Detection, 'score'>>(detections: readonly D[], threshold: number): D[] {
  return detections.filter((d) => d.score > threshold);
}

/** What encoding a prompt tells: the phrases the model grounds (in order) and those it cannot see. */
export interface PromptPhrases {
  phrases: GroundedPhrase[];
  dropped: DroppedPhrase[];
}

export interface GroundingDetector {
  /** Runs the image backbone on `image` (its features are cached for later prompts). */
  encodeImage(image: PixelImage): Promise<unknown>;
  /** Tokenises and encodes a prompt ahead of `detect` (cached). */
  encodePrompt(prompt: string): Promise<PromptPhrases>;
  /** Boxes for the prompt's phrases, best first, in `image`'s pixels, scoring above `threshold` (default DEFAULT_THRESHOLD). */
  detect(image: PixelImage, prompt: string, options?: { threshold?: number }): Promise<Detection[]>;
  /** Frees the engine; it cannot be used afterwards. */
  dispose(): void | Promise<void>;
}

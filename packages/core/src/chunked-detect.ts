// Detection with a vocabulary of any length: the prompt is cut into chunks that each fit the model's
// window (text/prompt-chunks.ts), the image is encoded once, and every chunk runs BERT + the fusion
// head + post-processing on the cached image features (GlipDetector's image cache: `backboneRuns`
// rises by one for the whole call). The chunks' detections are merged as GLIP's chunked evaluation
// merges them: concatenated (the official BoxList concatenation, no NMS across chunks), here sorted
// best first; each box names its phrase and char span in the ORIGINAL prompt.
//
// Score semantics. A GLIP score is sigmoid(region · token) averaged over the phrase's tokens
// (times centerness): an independent per-(box, phrase) probability, not a softmax over the phrases
// of a prompt. That is why GLIP can concatenate chunks: a box scored 0.6 for "cat" in chunk 1 and one
// scored 0.4 for "dog" in chunk 2 are on the same scale, and one threshold / one ranking over the
// merge means what it means within a single prompt. Where they are not comparable:
// - context: BERT reads each chunk alone and the fusion layers mix the image with that chunk's text,
//   so a phrase's score depends on the other names in its chunk; the same name in another chunk (or
//   in one long prompt, were it to fit) scores differently, and no calibration between chunks exists;
// - no suppression across chunks: NMS is per phrase, and a phrase lives in one chunk, so this is the
//   same as within one prompt; but two names for one object in different chunks both keep their box;
// - caps are per chunk: PRE_NMS_TOP_N per level and DETECTIONS_PER_IMG (config.postprocess) apply
//   to each chunk, so k chunks return up to k × DETECTIONS_PER_IMG boxes (GLIP keeps them all; pass
//   `maxDetections` to keep only the best over the merge).
// Cost: one image pass + k × (text + head). Chunks are planned with the detector's own encoding: a
// chunk that turns out longer than the window is cut at its first phrase past the window, and that
// BERT run is spent (one extra text run per overflowing chunk, `counters.textRuns`).
import { DEFAULT_THRESHOLD } from './postprocess/default-threshold.ts';
import { PromptError } from './errors.ts';
import type { PixelImage } from './image/preprocess.ts';
import type { Detection } from './postprocess/detection.ts';
import { MAX_QUERY_LEN } from './text/encode-prompt.ts';
import type { DroppedPhrase, EncodedPrompt } from './text/encode-prompt.ts';
import type { Phrase, Prompt, PromptInput } from './text/prompt.ts';
import { toPrompt } from './text/prompt.ts';
import type { PromptChunk } from './text/prompt-chunks.ts';
import { chunkPrompt, DEFAULT_NAMES_PER_CHUNK, splitChunk, wholeChunk } from './text/prompt-chunks.ts';

/** What chunked detection needs of a detector (GlipDetector, or the engine behind the worker's host). */
export interface ChunkDetector {
  encodeImage(image: PixelImage): Promise<unknown>;
  encodePrompt(prompt: Prompt): Promise<Pick<EncodedPrompt, 'phrases' | 'dropped' | 'inputIds'>>;
  detect(image: PixelImage, prompt: Prompt, options: { threshold: number }): Promise<Detection[]>;
}

export interface ChunkedDetectOptions {
  /** Keep detections scoring above this, in every chunk. Default DEFAULT_THRESHOLD (0.4). */
  threshold?: number;
  /** Phrases per chunk when a prompt must be cut (GLIP's TEST.CHUNKED_EVALUATION). Default 40. */
  namesPerChunk?: number;
  /**
   * 'when-needed' (default): one chunk when the prompt fits the window, else chunks of
   * `namesPerChunk`; 'always': chunks of `namesPerChunk` even when it fits (GLIP's LVIS protocol).
   */
  chunking?: 'when-needed' | 'always';
  /** Keep only the best this many detections of the merge (default: all, as GLIP). */
  maxDetections?: number;
  /** After each chunk: chunks done and the number known so far (it grows when a chunk is cut). */
  onChunk?: (done: number, total: number) => void;
}

export interface ChunkedDetection extends Detection {
  /** Which chunk found it (index into `ChunkedDetectResult.chunks`); `tokenIndices` are that chunk's token positions. */
  chunk: number;
}

export interface DetectedChunk {
  /** The chunk's caption, and where it starts in the original caption. */
  caption: string;
  offset: number;
  /** Indices of the original prompt's phrases the chunk grounds. */
  phrases: number[];
  /** Tokens the model read for the chunk, [CLS] and [SEP] included. */
  tokens: number;
}

export interface ChunkedDetectResult {
  /** The prompt as given; detections' phrases and char spans refer to it. */
  prompt: Prompt;
  /** Best first. */
  detections: ChunkedDetection[];
  chunks: DetectedChunk[];
  /** Phrases no chunk grounds (spans in the original prompt): repeated, or with no token. */
  dropped: DroppedPhrase[];
}

type ChunkEncoding = Awaited<ReturnType<ChunkDetector['encodePrompt']>>;

const normalized = (text: string): string => text.toLowerCase().replace(/\s+/gu, ' ').trim();

export async function detectChunked(detector: ChunkDetector, image: PixelImage, input: PromptInput, options: ChunkedDetectOptions = {}): Promise<ChunkedDetectResult> {
  const threshold = options.threshold ?? DEFAULT_THRESHOLD;
  const namesPerChunk = options.namesPerChunk ?? DEFAULT_NAMES_PER_CHUNK;
  const prompt = toPrompt(input);
  if (Array.isArray(input)) rejectDuplicateNames(input as readonly string[]);
  const { start, dropped } = withoutRepeats(prompt);
  const queue = options.chunking === 'always' ? chunkPrompt(start, namesPerChunk) : [start];

  await detector.encodeImage(image); // the one image pass; every chunk's detect reuses it
  const detections: ChunkedDetection[] = [];
  const chunks: DetectedChunk[] = [];
  while (queue.length > 0) {
    const chunk = queue.shift() as PromptChunk;
    const encoded = await encodeOrCut(detector, chunk, namesPerChunk);
    if (Array.isArray(encoded)) {
      queue.unshift(...encoded);
      continue;
    }
    const index = chunks.length;
    const byspan = new Map(chunk.prompt.phrases.map((p, i) => [spanKey(p), chunk.origin[i]]));
    for (const d of encoded.dropped) dropped.push({ ...prompt.phrases[originOf(byspan, d)], reason: d.reason });
    for (const d of await detector.detect(image, chunk.prompt, { threshold })) {
      const original = prompt.phrases[originOf(byspan, d)];
      detections.push({ ...d, phrase: original.text, charSpan: [...original.charSpan], chunk: index });
    }
    chunks.push({ caption: chunk.prompt.caption, offset: chunk.offset, phrases: encoded.phrases.map((p) => originOf(byspan, p)), tokens: encoded.inputIds.length });
    options.onChunk?.(chunks.length, chunks.length + queue.length);
  }
  detections.sort((a, b) => b.score - a.score);
  if (options.maxDetections !== undefined) detections.length = Math.min(detections.length, options.maxDetections);
  return { prompt, detections, chunks, dropped };
}

const spanKey = (p: Pick<Phrase, 'charSpan'>): string => `${p.charSpan[0]}:${p.charSpan[1]}`;

function originOf(byspan: Map<string, number>, p: Pick<Phrase, 'charSpan'>): number {
  const i = byspan.get(spanKey(p));
  if (i === undefined) throw new RangeError(`no phrase of the chunk has span [${p.charSpan.join(', ')})`);
  return i;
}

/**
 * The chunk's encoding when every phrase fits the window, else the chunks to try instead: GLIP's
 * groups of `namesPerChunk` when the chunk has more phrases, else the chunk cut at its first phrase
 * past the window. A single phrase that does not fit, even read alone, is a PromptError.
 */
async function encodeOrCut(detector: ChunkDetector, chunk: PromptChunk, namesPerChunk: number): Promise<ChunkEncoding | PromptChunk[]> {
  const regroup = (): PromptChunk[] | null => (chunk.prompt.phrases.length > namesPerChunk ? chunkPrompt(chunk, namesPerChunk) : null);
  let encoded: ChunkEncoding;
  try {
    encoded = await detector.encodePrompt(chunk.prompt);
  } catch (e) {
    if (!(e instanceof PromptError)) throw e;
    // no phrase fits: every phrase lies past the window
    const n = chunk.prompt.phrases.length;
    if (n > 1) return regroup() ?? splitChunk(chunk, Math.ceil(n / 2));
    return [alone(chunk)];
  }
  const past = encoded.dropped.filter((d) => d.reason === 'truncated');
  if (past.length === 0) return encoded;
  const regrouped = regroup();
  if (regrouped) return regrouped;
  const firstPast = Math.min(...past.map((d) => d.charSpan[0]));
  const kept = chunk.prompt.phrases.filter((p) => p.charSpan[0] < firstPast).length;
  return splitChunk(chunk, kept);
}

/** A one-phrase chunk read from its phrase's start (no leading words); if it already is, the phrase alone is too long. */
function alone(chunk: PromptChunk): PromptChunk {
  const [phrase] = chunk.prompt.phrases;
  const [s, e] = phrase.charSpan;
  if (!/[\p{L}\p{N}]/u.test(phrase.text)) throw new PromptError(`the phrase ${JSON.stringify(phrase.text)} maps to no token: use words, not only symbols`);
  if (s === 0) {
    throw new PromptError(`the phrase ${JSON.stringify(phrase.text.length > 60 ? `${phrase.text.slice(0, 60)}…` : phrase.text)} alone is longer than the ${MAX_QUERY_LEN} tokens the model reads: shorten it`);
  }
  return {
    prompt: { caption: chunk.prompt.caption.slice(s), phrases: [{ text: phrase.text, charSpan: [0, e - s] }] },
    offset: chunk.offset + s,
    origin: chunk.origin,
  };
}

/** A category list naming one category twice is a PromptError naming both positions. */
function rejectDuplicateNames(names: readonly string[]): void {
  const seen = new Map<string, number>();
  names.forEach((name, i) => {
    const first = seen.get(normalized(name));
    if (first !== undefined) throw new PromptError(`names ${first} and ${i} of the vocabulary are both ${JSON.stringify(name)}: give each name once`);
    seen.set(normalized(name), i);
  });
}

/** The prompt without phrases that repeat an earlier one (reported 'duplicate', as a single prompt does), unless it grounds repeats. */
function withoutRepeats(prompt: Prompt): { start: PromptChunk; dropped: DroppedPhrase[] } {
  if (prompt.groundRepeats) return { start: wholeChunk(prompt), dropped: [] };
  const seen = new Set<string>();
  const dropped: DroppedPhrase[] = [];
  const origin: number[] = [];
  prompt.phrases.forEach((p, i) => {
    if (seen.has(normalized(p.text))) dropped.push({ ...p, reason: 'duplicate' });
    else {
      seen.add(normalized(p.text));
      origin.push(i);
    }
  });
  return { start: { prompt: { caption: prompt.caption, phrases: origin.map((i) => prompt.phrases[i]) }, offset: 0, origin }, dropped };
}

// Prompts longer than the model's window, cut into chunks the way GLIP's chunked evaluation does
// (TEST.CHUNKED_EVALUATION in maskrcnn_benchmark/engine/inference.py): consecutive groups of at most
// `namesPerChunk` phrases (GLIP's usual setting: 40), each chunk its own caption and positive map,
// read by BERT and the fusion head on its own. A cut is always between two phrases, never inside one.
//
// A chunk's caption is the original caption from the chunk's first phrase (the first chunk: from 0)
// up to the next chunk's first phrase (the last chunk: to the end), minus the list separator and
// whitespace after its last phrase. For GLIP's detection query ("a. b. c", see category-query.ts) this
// is exactly the caption create_queries_and_maps builds for the chunk's names; for GLIPDemo's list
// ("a . b . c . ") every chunk but the last loses its trailing " . "; for a sentence, the words
// between two phrases go with the earlier one.
import { PromptError } from '../errors.ts';
import type { Phrase, Prompt } from './prompt.ts';

/** GLIP's chunk size for vocabularies (LVIS: TEST.CHUNKED_EVALUATION 40). */
export const DEFAULT_NAMES_PER_CHUNK = 40;

export interface PromptChunk {
  /** The chunk's own caption and phrases (spans in the chunk's caption). */
  prompt: Prompt;
  /** Offset of the chunk's caption in the original caption. */
  offset: number;
  /** For each phrase of `prompt`, its index in the original prompt's phrases. */
  origin: number[];
}

/** The whole prompt as one chunk. */
export function wholeChunk(prompt: Prompt): PromptChunk {
  return { prompt, offset: 0, origin: prompt.phrases.map((_, i) => i) };
}

/** The chunk's phrases in groups of at most `namesPerChunk`, cut where no phrase overlaps the cut. */
export function chunkPrompt(chunk: PromptChunk, namesPerChunk = DEFAULT_NAMES_PER_CHUNK): PromptChunk[] {
  if (!(Number.isInteger(namesPerChunk) && namesPerChunk >= 1)) throw new RangeError(`namesPerChunk must be a positive integer, got ${namesPerChunk}`);
  const order = sortedPhrases(chunk);
  const parts: PromptChunk[] = [];
  let rest = chunk;
  let restOrder = order;
  while (restOrder.length > namesPerChunk) {
    const [head, tail] = cutAt(rest, restOrder, namesPerChunk);
    parts.push(head);
    rest = tail;
    restOrder = sortedPhrases(tail);
  }
  parts.push(rest);
  return parts;
}

/**
 * Two chunks: the chunk's first `count` phrases (in caption order) and the rest; where phrases
 * overlap the cut moves to the nearest earlier phrase boundary (else the nearest later one). Throws a PromptError when no cut exists (its phrases overlap in a chain from first to last).
 */
export function splitChunk(chunk: PromptChunk, count: number): [PromptChunk, PromptChunk] {
  return cutAt(chunk, sortedPhrases(chunk), count);
}

/** Indices of the chunk's phrases by start (then end), as the caption reads them. */
function sortedPhrases(chunk: PromptChunk): number[] {
  return chunk.prompt.phrases.map((_, i) => i).sort((a, b) => {
    const [pa, pb] = [chunk.prompt.phrases[a].charSpan, chunk.prompt.phrases[b].charSpan];
    return pa[0] - pb[0] || pa[1] - pb[1];
  });
}

function cutAt(chunk: PromptChunk, order: number[], count: number): [PromptChunk, PromptChunk] {
  const phrases = chunk.prompt.phrases;
  // a cut before order[k] is valid when every earlier phrase ends at or before order[k]'s start
  const endBefore = (j: number): number => Math.max(...order.slice(0, j).map((i) => phrases[i].charSpan[1]));
  const valid = (j: number): boolean => endBefore(j) <= phrases[order[j]].charSpan[0];
  let k = Math.min(Math.max(count, 1), order.length - 1);
  while (k > 0 && !valid(k)) k--; // the nearest cut at or before `count`, else the nearest after it
  for (let j = count + 1; k === 0 && j < order.length; j++) if (valid(j)) k = j;
  if (k === 0) {
    throw new PromptError(`the phrase ${JSON.stringify(phrases[order[0]].text)} cannot be split from the phrases that overlap it: give non-overlapping phrases`);
  }
  const cut = phrases[order[k]].charSpan[0];
  const headEnd = trimSeparatorEnd(chunk.prompt.caption, cut, endBefore(k));
  return [sub(chunk, order.slice(0, k), 0, headEnd), sub(chunk, order.slice(k), cut, chunk.prompt.caption.length)];
}

/** `end` moved left past list separators and whitespace, never before `floor` (the last phrase's end). */
function trimSeparatorEnd(caption: string, end: number, floor: number): number {
  let e = end;
  while (e > floor && /[\s.,;]/u.test(caption[e - 1])) e--;
  return e;
}

/** The chunk made of `indices` (of `chunk`'s phrases), its caption `chunk.caption[from, to)`. */
function sub(chunk: PromptChunk, indices: number[], from: number, to: number): PromptChunk {
  const caption = chunk.prompt.caption.slice(from, to);
  const phrases: Phrase[] = indices.map((i) => {
    const [s, e] = chunk.prompt.phrases[i].charSpan;
    return { text: chunk.prompt.phrases[i].text, charSpan: [s - from, e - from] };
  });
  const prompt: Prompt = chunk.prompt.groundRepeats ? { caption, phrases, groundRepeats: true } : { caption, phrases };
  return { prompt, offset: chunk.offset + from, origin: indices.map((i) => chunk.origin[i]) };
}

// GLIP prompts: the caption the model reads and the phrases (char spans of the caption) it grounds.
// Three ways in, as in GLIPDemo:
// - a category list → `categoryPrompt(names)`: the caption is `name + " . "` for every name,
//   trailing separator included (GLIPDemo.compute_prediction with a list; what case-a's runs use);
// - a caption with explicit phrase spans → `captionPrompt(caption, spans)` (GLIPDemo's custom_entity);
// - a plain user string → `parsePrompt(text)`, see there.
import { PromptError } from '../errors.ts';
import type { CharSpan } from './bert-normalizer.ts';
import { nounPhraseSpans } from './phrase-chunker.ts';

export type { CharSpan } from './bert-normalizer.ts';

export interface Phrase {
  /** `caption.slice(charSpan[0], charSpan[1])`. */
  text: string;
  /** `[start, end)` in UTF-16 units of the caption (JS string indices). */
  charSpan: CharSpan;
}

export interface Prompt {
  caption: string;
  phrases: Phrase[];
  /**
   * Every phrase is its own category, grounded even when its text repeats an earlier phrase's (GLIP's
   * category queries, where two names can clean to the same text: LVIS's "bow_(weapon)" and
   * "bow_(decorative_ribbons)" → "bow "). Otherwise a repeat is dropped as 'duplicate'.
   */
  groundRepeats?: true;
}

/** What the detector accepts: a user string, a category list, or a ready prompt. */
export type PromptInput = string | readonly string[] | Prompt;

/** GLIPDemo's separator between category names (also after the last one). */
export const CATEGORY_SEPARATOR = ' . ';

const WORD_CHAR = /[\p{L}\p{N}]/u;
const NO_WORDS = 'the prompt names nothing to detect: give one or more object names, e.g. "person. dog. frisbee."';

function phrase(caption: string, start: number, end: number): Phrase {
  return { text: caption.slice(start, end), charSpan: [start, end] };
}

export function categoryPrompt(names: readonly string[]): Prompt {
  if (names.length === 0) throw new PromptError(NO_WORDS);
  let caption = '';
  const phrases: Phrase[] = [];
  for (const name of names) {
    if (!WORD_CHAR.test(name)) throw new PromptError(`category name ${JSON.stringify(name)} has no letters or digits: remove it or give it a name`);
    const start = caption.length;
    caption += name + CATEGORY_SEPARATOR;
    phrases.push(phrase(caption, start, start + name.length));
  }
  return { caption, phrases };
}

export function captionPrompt(caption: string, spans: readonly CharSpan[]): Prompt {
  if (spans.length === 0 || caption.trim() === '') throw new PromptError(NO_WORDS);
  return {
    caption,
    phrases: spans.map(([start, end]) => {
      if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > caption.length || start >= end) {
        throw new PromptError(`phrase span [${start}, ${end}) is not inside the caption (length ${caption.length})`);
      }
      if (caption.slice(start, end).trim() === '') {
        throw new PromptError(`phrase span [${start}, ${end}) covers only whitespace`);
      }
      return phrase(caption, start, end);
    }),
  };
}

/**
 * A plain user string, read in this order:
 * 1. `[brackets]` mark the phrases exactly: "a [red mug] left of the [laptop]" → caption without the
 *    brackets, phrases "red mug" and "laptop".
 * 2. A list, split at ". " (GLIP's separator), ",", ";" or newlines: "person. dog. frisbee." → three
 *    phrases; the caption is the string as typed (same tokens as GLIPDemo's "person . dog . frisbee . ").
 * 3. One sentence: noun-phrase-like chunks by a word-list heuristic (phrase-chunker.ts), a stand-in
 *    for GLIPDemo's NLTK noun phrases; if it finds none, the whole sentence is the phrase.
 * Phrases are trimmed to their first and last letter or digit.
 */
export function parsePrompt(text: string): Prompt {
  if (!WORD_CHAR.test(text)) throw new PromptError(NO_WORDS);
  if (/[[\]]/.test(text)) return bracketPrompt(text);
  const segments = splitList(text);
  if (segments.length > 1) return captionPrompt(text, segments);
  const chunks = nounPhraseSpans(text, segments[0][0], segments[0][1]);
  return captionPrompt(text, chunks.length > 0 ? chunks : segments);
}

export function toPrompt(input: PromptInput): Prompt {
  if (typeof input === 'string') return parsePrompt(input);
  if (isPrompt(input)) {
    const checked = captionPrompt(input.caption, input.phrases.map((p) => p.charSpan));
    return input.groundRepeats ? { ...checked, groundRepeats: true } : checked;
  }
  return categoryPrompt(input);
}

function isPrompt(input: readonly string[] | Prompt): input is Prompt {
  return !Array.isArray(input);
}

/** Segments between list separators, trimmed to letters/digits; segments without any are skipped. */
function splitList(text: string): CharSpan[] {
  const segments: CharSpan[] = [];
  const separator = /\.(?=\s|$)|[,;\n]/gu;
  let from = 0;
  for (const m of [...text.matchAll(separator), null]) {
    const to = m ? (m.index ?? 0) : text.length;
    const span = trimToWords(text, from, to);
    if (span) segments.push(span);
    if (m) from = to + m[0].length;
  }
  return segments;
}

function trimToWords(text: string, from: number, to: number): CharSpan | null {
  const chars = [...text.slice(from, to)];
  const first = chars.findIndex((c) => WORD_CHAR.test(c));
  if (first < 0) return null;
  const last = chars.findLastIndex((c) => WORD_CHAR.test(c));
  const start = from + chars.slice(0, first).join('').length;
  const end = from + chars.slice(0, last + 1).join('').length;
  return [start, end];
}

function bracketPrompt(text: string): Prompt {
  let caption = '';
  const spans: CharSpan[] = [];
  let open = -1;
  for (const c of text) {
    if (c === '[') {
      if (open >= 0) throw new PromptError('brackets in a prompt mark phrases and cannot nest: "a [red mug] on the [table]"');
      open = caption.length;
    } else if (c === ']') {
      if (open < 0) throw new PromptError('a "]" in the prompt has no matching "[": brackets mark phrases, e.g. "a [red mug] on the [table]"');
      const span = trimToWords(caption, open, caption.length);
      if (!span) throw new PromptError('a bracketed phrase in the prompt is empty: put the object name inside, e.g. "[red mug]"');
      spans.push(span);
      open = -1;
    } else {
      caption += c;
    }
  }
  if (open >= 0) throw new PromptError('a "[" in the prompt is not closed: brackets mark phrases, e.g. "a [red mug] on the [table]"');
  return captionPrompt(caption, spans);
}

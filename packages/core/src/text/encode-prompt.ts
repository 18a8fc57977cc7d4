// A prompt tokenised for the model: ids truncated to MAX_QUERY_LEN as GLIP's batch_encode_plus does,
// and each phrase's token indices and positive-map row as GLIPDemo.create_positive_map computes them
// (char_to_token(start) … char_to_token(end − 1), with its fallbacks, row-normalised by sum + 1e-6).
// Phrases the model cannot see (cut off by truncation, or with no token) are dropped and listed.
import { PromptError } from '../errors.ts';
import type { Phrase, Prompt } from './prompt.ts';
import type { CharSpan, Encoding } from './tokenizer.ts';
import type { BertTokenizer } from './tokenizer.ts';

/** GLIP's MODEL.LANGUAGE_BACKBONE.MAX_QUERY_LEN: tokens the model reads, [CLS] and [SEP] included. */
export const MAX_QUERY_LEN = 256;

export interface GroundedPhrase extends Phrase {
  /** Positions in `inputIds` ([CLS] is 0) of the phrase's tokens, consecutive. */
  tokenIndices: number[];
}

export interface DroppedPhrase extends Phrase {
  /**
   * `truncated`: its tokens lie past MAX_QUERY_LEN; `no-tokens`: no token covers its span;
   * `duplicate`: an earlier phrase has the same text (case and spacing aside) — grounding it twice
   * would only report every box twice (unless the prompt's `groundRepeats` says each phrase is its
   * own category).
   */
  reason: 'truncated' | 'no-tokens' | 'duplicate';
}

export interface EncodedPrompt {
  caption: string;
  /** `[CLS] … [SEP]`, at most MAX_QUERY_LEN ids, unpadded (GLIP pads with [PAD] = 0 to 256; padding does not change the result). */
  inputIds: Int32Array;
  tokens: string[];
  /** Span of each token in the caption, null for [CLS]/[SEP]. */
  tokenOffsets: (CharSpan | null)[];
  /** Phrases the model grounds, in prompt order; detection labels index this list. */
  phrases: GroundedPhrase[];
  dropped: DroppedPhrase[];
  /** `[phrases.length, inputIds.length]` row-major: 1/(n + 1e-6) on a phrase's n tokens, else 0 (float32, as GLIP). */
  positiveMap: Float32Array;
}

export function encodePrompt(tokenizer: BertTokenizer, prompt: Prompt, maxQueryLen = MAX_QUERY_LEN): EncodedPrompt {
  const encoding = tokenizer.encode(prompt.caption);
  const truncated = encoding.ids.length > maxQueryLen;
  const length = truncated ? maxQueryLen : encoding.ids.length;
  const inputIds = encoding.ids.slice(0, length);
  const tokens = encoding.tokens.slice(0, length);
  const tokenOffsets = encoding.offsets.slice(0, length);
  if (truncated) {
    inputIds[length - 1] = tokenizer.sepId;
    tokens[length - 1] = '[SEP]';
    tokenOffsets[length - 1] = null;
  }

  const phrases: GroundedPhrase[] = [];
  const dropped: DroppedPhrase[] = [];
  const grounded = new Set<string>();
  for (const p of prompt.phrases) {
    const key = p.text.toLowerCase().replace(/\s+/g, ' ').trim();
    const range = phraseTokenRange(encoding, p.charSpan);
    if (grounded.has(key) && !prompt.groundRepeats) dropped.push({ ...p, reason: 'duplicate' });
    else if (!range) dropped.push({ ...p, reason: 'no-tokens' });
    else if (range[1] > length - 2) dropped.push({ ...p, reason: 'truncated' });
    else {
      grounded.add(key);
      phrases.push({ ...p, tokenIndices: Array.from({ length: range[1] - range[0] + 1 }, (_, k) => range[0] + k) });
    }
  }
  if (phrases.length === 0) {
    throw new PromptError(
      dropped.some((d) => d.reason === 'truncated')
        ? `the prompt is longer than the model reads (${maxQueryLen} tokens) and no phrase fits: shorten it`
        : 'no phrase of the prompt maps to any token: use words, not only symbols',
    );
  }

  const positiveMap = new Float32Array(phrases.length * length);
  phrases.forEach((p, row) => {
    const value = Math.fround(1 / Math.fround(p.tokenIndices.length + 1e-6));
    for (const t of p.tokenIndices) positiveMap[row * length + t] = value;
  });
  return { caption: prompt.caption, inputIds, tokens, tokenOffsets, phrases, dropped, positiveMap };
}

/** create_positive_map's first and last token of a span, with its ±1, ±2 char fallbacks; null if none. */
function phraseTokenRange(encoding: Encoding, [start, end]: CharSpan): [number, number] | null {
  const first = encoding.charToToken(start) ?? encoding.charToToken(start + 1) ?? encoding.charToToken(start + 2);
  const last = encoding.charToToken(end - 1) ?? encoding.charToToken(end - 2) ?? encoding.charToToken(end - 3);
  if (first === null || last === null || first > last) return null;
  return [first, last];
}

// Char offsets of WordPiece tokens in the ORIGINAL string (tokenizers-wasm returns ids and token
// strings only). The tokens are walked along the normalised text word by word: a token matches the
// next normalised chars (`##` marks a continuation inside the current word), `[UNK]` covers one whole
// word, and special tokens have no offset. If the wasm normaliser ever disagrees with ours (e.g. a
// char one Unicode version knows and the other does not), the walk resynchronises on the next word
// that starts with the token and leaves unmatched tokens without an offset instead of failing.
import type { CharSpan, NormalizedText } from './bert-normalizer.ts';

const UNK = '[UNK]';
const CONTINUATION = '##';

export function alignTokenOffsets(
  normalized: NormalizedText,
  tokens: readonly string[],
  specialTokens: ReadonlySet<string>,
): (CharSpan | null)[] {
  const { chars, origin, words } = normalized;
  let w = 0; // current word
  let at = words.length > 0 ? words[0][0] : 0; // next unconsumed char of word w

  const spanOf = (from: number, to: number): CharSpan => [origin[from][0], origin[to - 1][1]];
  const matchesAt = (piece: readonly string[], from: number, end: number): boolean =>
    from + piece.length <= end && piece.every((c, k) => chars[from + k] === c);
  const consume = (to: number): void => {
    at = to;
    if (at >= words[w][1]) {
      w++;
      at = w < words.length ? words[w][0] : chars.length;
    }
  };

  return tokens.map((token) => {
    if (specialTokens.has(token) && token !== UNK) return null;
    const continuation = token.startsWith(CONTINUATION) && token.length > CONTINUATION.length;
    if (!continuation && w < words.length && at > words[w][0]) consume(words[w][1]); // leftover of a mismatched word
    if (w >= words.length) return null;
    if (token === UNK) {
      const span = spanOf(at, words[w][1]);
      consume(words[w][1]);
      return span;
    }
    const piece = [...(continuation ? token.slice(CONTINUATION.length) : token)];
    if (!matchesAt(piece, at, words[w][1])) {
      if (continuation) return null;
      const next = words.findIndex((word, i) => i > w && matchesAt(piece, word[0], word[1]));
      if (next < 0) return null;
      w = next;
      at = words[w][0];
    }
    const span = spanOf(at, at + piece.length);
    consume(at + piece.length);
    return span;
  });
}

/** For each UTF-16 index of the original string, the first token whose span contains it, or -1. */
export function charToTokenTable(length: number, offsets: readonly (CharSpan | null)[]): Int32Array {
  const table = new Int32Array(length).fill(-1);
  offsets.forEach((span, t) => {
    if (!span) return;
    for (let i = span[0]; i < span[1]; i++) if (table[i] < 0) table[i] = t;
  });
  return table;
}

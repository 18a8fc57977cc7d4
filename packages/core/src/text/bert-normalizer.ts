// BERT uncased normalisation and pre-tokenisation, char by char, so that every normalised char knows
// the original char it came from. Mirrors HF tokenizers' BertNormalizer (clean_text,
// handle_chinese_chars, strip_accents, lowercase, in that order) and BertPreTokenizer (split on
// whitespace, every punctuation char is its own word). Used only to recover token char offsets: the
// token ids themselves come from tokenizers-wasm.

/** `[start, end)` in UTF-16 code units of a JS string. */
export type CharSpan = [start: number, end: number];

export interface NormalizedText {
  /** Normalised code points, in order (each entry is one code point). */
  readonly chars: readonly string[];
  /** For each normalised char, the span of the original char it came from. */
  readonly origin: readonly CharSpan[];
  /** Pre-tokenised words as `[start, end)` ranges of `chars`. */
  readonly words: readonly CharSpan[];
}

const OTHER = /^\p{C}$/u; // Cc Cf Cs Co Cn
const WHITE_SPACE = /^\p{White_Space}$/u;
const NONSPACING_MARK = /^\p{Mn}$/u;
const UNICODE_PUNCTUATION = /^\p{P}$/u;

function isWhitespace(c: string): boolean {
  return c === '\t' || c === '\n' || c === '\r' || WHITE_SPACE.test(c);
}

/** Removed by clean_text: NUL, U+FFFD and "other" chars, except \t \n \r (whitespace). */
function isRemoved(c: string, cp: number): boolean {
  if (c === '\t' || c === '\n' || c === '\r') return false;
  return cp === 0 || cp === 0xfffd || OTHER.test(c);
}

/** The CJK ideograph ranges of HF's `is_chinese_char`. */
function isChineseChar(cp: number): boolean {
  return (
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x20000 && cp <= 0x2a6df) ||
    (cp >= 0x2a700 && cp <= 0x2b73f) ||
    (cp >= 0x2b740 && cp <= 0x2b81f) ||
    (cp >= 0x2b920 && cp <= 0x2ceaf) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0x2f800 && cp <= 0x2fa1f)
  );
}

/** BERT punctuation: every ASCII non-alphanumeric printable char, plus Unicode category P*. */
export function isBertPunctuation(c: string): boolean {
  const cp = c.codePointAt(0) ?? 0;
  const asciiPunct = (cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126);
  return asciiPunct || UNICODE_PUNCTUATION.test(c);
}

export function normalizeBert(text: string): NormalizedText {
  const chars: string[] = [];
  const origin: CharSpan[] = [];
  let pos = 0;
  for (const c of text) {
    const span: CharSpan = [pos, pos + c.length];
    pos += c.length;
    const cp = c.codePointAt(0) ?? 0;
    if (isRemoved(c, cp)) continue;
    if (isWhitespace(c)) {
      chars.push(' ');
      origin.push(span);
    } else if (isChineseChar(cp)) {
      chars.push(' ', c, ' ');
      origin.push(span, span, span);
    } else {
      // strip_accents (NFD, drop nonspacing marks) then lowercase, per char as HF does.
      for (const d of c.normalize('NFD')) {
        if (NONSPACING_MARK.test(d)) continue;
        for (const l of d.toLowerCase()) {
          chars.push(l);
          origin.push(span);
        }
      }
    }
  }
  return { chars, origin, words: preTokenize(chars) };
}

function preTokenize(chars: readonly string[]): CharSpan[] {
  const words: CharSpan[] = [];
  let start = -1;
  for (let i = 0; i <= chars.length; i++) {
    const c = i < chars.length ? chars[i] : ' ';
    const space = c === ' ';
    const punct = !space && isBertPunctuation(c);
    if ((space || punct) && start >= 0) {
      words.push([start, i]);
      start = -1;
    }
    if (punct) words.push([i, i + 1]);
    else if (!space && start < 0) start = i;
  }
  return words;
}

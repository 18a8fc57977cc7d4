// Prompts users actually type: empty, blank, punctuation only, 10,000 characters, emoji and mixed
// scripts, repeated phrases. Each either encodes (spans right, warnings naming what was dropped) or
// fails with a PromptError that says what to do.
import { describe, expect, it } from 'vitest';
import { PromptError } from '../errors.ts';
import { encodePrompt, MAX_QUERY_LEN } from './encode-prompt.ts';
import { categoryQuery } from './category-query.ts';
import { captionPrompt, toPrompt } from './prompt.ts';
import { promptWarning } from './prompt-warning.ts';
import { testTokenizer } from '../testing/test-tokenizer.ts';

const encode = (text: string | string[]) => encodePrompt(testTokenizer(), toPrompt(text));

describe('prompts that name nothing → PromptError', () => {
  it.each(['', ' ', '\u00a0\u2003\n\t', '.', '. . . ,;:!?', '()[]{}', '🐶🐱', '🐶. 🐱', '---', '[]'])('%j', (text) => {
    expect(() => encode(text)).toThrow(PromptError);
  });

  it('an empty category list, or one of blank names', () => {
    expect(() => encode([])).toThrow(PromptError);
    expect(() => encode(['  ', '.'])).toThrow(PromptError);
  });

  it('the message says what to type', () => {
    expect(() => encode('  ')).toThrow(/person\. dog\. frisbee/);
  });
});

describe('a 10,000-character prompt', () => {
  const names = Array.from({ length: 1500 }, (_, i) => `object number ${i}`);
  const text = names.join('. ').slice(0, 10_000);

  it('is truncated to 256 tokens quickly, and the warning names the dropped phrases', () => {
    const started = performance.now();
    const encoded = encode(text);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(encoded.inputIds.length).toBe(MAX_QUERY_LEN);
    expect(encoded.tokens.at(-1)).toBe('[SEP]');
    expect(encoded.phrases.length).toBeGreaterThan(10);
    const truncated = encoded.dropped.filter((d) => d.reason === 'truncated');
    expect(truncated.length).toBeGreaterThan(100);
    expect(encoded.phrases.length + encoded.dropped.length).toBe(toPrompt(text).phrases.length);
    const warning = promptWarning(encoded)!;
    expect(warning).toContain(JSON.stringify(truncated[0].text));
    expect(warning).toContain(`and ${truncated.length - 8} more`);
    expect(warning).toMatch(/256 tokens/);
  });

  it('a 10,000-character single word encodes within the limit (one [UNK])', () => {
    expect(Array.from(encode('x'.repeat(10_000)).tokens)).toEqual(['[CLS]', '[UNK]', '[SEP]']);
  });
});

describe('emoji and mixed scripts', () => {
  it('keeps each phrase on its own tokens; emoji-only parts are not phrases', () => {
    const text = '🐶 dog. 猫 cat. собака. كلب. 🐱';
    const encoded = encode(text);
    const texts = encoded.phrases.map((p) => p.text);
    expect(texts).toEqual(['dog', '猫 cat', 'собака', 'كلب']);
    for (const p of encoded.phrases) {
      expect(text.slice(...p.charSpan)).toBe(p.text);
      const covered = p.tokenIndices.map((t) => encoded.tokenOffsets[t]!);
      expect(covered[0][0]).toBeGreaterThanOrEqual(p.charSpan[0]);
      expect(covered.at(-1)![1]).toBeLessThanOrEqual(p.charSpan[1]);
    }
    expect(promptWarning(encoded)).toBeNull();
  });

  it('surrogate pairs and combining marks keep UTF-16 spans right', () => {
    const text = 'cafe\u0301 table. 𝒜 sign. red 🚗 car';
    const encoded = encode(text);
    for (const p of encoded.phrases) expect(text.slice(...p.charSpan)).toBe(p.text);
  });
});

describe('duplicate phrases', () => {
  it('are grounded once; the repeats are dropped and named in the warning', () => {
    const encoded = encode('dog. Dog. cat.  dog ');
    expect(encoded.phrases.map((p) => p.text)).toEqual(['dog', 'cat']);
    expect(encoded.dropped.map((d) => [d.text, d.reason])).toEqual([['Dog', 'duplicate'], ['dog', 'duplicate']]);
    expect(promptWarning(encoded)).toMatch(/"Dog", "dog": they repeat an earlier phrase/);
  });

  it('a category list with repeats', () => {
    expect(encode(['person', 'person', 'bicycle']).phrases.map((p) => p.text)).toEqual(['person', 'bicycle']);
  });

  it("a category query grounds two names that clean to the same text, each on its own tokens, as GLIP does", () => {
    const query = categoryQuery(['bow_(weapon)', 'bow_(decorative_ribbons)', 'mug']);
    expect(query.caption).toBe('bow . bow . mug');
    const encoded = encodePrompt(testTokenizer(), toPrompt(query));
    expect(encoded.dropped).toEqual([]);
    expect(encoded.phrases.map((p) => [p.text, p.tokenIndices])).toEqual([['bow ', [1]], ['bow ', [3]], ['mug', [5]]]);
    // the same caption and spans read as a plain prompt ground the repeat once
    const plain = encodePrompt(testTokenizer(), captionPrompt(query.caption, query.phrases.map((p) => p.charSpan)));
    expect(plain.dropped.map((d) => [d.charSpan, d.reason])).toEqual([[[6, 10], 'duplicate']]);
  });
});

import { describe, expect, it } from 'vitest';
import { PromptError } from '../errors.ts';
import { categoryQuery, cleanCategoryName } from './category-query.ts';
import { encodePrompt, MAX_QUERY_LEN } from './encode-prompt.ts';
import { captionPrompt, categoryPrompt, parsePrompt } from './prompt.ts';
import type { PromptChunk } from './prompt-chunks.ts';
import { chunkPrompt, splitChunk, wholeChunk } from './prompt-chunks.ts';
import { testTokenizer } from '../testing/test-tokenizer.ts';

const names = (n: number): string[] => Array.from({ length: n }, (_, i) => `thing number ${i}`);

/** Every chunk phrase, moved by the chunk's offset, is the original phrase it claims to be. */
function expectOriginsHold(chunks: PromptChunk[], original: { caption: string; phrases: { text: string; charSpan: [number, number] }[] }): void {
  const covered: number[] = [];
  for (const c of chunks) {
    expect(original.caption.slice(c.offset, c.offset + c.prompt.caption.length)).toBe(c.prompt.caption);
    c.prompt.phrases.forEach((p, i) => {
      const o = original.phrases[c.origin[i]];
      expect([p.charSpan[0] + c.offset, p.charSpan[1] + c.offset]).toEqual(o.charSpan);
      expect(c.prompt.caption.slice(...p.charSpan)).toBe(o.text);
    });
    covered.push(...c.origin);
  }
  expect(covered.sort((a, b) => a - b)).toEqual(original.phrases.map((_, i) => i));
}

describe('categoryQuery (GLIP create_queries_and_maps)', () => {
  it('cleans names as clean_name and joins them with ". ", no separator after the last', () => {
    expect(cleanCategoryName('bow_(weapon)')).toBe('bow ');
    expect(cleanCategoryName('hair_dryer')).toBe('hair dryer');
    expect(cleanCategoryName('a__b')).toBe('a b');
    const q = categoryQuery(['person', 'traffic light', 'bow_(weapon)']);
    expect(q.caption).toBe('person. traffic light. bow ');
    expect(q.phrases.map((p) => p.charSpan)).toEqual([[0, 6], [8, 21], [23, 27]]);
  });

  it('rejects an empty vocabulary, a name with no letters and duplicate names with typed errors naming them', () => {
    expect(() => categoryQuery([])).toThrow(PromptError);
    expect(() => categoryQuery(['cat', '(x)'])).toThrow(/name 1 "\(x\)"/);
    expect(() => categoryQuery(['cat', 'dog', 'Cat '])).toThrow(/names 0 and 2 are both "Cat "/);
  });
});

describe('chunkPrompt', () => {
  it("cuts GLIP's query into groups of 40 whose captions are exactly GLIP's per-chunk queries", () => {
    const list = names(100);
    const query = categoryQuery(list);
    const chunks = chunkPrompt(wholeChunk(query), 40);
    expect(chunks.map((c) => c.prompt.phrases.length)).toEqual([40, 40, 20]);
    chunks.forEach((c, k) => expect(c.prompt).toEqual(categoryQuery(list.slice(40 * k, 40 * k + c.prompt.phrases.length))));
    expectOriginsHold(chunks, query);
  });

  it("cuts GLIPDemo's list (\" . \" after every name): each chunk but the last loses only its trailing separator", () => {
    const prompt = categoryPrompt(['cat', 'dog', 'red car', 'tree', 'bus']);
    const chunks = chunkPrompt(wholeChunk(prompt), 2);
    expect(chunks.map((c) => c.prompt.caption)).toEqual(['cat . dog', 'red car . tree', 'bus . ']);
    expectOriginsHold(chunks, prompt);
  });

  it('one chunk when the phrases are at most namesPerChunk; a bad size is a RangeError', () => {
    const prompt = parsePrompt('cat. dog');
    expect(chunkPrompt(wholeChunk(prompt), 40)).toEqual([wholeChunk(prompt)]);
    expect(() => chunkPrompt(wholeChunk(prompt), 0)).toThrow(RangeError);
  });
});

describe('splitChunk', () => {
  it('cuts a sentence between phrases, the words between them staying with the earlier chunk', () => {
    const prompt = captionPrompt('a dog on the left of a cat near a tree', [[0, 5], [21, 26], [32, 38]]);
    const [head, tail] = splitChunk(wholeChunk(prompt), 1);
    expect(head.prompt.caption).toBe('a dog on the left of');
    expect(tail.prompt.caption).toBe('a cat near a tree');
    expectOriginsHold([head, tail], prompt);
  });

  it('never cuts inside a phrase: overlapping phrases move the cut earlier, and a chunk that cannot be cut is a PromptError', () => {
    const prompt = captionPrompt('big red car park. tree', [[0, 11], [4, 16], [18, 22]]); // "big red car" overlaps "red car park"
    const [head, tail] = splitChunk(wholeChunk(prompt), 1);
    expect(head.prompt.phrases.map((p) => p.text)).toEqual(['big red car', 'red car park']);
    expect(tail.prompt.caption).toBe('tree');
    expect(() => splitChunk(wholeChunk(captionPrompt('big red car park', [[0, 11], [4, 16]])), 1)).toThrow(PromptError);
  });

  it('chunks of a 1,203-name list each fit the 256-token window', () => {
    const list = Array.from({ length: 1203 }, (_, i) => `synthetic_object_${i}_(kind)`);
    const query = categoryQuery(list);
    const chunks = chunkPrompt(wholeChunk(query), 40);
    expect(chunks).toHaveLength(31);
    for (const c of chunks) {
      const e = encodePrompt(testTokenizer(), c.prompt);
      expect(e.dropped).toEqual([]);
      expect(e.inputIds.length).toBeLessThanOrEqual(MAX_QUERY_LEN);
    }
    expectOriginsHold(chunks, query);
  });
});

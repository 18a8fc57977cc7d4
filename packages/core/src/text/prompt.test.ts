import { describe, expect, it } from 'vitest';
import { PromptError } from '../errors.ts';
import { nounPhraseSpans } from './phrase-chunker.ts';
import type { Prompt } from './prompt.ts';
import { captionPrompt, categoryPrompt, parsePrompt, toPrompt } from './prompt.ts';

const texts = (p: Prompt): string[] => p.phrases.map((x) => x.text);

function expectConsistent(p: Prompt): void {
  for (const x of p.phrases) expect(p.caption.slice(x.charSpan[0], x.charSpan[1])).toBe(x.text);
}

describe('categoryPrompt (GLIPDemo list form)', () => {
  it('joins names with " . " including a trailing one, spans cover the names', () => {
    const p = categoryPrompt(['red circle', 'blue square', 'green triangle']);
    expect(p.caption).toBe('red circle . blue square . green triangle . ');
    expect(p.phrases.map((x) => x.charSpan)).toEqual([[0, 10], [13, 24], [27, 41]]);
    expectConsistent(p);
  });

  it('rejects an empty list and names without letters', () => {
    expect(() => categoryPrompt([])).toThrow(PromptError);
    expect(() => categoryPrompt(['dog', ' . '])).toThrow(PromptError);
  });
});

describe('captionPrompt (explicit spans)', () => {
  it('keeps the caption and spans', () => {
    const p = captionPrompt('a red circle next to a small blue square', [[2, 12], [23, 40]]);
    expect(texts(p)).toEqual(['red circle', 'small blue square']);
  });

  it('rejects spans outside the caption, empty or blank spans', () => {
    expect(() => captionPrompt('a dog', [[2, 9]])).toThrow(PromptError);
    expect(() => captionPrompt('a dog', [[3, 3]])).toThrow(PromptError);
    expect(() => captionPrompt('a dog,  ok', [[6, 8]])).toThrow(PromptError);
    expect(() => captionPrompt('a dog', [])).toThrow(PromptError);
  });
});

describe('parsePrompt', () => {
  it('reads ". "-separated category lists with spans in the typed string', () => {
    const p = parsePrompt('person. dog. frisbee.');
    expect(p.caption).toBe('person. dog. frisbee.');
    expect(p.phrases).toEqual([
      { text: 'person', charSpan: [0, 6] },
      { text: 'dog', charSpan: [8, 11] },
      { text: 'frisbee', charSpan: [13, 20] },
    ]);
  });

  it('splits lists at commas, semicolons and newlines too, but not inside "3.5kg"', () => {
    expect(texts(parsePrompt('red mug, blue cup; the laptop\nA cat'))).toEqual(['red mug', 'blue cup', 'the laptop', 'A cat']);
    expect(texts(parsePrompt('3.5kg weight. scale'))).toEqual(['3.5kg weight', 'scale']);
  });

  it('chunks a single sentence into noun-phrase-like phrases', () => {
    const p = parsePrompt('a red mug left of the laptop');
    expect(p.caption).toBe('a red mug left of the laptop');
    expect(texts(p)).toEqual(['a red mug', 'the laptop']);
    expectConsistent(p);
    expect(texts(parsePrompt('A man riding a horse next to two dogs.'))).toEqual(['A man', 'a horse', 'two dogs']);
    expect(texts(parsePrompt('traffic light'))).toEqual(['traffic light']);
  });

  it('uses the whole sentence when the heuristic finds no chunk', () => {
    expect(texts(parsePrompt('on top of it'))).toEqual(['on top of it']);
  });

  it('takes [bracketed] phrases exactly and removes the brackets from the caption', () => {
    const p = parsePrompt('a [red mug] left of the [ laptop ]');
    expect(p.caption).toBe('a red mug left of the  laptop ');
    expect(texts(p)).toEqual(['red mug', 'laptop']);
    expectConsistent(p);
  });

  it('keeps spans right with accents, CJK and emoji (UTF-16 indices)', () => {
    const p = parsePrompt('🐶 Café. 中文 sign');
    expect(texts(p)).toEqual(['Café', '中文 sign']);
    expectConsistent(p);
  });

  it.each(['', '   ', '\n\t', '...', ' . , ;', '!?'])('rejects %j with a PromptError', (text) => {
    expect(() => parsePrompt(text)).toThrow(PromptError);
  });

  it('rejects malformed brackets', () => {
    expect(() => parsePrompt('a [red [mug]]')).toThrow(PromptError);
    expect(() => parsePrompt('a red mug]')).toThrow(PromptError);
    expect(() => parsePrompt('a [red mug')).toThrow(PromptError);
    expect(() => parsePrompt('a [] mug')).toThrow(PromptError);
  });
});

describe('toPrompt', () => {
  it('dispatches strings, lists and prompts', () => {
    expect(toPrompt('cat. dog').caption).toBe('cat. dog');
    expect(toPrompt(['cat', 'dog']).caption).toBe('cat . dog . ');
    const given = captionPrompt('a cat', [[2, 5]]);
    expect(toPrompt(given)).toEqual(given);
  });
});

describe('nounPhraseSpans', () => {
  it('breaks at punctuation and keeps hyphenated words whole', () => {
    const text = 'a hot-dog (with mustard) and ice cream';
    expect(nounPhraseSpans(text).map(([s, e]) => text.slice(s, e))).toEqual(['a hot-dog', 'mustard', 'ice cream']);
  });

  it('drops a determiner that opens nothing', () => {
    const text = 'the dog that is running';
    expect(nounPhraseSpans(text).map(([s, e]) => text.slice(s, e))).toEqual(['the dog']);
  });
});

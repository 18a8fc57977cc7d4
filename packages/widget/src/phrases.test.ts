import { describe, expect, it } from 'vitest';
import { colorOf, parsePhrases } from './phrases.ts';

describe('parsePhrases', () => {
  it('splits on "." with spans into the original prompt and one colour per phrase', () => {
    const prompt = ' red car.  cat . ..dog';
    const phrases = parsePhrases(prompt);
    expect(phrases.map((p) => p.text)).toEqual(['red car', 'cat', 'dog']);
    for (const p of phrases) expect(prompt.slice(...p.span)).toBe(p.text);
    expect(new Set(phrases.map((p) => p.color)).size).toBe(3);
  });

  it('colours a detection by its character span, then by its text', () => {
    const phrases = parsePhrases('cat. dog');
    expect(colorOf(phrases, 'dog', [5, 8])).toBe(phrases[1].color);
    expect(colorOf(phrases, 'CAT', [100, 103])).toBe(phrases[0].color);
  });
});

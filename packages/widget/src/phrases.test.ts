import { describe, expect, it } from 'vitest';
import { parsePrompt } from '@webglip/core/client';
import { colorOf, phraseChips, phraseKey, promptChips } from './phrases.ts';

describe('promptChips', () => {
  it('shows the phrases the engine reads, not a parse of its own ("cat, dog" is two)', () => {
    for (const prompt of ['cat, dog', ' red car.  cat . ..dog', 'a [red mug] left of the [laptop]', 'cat; dog\nbird']) {
      const engine = parsePrompt(prompt).phrases;
      const chips = promptChips(prompt);
      expect(chips.map((c) => [c.text, c.charSpan])).toEqual(engine.map((p) => [p.text, p.charSpan]));
      expect(new Set(chips.map((c) => c.color)).size).toBe(chips.length);
    }
    expect(promptChips('cat, dog').map((c) => c.text)).toEqual(['cat', 'dog']);
    expect(promptChips(' . ')).toEqual([]);
  });
});

describe('colorOf', () => {
  it('colours a detection by its phrase’s span in the engine’s answer', () => {
    const chips = phraseChips([
      { text: 'cat', charSpan: [0, 3] },
      { text: 'dog', charSpan: [5, 8] },
    ]);
    expect(colorOf(chips, { charSpan: [5, 8] })).toBe(chips[1].color);
    expect(colorOf(chips, { charSpan: [0, 3] })).toBe(chips[0].color);
    expect(phraseKey({ charSpan: [5, 8] })).toBe(phraseKey(chips[1]));
  });
});

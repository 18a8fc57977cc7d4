// The demo's vocabulary presets as the engine reads them: the text written into the prompt box parses
// (the engine's parsePrompt, which the worker runs) into exactly the preset's names, each name once,
// and whether it needs more than the 256-token window: glip-nano's 80 names do (the demo runs them in
// chunks), COCO's 80 fit in one, as GLIP evaluates COCO with one prompt.
import { describe, expect, it } from 'vitest';
import { encodePrompt, MAX_QUERY_LEN } from '@webglip/core';
import { parsePrompt } from '@webglip/core/client';
import { testTokenizer } from '@webglip/core/testing';
import { COCO_CATEGORY_NAMES, presetPrompt, VOCABULARY_PRESETS } from './vocabulary-presets.ts';

describe('vocabulary presets', () => {
  it('COCO has its 80 category names, each once', () => {
    expect(COCO_CATEGORY_NAMES).toHaveLength(80);
    expect(new Set(COCO_CATEGORY_NAMES).size).toBe(80);
    expect(COCO_CATEGORY_NAMES[0]).toBe('person');
    expect(COCO_CATEGORY_NAMES[79]).toBe('toothbrush');
  });

  const pastTheWindow = { 'glip-nano': true, coco: false };
  for (const preset of VOCABULARY_PRESETS) {
    it(`${preset.id}: the prompt box text is the names, as the engine parses it; past the window: ${pastTheWindow[preset.id as keyof typeof pastTheWindow]}`, () => {
      const text = presetPrompt(preset);
      expect(parsePrompt(text).phrases.map((p) => p.text)).toEqual([...preset.names]);
      const encoded = encodePrompt(testTokenizer(), parsePrompt(text), MAX_QUERY_LEN);
      const truncated = encoded.dropped.filter((d) => d.reason === 'truncated').length;
      expect(truncated > 0).toBe(pastTheWindow[preset.id as keyof typeof pastTheWindow]);
      expect(encoded.dropped.filter((d) => d.reason !== 'truncated')).toEqual([]);
    });
  }
});

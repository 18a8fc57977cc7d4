// The prompt's phrases as the page shows them (chips, legend rows, box colours): the phrases the
// engine grounds — from its answer (`DetectResult.phrases`, `PromptInfo.phrases`), or, before there is
// one, from the engine's own parser (core's `parsePrompt`) — never a parse of the page's own, so a
// chip always stands for one phrase of the engine ("cat, dog" is two). Each gets a colour, shared by
// its chip and its boxes, and a key by which a detection finds it.
import { PHRASE_COLOURS } from '@webglip/core/client';
import { parsePrompt } from '@webglip/core/client';

export interface PhraseChip {
  text: string;
  /** `[start, end)` in the prompt, as the engine reports it. */
  charSpan: [number, number];
  color: string;
}


/** The engine's phrases, in order, each with its colour. */
export function phraseChips(phrases: readonly { text: string; charSpan: readonly [number, number] }[]): PhraseChip[] {
  return phrases.map((p, i) => ({ text: p.text, charSpan: [p.charSpan[0], p.charSpan[1]], color: PHRASE_COLOURS[i % PHRASE_COLOURS.length] }));
}

/** The phrases the engine will read in `prompt` (its parser, run on the page); none for a prompt that names nothing. */
export function promptChips(prompt: string): PhraseChip[] {
  try {
    return phraseChips(parsePrompt(prompt).phrases);
  } catch {
    return [];
  }
}

/** Identifies a phrase of the prompt (and every detection of it) by its character span. */
export function phraseKey(item: { charSpan: readonly [number, number] }): string {
  return `${item.charSpan[0]}:${item.charSpan[1]}`;
}

/** The colour of a detection: its phrase's chip's. */
export function colorOf(chips: readonly PhraseChip[], detection: { charSpan: readonly [number, number] }): string {
  const key = phraseKey(detection);
  return chips.find((c) => phraseKey(c) === key)?.color ?? PHRASE_COLOURS[0];
}

// The prompt as the user sees it: phrases separated by "." (GLIP's caption convention, "cat. red car"),
// each with its character span and a colour shared by its chip and its boxes.

export interface Phrase {
  text: string;
  /** `[start, end)` in the prompt. */
  span: [number, number];
  color: string;
}

// Distinct hues that stay readable under black text and as 3 px outlines on photos.
const PALETTE = ['#ffb000', '#34c3ff', '#ff5c8a', '#7ee081', '#c58cff', '#ff8a3d', '#3de0c8', '#f2e94e', '#9db4ff', '#ff9ecb'];

/** Splits a prompt into its phrases, in order, with spans into the original text. */
export function parsePhrases(prompt: string): Phrase[] {
  const phrases: Phrase[] = [];
  const pattern = /[^.]+/g;
  for (let match = pattern.exec(prompt); match !== null; match = pattern.exec(prompt)) {
    const lead = match[0].length - match[0].trimStart().length;
    const text = match[0].trim();
    if (text.length === 0) continue;
    const start = match.index + lead;
    phrases.push({ text, span: [start, start + text.length], color: PALETTE[phrases.length % PALETTE.length] });
  }
  return phrases;
}

/** The colour of a detected phrase: its chip's colour, matched by span, then by text. */
export function colorOf(phrases: Phrase[], phrase: string, charSpan: [number, number]): string {
  const bySpan = phrases.find((p) => p.span[0] <= charSpan[0] && charSpan[1] <= p.span[1]);
  const byText = phrases.find((p) => p.text.toLowerCase() === phrase.toLowerCase());
  return (bySpan ?? byText)?.color ?? PALETTE[0];
}
